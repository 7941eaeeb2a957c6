"""WebSocket token-handling audit (notebook 04).

Modules: ``profile`` (YAML target profiles and frame matchers), ``forge`` (JWT
baseline and attack variants), ``probes`` (the 21-probe battery), ``target``
(reference ``secure`` / ``vulnerable`` servers speaking the Infra Mind protocol),
``report`` (verdict matrix, JSON, notebook verdict), ``params`` (notebook
parameters), ``cli`` / ``target_cli`` (``ws-audit`` / ``ws-target`` commands).
"""
