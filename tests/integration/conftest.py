"""Fixtures of the integration tests: the oracle Prometheus (see :mod:`tests.integration.prom_oracle`)."""

from tests.integration.prom_oracle import prom  # noqa: F401  (session fixture)
