"""The 21 probes of the WebSocket token battery (jwt_tool, RFC 8725, OWASP WSTG-CLNT-10, ASVS V4.4), by family.

Each probe is ``async def p_<id>(r: Runner) -> list[Case]``: it mints tokens with
``r.forger``, sends each on its own connection (``r.exchange``) and judges the outcome
(:mod:`.cases`). Families: :mod:`.identity` (1 baseline, 16 identity, 17 isolation),
:mod:`.tokens` (2–12: presence, format, signature, algorithm, keys), :mod:`.claims`
(13 exp/nbf, 15 iss/aud/type), :mod:`.transport` (14 expiry while open, 18 Origin,
19 ws:// vs wss://, 21 persistence), :mod:`.oracle` (20 error oracle). :mod:`.registry`
maps ids to functions; :mod:`analysis.wsaudit.battery` runs them.
"""
