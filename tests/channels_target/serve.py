"""Run the Channels control: migrate a fresh SQLite database, create users A and B, serve with daphne.

``python -m tests.channels_target.serve PORT`` (env: ``CHANNELS_JWT_SECRET``, ``CHANNELS_DB``).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.channels_target.settings")

from daphne.server import Server  # noqa: E402

from .asgi import application  # noqa: E402  (sets Django up)

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

USERS = ("ws-audit-user-a", "ws-audit-user-b")  # database ids 1 and 2


def main(port: int) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    for name in USERS:
        get_user_model().objects.get_or_create(username=name)
    Server(application, endpoints=[f"tcp:port={port}:interface=127.0.0.1"], signal_handlers=True,
           verbosity=0).run()


if __name__ == "__main__":
    main(int(sys.argv[1]))
