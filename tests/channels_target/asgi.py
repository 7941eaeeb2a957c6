"""The ASGI app: every variant behind Channels' recommended ``AllowedHostsOriginValidator``, one path each.

``/ws/user/`` secure · ``/ws/query-user/`` takes the user from ``?user=`` · ``/ws/unverified/`` does not
verify signatures · ``/ws/no-acl/`` lets anyone subscribe to any topic.
"""

from __future__ import annotations

import django
from django.core.asgi import get_asgi_application

django.setup()
_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (after django.setup)
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from .consumers import OpenTopicConsumer, UserTopicConsumer  # noqa: E402
from .middleware import QueryUserMiddleware, UnverifiedJWTMiddleware, secure_stack  # noqa: E402

application = ProtocolTypeRouter({
    "http": _http,
    "websocket": AllowedHostsOriginValidator(URLRouter([
        path("ws/user/", secure_stack(UserTopicConsumer.as_asgi())),
        path("ws/query-user/", secure_stack(QueryUserMiddleware(UserTopicConsumer.as_asgi()))),
        path("ws/unverified/", UnverifiedJWTMiddleware(UserTopicConsumer.as_asgi())),
        path("ws/no-acl/", secure_stack(OpenTopicConsumer.as_asgi())),
    ])),
})
