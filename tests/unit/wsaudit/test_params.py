"""Notebook 04 parameters: defaults, the url/targets rule, choices."""

from __future__ import annotations

import pytest

from analysis.errors import ParameterError
from analysis.params import validate
from analysis.wsaudit.params import WsAuditParams


def test_notebook_params():
    p = validate(WsAuditParams, {})
    assert p.targets == ["secure", "vulnerable", "pubsub", "pubsub_header"] and p.url == "" and p.probes == []
    assert p.pubsub_profile == "profiles/pubsub.yaml"
    assert validate(WsAuditParams, {"targets": ["profile"], "url": "wss://staging.example/ws"}).url
    with pytest.raises(ParameterError, match="targets"):
        validate(WsAuditParams, {"url": "wss://staging.example/ws"})
    with pytest.raises(ParameterError, match="probes"):
        validate(WsAuditParams, {"probes": ["alg_nope"]})
    with pytest.raises(ParameterError, match="url"):
        validate(WsAuditParams, {"targets": ["profile"], "url": "https://x"})
    with pytest.raises(ParameterError, match="targets"):
        validate(WsAuditParams, {"targets": []})


def test_duplicate_targets_and_target_choices():
    with pytest.raises(ParameterError, match="duplicate"):
        validate(WsAuditParams, {"targets": ["secure", "secure"]})
    with pytest.raises(ParameterError, match="'staging' is not one of 'secure', 'vulnerable', 'pubsub', "
                                             "'pubsub_header', 'profile'"):
        validate(WsAuditParams, {"targets": ["staging"]})
