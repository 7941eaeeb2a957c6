"""Middlewares of the variants: the cookie transport of the SimpleJWT middleware, and two insecure ones.

``CookieSimpleJWTAuthTokenMiddleware`` combines the library's own ``CookieAuthTokenMiddleware`` with its
SimpleJWT mixin (the extension the library is built for). ``QueryUserMiddleware`` takes the user from a
``?user=`` query parameter when present (identity from the client); ``UnverifiedJWTMiddleware`` reads
simplejwt's ``user_id`` claim without verifying the signature.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import jwt
from channels.db import database_sync_to_async
from channels_auth_token_middlewares.middleware import (CookieAuthTokenMiddleware, QueryStringAuthTokenMiddleware,
                                                        SimpleJWTAuthTokenMiddlewareStack)
from channels_auth_token_middlewares.middleware.drf import SimpleJWTAuthTokenMiddlewareMixin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

COOKIE = "access_token"


class CookieSimpleJWTAuthTokenMiddleware(CookieAuthTokenMiddleware, SimpleJWTAuthTokenMiddlewareMixin):
    """The SimpleJWT middleware reading the token from the ``access_token`` cookie."""

    cookie_name = COOKIE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._setup()
        super().__init__(*args, **kwargs)

    async def get_user_instance(self, token_key: str) -> Any:
        return await self.get_jwt_user_instance(token_key)


def secure_stack(inner: Any) -> Any:
    """Authorization: Bearer, ?token= (the library's stack) and the access_token cookie."""
    return CookieSimpleJWTAuthTokenMiddleware(SimpleJWTAuthTokenMiddlewareStack(inner))


@database_sync_to_async
def _user(**lookup: Any) -> Any:
    try:
        return get_user_model().objects.get(**lookup)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        return AnonymousUser()


class QueryUserMiddleware:
    """INSECURE: ``?user=<id>`` overrides the user the token middleware resolved (a "debug" convenience left on)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        wanted = parse_qs(scope.get("query_string", b"").decode()).get("user")
        if wanted:
            scope = dict(scope, user=await _user(pk=wanted[0]))
        return await self.inner(scope, receive, send)


class UnverifiedJWTMiddleware(QueryStringAuthTokenMiddleware):
    """INSECURE: ``?token=`` decoded without verifying the signature (simplejwt's user_id claim)."""

    query_param = "token"

    async def get_user_instance(self, token_key: str) -> Any:
        try:
            claims = jwt.decode(token_key, options={"verify_signature": False})
        except jwt.PyJWTError:
            return None
        return await _user(pk=claims.get("user_id"))
