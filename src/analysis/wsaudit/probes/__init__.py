"""The probes of the WebSocket token battery (jwt_tool, RFC 8725, OWASP WSTG-CLNT-10, ASVS 5.0), by family.

Each probe is ``async def p_<id>(r: Runner) -> list[Case]``: it mints tokens with
``r.forger``, sends each on its own connection (``r.exchange``) and judges the outcome
(:mod:`.cases`). Families: :mod:`.identity` (1 baseline, 16 identity, 17 isolation,
22 claimed identity), :mod:`.tokens` (2–12, 25 psychic signatures, 26 header abuse),
:mod:`.claims` (13 exp/nbf, 15 iss/aud/type), :mod:`.transport` (14 expiry while open,
18 Origin, 19 ws:// vs wss://, 21 persistence, 27 token in the URL), :mod:`.oracle`
(20 error oracle), :mod:`.lifecycle` (23 revocation, 24 per-message authorization,
28 message limits). :mod:`.registry` maps ids to functions;
:mod:`analysis.wsaudit.battery` runs them.
"""
