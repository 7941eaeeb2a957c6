"""Live Prometheus → :class:`~analysis.slo.series.Samples` via ``prometheus-api-client``.

Every query is pinned to one evaluation timestamp ``at``: the range of every
``query_range`` call is computed from ``at`` (steps at ``at − k·step``), never from
"now" at the moment of the call, so good and total series cannot drift apart
(slo-generator's separate "now" queries can). Ranges longer than
:data:`MAX_POINTS` steps are split into chunks (Prometheus refuses more than 11,000
points per series). The raw series (bare selectors) are fetched and the workbook
computes increases itself, exactly as for exported files.

Pushdown mode (:func:`fetch_increases`, for Thanos, Mimir, Cortex or any big Prometheus):
the server evaluates ``sum by (<grouping>) (increase(<selector>[<step>]))`` at a coarse step,
so the bytes received grow with SLOs × windows × steps, not with series × samples; the
catalog is checked against the series' label sets (:func:`series_labels`, no samples).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import datetime, timezone

import numpy as np
import requests
# imported at the top: measured at well under 1 ms once numpy and requests are loaded
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ...config import DEFAULT_CONNECT_TIMEOUT_S
from ...errors import SourceError
from ...redact import redact_uri
from ...timeparse import iso
from ..series import Samples, build

log = logging.getLogger(__name__)

#: points per query_range call (Prometheus' limit is 11,000 per series)
MAX_POINTS = 10_000


def chunks(start: float, end: float, step: float, max_points: int = MAX_POINTS) -> list[tuple[float, float]]:
    """Split ``[start, end]`` (aligned on ``end``) into ranges of at most ``max_points`` steps.

    Returns
    -------
    list of (start, end)
        Contiguous, non-overlapping, every point ``end − k·step`` covered once.
    """
    n = int(math.floor((end - start) / step + 1e-9))
    first = end - n * step
    out = []
    k = 0
    while k <= n:
        m = min(max_points, n - k + 1)
        out.append((first + k * step, first + (k + m - 1) * step))
        k += m
    return out


def _retry() -> Retry:
    """The one retry policy of every request: two retries of a GET on 502 / 503 / 504 (a restarting proxy)."""
    return Retry(total=2, backoff_factor=0.2, status_forcelist=[502, 503, 504], allowed_methods=["GET"],
                 raise_on_status=False)


def _client(url: str, headers: dict | None, timeout: float) -> PrometheusConnect:
    return PrometheusConnect(url=url.rstrip("/"), headers=headers, disable_ssl=False, retry=_retry(), timeout=timeout)


def _session(headers: dict | None) -> requests.Session:
    """A session with the client's retry policy, for the endpoints the client does not wrap."""
    session = requests.Session()
    for scheme in ("http://", "https://"):
        session.mount(scheme, HTTPAdapter(max_retries=_retry()))
    session.headers.update(headers or {})
    return session


def _guarded(call, shown: str, what: str, timeout: float):
    """Run one request; every failure becomes one :class:`SourceError` line (URL redacted)."""
    try:
        return call()
    except requests.exceptions.ConnectionError:
        raise SourceError(f"Prometheus {shown}: cannot connect (refused, unreachable or TLS failure); "
                          "check prometheus_url") from None
    except requests.exceptions.Timeout:
        raise SourceError(f"Prometheus {shown}: no answer within {timeout:g} s for {what!r}") from None
    except requests.exceptions.RequestException as exc:
        raise SourceError(f"Prometheus {shown}: cannot query ({type(exc).__name__})") from None
    except PrometheusApiClientException as exc:
        raise SourceError(f"Prometheus {shown}: query {what!r} refused: {str(exc)[:300]}") from None
    except ValueError as exc:  # a non-JSON answer (not a Prometheus server)
        raise SourceError(f"Prometheus {shown}: answer is not Prometheus JSON ({exc})") from None


def _api(session: requests.Session, url: str, path: str, params: dict, timeout: float) -> list:
    """GET ``/api/v1/<path>`` → ``data`` (raises on an error status, like the client does)."""
    resp = session.get(f"{url.rstrip('/')}/api/v1/{path}", params=params, timeout=timeout)
    if resp.status_code != 200:
        raise PrometheusApiClientException(f"HTTP {resp.status_code}: {resp.text[:200]}")
    return resp.json()["data"]


