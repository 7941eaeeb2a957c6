"""analysis.mongodb.client: bounded connect, one redacted line on failure."""

import pytest

from analysis.errors import SourceError
from analysis.mongodb.client import connect


def test_connect_failure_is_bounded_one_line_and_redacted():
    with pytest.raises(SourceError) as exc:
        connect("mongodb://auditor:pw-9f8e7d@127.0.0.1:9/?directConnection=true", timeout_s=0.3)
    msg = str(exc.value)
    assert "cannot connect within 0.3 s" in msg and "pw-9f8e7d" not in msg and "\n" not in msg
