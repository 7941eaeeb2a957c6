"""The path of each variant of the Channels control (importable without Django)."""

PATHS = {"secure": "/ws/user/", "query_user": "/ws/query-user/", "unverified": "/ws/unverified/",
         "no_acl": "/ws/no-acl/"}