def series_labels(url: str, selectors: Iterable[str], start: float, end: float, *, headers: dict | None = None,
                  timeout: float = DEFAULT_CONNECT_TIMEOUT_S * 6) -> list[dict[str, str]]:
    """The label sets of the series matching ``selectors`` in ``[start, end]`` (``/api/v1/series``: no samples)."""
    shown = redact_uri(url)
    out: list[dict[str, str]] = []
    with _session(headers) as session:
        for sel in dict.fromkeys(selectors):
            params = {"match[]": sel, "start": f"{start:.3f}", "end": f"{end:.3f}"}
            out += _guarded(lambda: _api(session, url, "series", params, timeout), shown, sel, timeout)
    return out


def fetch_increases(url: str, queries: dict[str, str], start: float, at: float, *, step: float,
                    headers: dict | None = None, timeout: float = DEFAULT_CONNECT_TIMEOUT_S * 6) -> dict[str, list]:
    """Evaluate aggregated queries on the server over ``[start, at]`` at ``step`` (pushdown mode).

    Parameters
    ----------
    queries : dict
        Name → PromQL (``sum by (...) (increase(<selector>[<step>]))``).
    start, at : float
        Unix seconds; the steps are ``at − k·step`` (pinned to the evaluation time).

    Returns
    -------
    dict
        Name → list of ``(labels, times, values)``.
    """
    shown = redact_uri(url)
    out: dict[str, list] = {}
    ranges = chunks(start, at, step)
    with _session(headers) as session:
        for name, q in queries.items():
            parts = []
            for a, b in ranges:
                params = {"query": q, "start": f"{a:.3f}", "end": f"{b:.3f}", "step": f"{step:g}"}
                data = _guarded(lambda: _api(session, url, "query_range", params, timeout), shown, q, timeout)
                for item in data["result"]:
                    vals = np.array(item.get("values", []), dtype=np.float64).reshape(-1, 2)
                    parts.append(({str(k): str(v) for k, v in item["metric"].items()}, vals[:, 0], vals[:, 1]))
            out[name] = parts
            log.info("pushdown %s over %d chunk(s)", q, len(ranges))
    return out


def fetch(url: str, selectors: Iterable[str], start: float, at: float, *, step: float = 60.0,
          headers: dict | None = None, timeout: float = DEFAULT_CONNECT_TIMEOUT_S * 6) -> Samples:
    """Fetch the raw series of ``selectors`` over ``[start, at]`` at ``step``.

    Parameters
    ----------
    url : str
        Prometheus base URL (may carry basic-auth credentials; they are redacted in errors).
    selectors : iterable of str
        PromQL selectors (``http_requests_total``, ``x_bucket{job="api"}``).
    start, at : float
        Unix seconds; ``at`` is the evaluation time every query is pinned to.
    step : float
        ``query_range`` step in seconds (use the scrape interval).
    headers : dict, optional
        Extra HTTP headers (e.g. ``Authorization`` built from an env var).
    timeout : float
        Per-request timeout in seconds.

    Returns
    -------
    Samples
        Empty selectors contribute nothing (the catalog validation reports them).

    Raises
    ------
    SourceError
        Unreachable server or a refused query (one line, URL redacted).
    """
    shown = redact_uri(url)
    client = _client(url, headers, timeout)
    parts = []
    ranges = chunks(start, at, step)
    for sel in dict.fromkeys(selectors):
        for a, b in ranges:
            result = _guarded(lambda: client.custom_query_range(
                sel, start_time=datetime.fromtimestamp(a, tz=timezone.utc),
                end_time=datetime.fromtimestamp(b, tz=timezone.utc), step=f"{step:g}s"), shown, sel, timeout)
            for item in result:
                vals = np.array(item.get("values", []), dtype=np.float64).reshape(-1, 2)
                parts.append(({str(k): str(v) for k, v in item["metric"].items()}, vals[:, 0], vals[:, 1]))
        log.info("fetched %s over %d chunk(s)", sel, len(ranges))
    return build(parts, origin=f"Prometheus {shown} (step {step:g}s, at {iso(at)})")
