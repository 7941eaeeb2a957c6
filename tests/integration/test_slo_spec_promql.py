"""Oracle for the PromQL a spec may hold (issue 18): the constructs the workbook computes from an export —
bare counter selectors, ``rate``/``increase``, ``sum by``/``sum without``, bucket ratios, the latency idiom
``total − bucket``, a 0/1 gauge's ``sum_over_time``/``count_over_time`` — evaluated on exported raw series must
give the numbers a real Prometheus gives for the same queries, as written (``{{.window}}`` = the SLO window).

A small TSDB of its own (2 days of 60 s samples, 17 s off the query grid: counters by job and code with a counter reset, a latency
histogram, a 0/1 gauge that drops to 0 for 90 minutes) is backfilled with promtool and served by
``/usr/bin/prometheus`` on a free loopback port; the export is ``query_range`` JSON fetched from it.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from analysis.params import validate
from analysis.promqlexpr import fill_window
from analysis.samples.traffic import DAY
from analysis.slo.catalog import load_catalog
from analysis.slo.params import SloParams
from analysis.slo.pipeline import run
from analysis.timeparse import iso
from tests.integration.prom_oracle import PROMETHEUS, PROMTOOL, PromServer, api_get, backfill_openmetrics

pytestmark = pytest.mark.integration
STEP = 60.0
WINDOW = "1d"


def _series(start: float, end: float) -> list:
    rng = np.random.default_rng(20260218)
    ts = np.arange(start, end + 1, STEP) + 17.0  # scrapes are not on the query grid: the server extrapolates
    n = ts.size
    parts = []
    for job, burst in (("a", False), ("b", True)):
        ok = np.cumsum(rng.poisson(50, n)).astype(float)
        err_rate = np.where(burst & (np.arange(n) % 1440 > 600) & (np.arange(n) % 1440 < 660), 20.0, 0.5)
        err = np.cumsum(rng.poisson(err_rate)).astype(float)
        if job == "a":
            ok[n // 2:] -= ok[n // 2 - 1] - 3.0  # a restart: the counter starts again near 0
        parts += [({"__name__": "req_total", "job": job, "code": "200"}, ts, ok),
                  ({"__name__": "req_total", "job": job, "code": "500"}, ts, err)]
        total = rng.poisson(30, n)
        fast = rng.binomial(total, 0.9)
        mid = fast + rng.binomial(total - fast, 0.5)
        for le, inc in (("0.1", fast), ("0.5", mid), ("+Inf", total)):
            parts.append(({"__name__": "lat_bucket", "job": job, "le": le}, ts, np.cumsum(inc).astype(float)))
        up = np.ones(n)
        if burst:
            up[(np.arange(n) >= n - 600) & (np.arange(n) < n - 510)] = 0.0  # 90 minutes down, inside the window
        parts.append(({"__name__": "up_gauge", "job": job}, ts, up))
    return parts


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not PROMETHEUS or not PROMTOOL:
        pytest.skip("prometheus/promtool binaries not installed (CI: apt-get install prometheus)")
    d = tmp_path_factory.mktemp("specprom")
    end = math.floor((time.time() - 7200) / 7200) * 7200
    start = end - 2 * DAY
    backfill_openmetrics(_series(start, end), start, 2, d / "tsdb", d)
    srv = PromServer(d / "tsdb", d)
    srv.start()
    try:
        exports = d / "export"
        exports.mkdir()
        for i, metric in enumerate(("req_total", "lat_bucket", "up_gauge")):
            doc = api_get(srv.url, "/api/v1/query_range", query=metric, start=end - DAY - 3600, end=end, step=STEP)
            (exports / f"{i}.json").write_text(json.dumps(doc))
        yield {"url": srv.url, "at": end, "exports": exports, "dir": d}
    finally:
        srv.stop()


def _openslo(name: str, ratio: str) -> str:
    return (f"apiVersion: openslo/v1\nkind: SLO\nmetadata: {{name: {name}}}\nspec:\n  service: s\n"
            f"  timeWindow: [{{duration: {WINDOW}, isRolling: true}}]\n  budgetingMethod: Occurrences\n"
            f"  objectives: [{{target: 0.99}}]\n  indicator:\n    metadata: {{name: {name}}}\n    spec:\n"
            f"      ratioMetric:\n{ratio}")


def _role(role: str, query: str) -> str:
    return (f"        {role}:\n          metricSource:\n            type: Prometheus\n"
            f"            spec: {{query: '{query}'}}\n")


def _raw(query: str) -> str:
    return f"        counter: true\n        rawType: success\n" + _role("raw", query)


#: name → (the spec's ratio metric, the server's (good, valid) queries at the evaluation time)
SPECS = {
    "selectors": (_role("good", 'req_total{code="200"}') + _role("total", "req_total"),
                  ('sum(increase(req_total{code="200"}[1d]))', "sum(increase(req_total[1d]))")),
    "rate": (_role("good", 'sum(rate(req_total{code="200"}[{{.window}}]))')
             + _role("total", "sum(rate(req_total[{{.window}}]))"), None),
    "increase-by-job": (_role("bad", 'sum by (job) (increase(req_total{code="500"}[{{.window}}]))')
                        + _role("total", "sum by (job) (increase(req_total[{{.window}}]))"), None),
    "rate-without-code": (_role("good", 'sum without (code) (rate(req_total{code="200"}[{{.window}}]))')
                          + _role("total", "sum without (code) (rate(req_total[{{.window}}]))"), None),
    "bucket-ratio": (_raw('sum(rate(lat_bucket{le="0.5"}[{{.window}}])) / sum(rate(lat_bucket{le="+Inf"}[{{.window}}]))'),
                     ('sum(increase(lat_bucket{le="0.5"}[1d]))', 'sum(increase(lat_bucket{le="+Inf"}[1d]))')),
    "bool-gauge": (_raw("sum(sum_over_time(up_gauge[{{.window}}])) / sum(count_over_time(up_gauge[{{.window}}]))"),
                   ("sum(sum_over_time(up_gauge[1d]))", "sum(count_over_time(up_gauge[1d]))")),
}
SLOTH = """version: prometheus/v1
service: s
slos:
  - name: latency-idiom
    objective: 99
    alerting: {name: Slow}
    sli:
      events:
        error_query: sum(rate(lat_bucket{le="+Inf"}[{{.window}}])) - sum(rate(lat_bucket{le="0.1"}[{{.window}}]))
        total_query: sum(rate(lat_bucket{le="+Inf"}[{{.window}}]))
