"""Infra Mind audit workbook: the logic behind the notebooks.

Submodules by concern: ``querycost`` (01, query cost from logs/profiles/explain),
``dashboard`` (02, full scan vs aggregation and the Redis cache), ``slo`` (03, SLOs and
error budgets from Prometheus data), ``wsaudit`` (04, WebSocket token probes); and the
frame: ``params`` (typed parameters), ``record`` (verdicts), ``runner`` (papermill +
nbconvert + index), ``redact`` (secrets), ``errors``, ``config``, ``cli``.
"""

__version__ = "0.1.0"
