"""SLO compliance, error budgets and burn-rate alerts from Prometheus data (notebook 03).

Modules by concern:

* :mod:`.selector` – PromQL instant-vector selectors (parse, match);
* :mod:`.samples` – the tidy samples container every source returns;
* :mod:`.sources` – live Prometheus (:mod:`.sources.live`) and exported files
  (:mod:`.sources.export`, format auto-detected);
* :mod:`.catalog` – the SLO catalog (own YAML format and OpenSLO v1) and its validation;
* :mod:`.sli` – samples → good/valid events on a regular grid (counter resets, buckets);
* :mod:`.budget` – budgets, burn rates, multiwindow tiers, backtest, calendar periods;
* :mod:`.report` – per-SLO report dataclass, JSON (slo-generator field names), verdict;
* :mod:`.plots` – figures; :mod:`.traffic` – the embedded traffic model;
* :mod:`.params` – notebook parameters; :mod:`.cli` – ``python -m analysis slo``.
"""