"""


def _values(srv, query: str) -> dict[tuple, float]:
    res = api_get(srv["url"], "/api/v1/query", query=query, time=srv["at"])["data"]["result"]
    return {tuple(sorted(r["metric"].items())): float(r["value"][1]) for r in res}


def _written_truth(srv, slo) -> dict[tuple, tuple[float, float]]:
    """The spec's own queries, as written, evaluated by the server: group → (good, valid) events in the window."""
    w = slo.sli.written
    roles = {r: {g: v * (DAY if "rate(" in getattr(w, r) else 1) for g, v in
                 _values(srv, fill_window(getattr(w, r), WINDOW)).items()}
             for r in ("good", "bad", "total") if getattr(w, r)}
    return {g: (roles["good"][g] if "good" in roles else roles["total"][g] - roles["bad"][g], roles["total"][g])
            for g in roles["total"]}


@pytest.fixture(scope="module")
def evaluated(server):
    d = server["dir"] / "specs"
    d.mkdir()
    for name, (ratio, _) in SPECS.items():
        (d / f"{name}.yaml").write_text(_openslo(name, ratio))
    (d / "sloth.yaml").write_text(SLOTH)
    p = validate(SloParams, {"catalog": str(d), "export_paths": [str(server["exports"])],
                             "evaluation_time": iso(server["at"]), "window_override": WINDOW})
    return {r.slo.name: r for r in run(p).results}, {s.name: s for s in load_catalog(d)}


@pytest.mark.parametrize("name", [*SPECS, "s-latency-idiom"])
def test_export_numbers_match_the_server_on_the_query_as_written(server, evaluated, name):
    results, catalog = evaluated
    slo = catalog[name]
    assert slo.sli.written is not None and not slo.sli.written.refused, "computable from the export"
    mine = {tuple(sorted(r.slo.group)): r.report for r in results.values() if r.slo.catalog_name == name}
    truth_q = SPECS.get(name, (None, None))[1]
    if truth_q is not None:  # event counts straight from the server, and the written ratio's value
        good, valid = (sum(_values(server, q).values()) for q in truth_q)
        (rep,) = mine.values()
        assert rep.valid_events == pytest.approx(valid, rel=0.005)
        assert rep.good_events == pytest.approx(good, rel=0.005)
        if slo.sli.written.ratio:
            written = sum(_values(server, fill_window(slo.sli.written.ratio, WINDOW)).values())
            assert rep.sli == pytest.approx(written, rel=0.002)
        return
    truth = _written_truth(server, slo)
    assert len(mine) == len(truth) >= 1
    for group, (good, valid) in truth.items():
        rep = mine[group] if group else mine[()]
        assert rep.valid_events == pytest.approx(valid, rel=0.005), (name, group)
        assert rep.good_events == pytest.approx(good, rel=0.005), (name, group)
        assert rep.sli == pytest.approx(good / valid, rel=0.002), (name, group)
