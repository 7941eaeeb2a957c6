"""The consumer: greets with the user, lets each user subscribe only to their own topic ``user.<username>``."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def topic_of(username: str) -> str:
    """The one topic a user may subscribe to."""
    return f"user.{username}"


class UserTopicConsumer(AsyncJsonWebsocketConsumer):
    """``{"action": "subscribe" | "history", "topic": …}``; anonymous connections are refused (HTTP 403)."""

    acl = True  # False: the "no topic ACL" variant (OpenTopicConsumer)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)  # before accept: daphne answers the handshake with HTTP 403
            return
        await self.accept()
        await self.send_json({"type": "welcome", "user": user.username, "user_id": user.pk})

    def allowed(self, topic: Any) -> bool:
        return isinstance(topic, str) and (not self.acl or topic == topic_of(self.scope["user"].username))

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        topic = content.get("topic") if isinstance(content, dict) else None
        if action not in ("subscribe", "history"):
            await self.send_json({"type": "error", "error": "unknown action"})
        elif not self.allowed(topic):
            await self.send_json({"type": "error", "error": "forbidden", "topic": topic})
        elif action == "subscribe":
            await self.channel_layer.group_add(topic, self.channel_name)
            await self.send_json({"type": "subscribed", "topic": topic})
            await self.send_json({"type": "update", "topic": topic, "data": {"seq": 1}})
        else:
            await self.send_json({"type": "history", "topic": topic, "items": [{"seq": 1}]})


class OpenTopicConsumer(UserTopicConsumer):
    """INSECURE: no topic ACL — any authenticated user may subscribe to any topic."""

    acl = False
