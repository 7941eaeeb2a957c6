"""SLO compliance, error budgets and burn-rate alerts from Prometheus data (notebook 03).

Modules by job (PromQL selector syntax is the bottom floor's :mod:`analysis.promql`):

* :mod:`.params` – the notebook's parameters (:class:`~.params.SloParams`);
* :mod:`.sources` – everything that reads data: exported files (:mod:`.sources.export` detects the
  format and merges files; :mod:`.sources.prom_json`, :mod:`.sources.grafana_csv`,
  :mod:`.sources.exposition` parse one format each) and a live server (:mod:`.sources.live`);
* :mod:`.series` – the :class:`~.series.Samples` container every source returns;
* :mod:`.objectives` – what an SLO is (window, SLI, target) and the field parsers;
  :mod:`.catalog` – the catalog file (own YAML format), :mod:`.openslo` – OpenSLO v1;
  :mod:`.validation` – the catalog checked against the data;
* math: :mod:`.sli` – samples → good/valid events per bin (counter resets, buckets);
  :mod:`.budget` – windows, burn rates, multiwindow tiers, backtest, calendar periods;
  :mod:`.quality` – data-quality facts; :mod:`.compliance` – SLI, compliance, budget figures,
  time to exhaustion, projection; :mod:`.evaluate` – all of it for every SLO at one timestamp;
* :mod:`.result` – the per-SLO report (JSON with slo-generator field names) and the
  :class:`~.result.Evaluation`;
* :mod:`.report` – tables, the CLI's JSON and ``verdict(result)``; :mod:`.plots` – figures;
* :mod:`.pipeline` – ``run(params) -> Evaluation``, the one entry of the notebook and the CLI;
  :mod:`.cli` – ``python -m analysis slo``;
* deployable alerting: :mod:`.alerting` (catalog tiers, exclusions, policy, group_by), :mod:`.rules`
  (catalog → rule groups), :mod:`.promeval` (the rules evaluated with Prometheus' ``rate()`` semantics),
  :mod:`.ruletests` (generated ``promtool test rules``), :mod:`.sources.rulefiles` (files, promtool),
  :mod:`.deploy` (wiring) and :mod:`.rules_cli` – ``python -m analysis slo-rules``;
* :mod:`.pushdown` – the server-side queries of the pushdown live mode.

The embedded traffic model that generated the bundled export is :mod:`analysis.samples.traffic`.
"""
