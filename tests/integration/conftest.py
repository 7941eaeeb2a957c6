"""Fixtures of the integration tests: the oracle Prometheus (:mod:`tests.integration.prom_oracle`) and the
workbook run on embedded defaults (:mod:`tests.integration.workbook_run`)."""

from tests.integration.prom_oracle import prom  # noqa: F401  (session fixture)
from tests.integration.workbook_run import default_report  # noqa: F401  (session fixture)
