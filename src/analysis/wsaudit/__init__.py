"""WebSocket token-handling audit (notebook 04, ``ws-audit``, ``ws-target``).

- ``params`` — the notebook's typed parameters; ``profile`` — YAML target profiles and
  frame matchers (``templates``: dotted JSON paths and ``{placeholder}`` templates).
- ``keys`` — key material from the env vars a profile names; ``jws`` — compact JWS by
  hand; ``forge`` — the baseline token and every attack variant.
- ``checklist`` — the 28 probes; ``probes/`` — one module per probe family and the
  registry; ``battery`` — the battery against one target under a hard deadline;
  ``result`` — cases, probe results, audits.
- ``sources/`` — the probe client, the jku/x5u fetch listener, the in-process
  ``secure`` / ``vulnerable`` reference targets (the embedded default).
- ``report`` — tables, JSON and the verdict; ``plots`` — figures; ``pipeline`` —
  ``run(params)``, the one entry; ``cli`` / ``target_cli`` — the commands.
"""
