"""Explain output: one parser and one runner for every audit (MongoDB 3.6 → 8.0, classic and SBE).

* :func:`summarize_explain` — any explain document → :class:`ExplainSummary`
  (:mod:`.parse`; the layouts in :mod:`.summary`, one server in :mod:`.single`, mongos in
  :mod:`.sharded`, plan trees in :mod:`.plan`, stage names in :mod:`.vocabulary`);
* :func:`explain_documents`, :func:`parse_shell_output`, :func:`is_explain` — explains as
  tools save them (arrays, envelopes, mongosh's printed output; :mod:`.documents`);
* :func:`explain_all` — explain planned queries on a server, ``maxTimeMS`` each (:mod:`.runner`).
"""

from .documents import explain_documents, is_explain, looks_like_shell_output, parse_shell_output
from .parse import summarize_explain
from .runner import ExplainedQuery, explain_all
from .summary import ExplainSummary, ShardPlan

__all__ = ["ExplainSummary", "ShardPlan", "ExplainedQuery", "summarize_explain", "explain_all",
           "explain_documents", "is_explain", "looks_like_shell_output", "parse_shell_output"]
