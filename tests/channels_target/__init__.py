"""A control built from a real stack: Django Channels (daphne) + djangorestframework-simplejwt + the
``channels-auth-token-middlewares`` SimpleJWT middleware (dev extras only; never imported by ``src/analysis``).

:mod:`.control` starts it in a subprocess on a free loopback port for the tests; :mod:`.asgi` is the app.
"""
