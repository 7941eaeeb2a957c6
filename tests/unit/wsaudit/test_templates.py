"""Dotted JSON paths and {placeholder} templates."""

from __future__ import annotations

from analysis.wsaudit.templates import drop_placeholder, lookup, render, set_path


def test_templates():
    msg = {"type": "auth", "data": {"token": "{token}", "n": 1, "l": ["Bearer {token}"]}}
    assert render(msg, token="T") == {"type": "auth", "data": {"token": "T", "n": 1, "l": ["Bearer T"]}}
    assert drop_placeholder(msg) == {"type": "auth", "data": {"n": 1, "l": ["Bearer {token}"]}}
    forged = set_path(msg, "data.user_id", "B")
    assert forged["data"]["user_id"] == "B" and "user_id" not in msg["data"]
    assert set_path({}, "a.b.c", 1) == {"a": {"b": {"c": 1}}}
    assert lookup({"a": {"b": 2}}, "a.b") == 2 and lookup({"a": 1}, "a.b", "d") == "d"
