"""Django settings of the Channels control: the setup the Channels and simplejwt docs recommend.

The JWT signing key comes from the environment variable ``CHANNELS_JWT_SECRET`` (never written here);
the SQLite database from ``CHANNELS_DB`` (a file under the test's tmp_path).
"""

from __future__ import annotations

import os
from datetime import timedelta

SECRET_KEY = os.environ["CHANNELS_JWT_SECRET"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]  # AllowedHostsOriginValidator allows these Origins
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "channels", "rest_framework",
                  "rest_framework_simplejwt"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["CHANNELS_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
ASGI_APPLICATION = "tests.channels_target.asgi.application"
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test users only
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": os.environ["CHANNELS_JWT_SECRET"],
    "AUTH_HEADER_TYPES": ("Bearer",),
}
LOGGING = {"version": 1, "disable_existing_loggers": True, "handlers": {}, "root": {"level": "CRITICAL"}}
