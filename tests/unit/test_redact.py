"""analysis.redact: URI passwords, secret query parameters, literal secrets from the environment."""

import pytest

from analysis.redact import MASK, redact_text, redact_uri, secret_values


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("mongodb://admin:s3cret@db:27017/x", "mongodb://admin:***@db:27017/x"),
        ("mongodb+srv://u:p%40ss@cluster0.example.net/?retryWrites=true", "mongodb+srv://u:***@cluster0.example.net/?retryWrites=true"),
        ("redis://:hunter2@cache:6379/0", "redis://:***@cache:6379/0"),
        ("ws://h/ws?token=eyJabc.def.ghi&x=1", "ws://h/ws?token=***&x=1"),
        ("mongodb://db:27017/x", "mongodb://db:27017/x"),
        ('{"uri": "redis://u:pw@h"}', '{"uri": "redis://u:***@h"}'),
    ],
)
def test_redact_uri(raw, expected):
    assert redact_uri(raw) == expected


def test_redact_text_masks_literal_secrets():
    assert redact_text("key=abcd1234 and abcd1234", ["abcd1234"]) == "key=*** and ***"


def test_redact_text_masks_the_longest_secret_first_and_uris_too():
    text = redact_text("abcd1234ef then abcd1234 at mongodb://u:pw@h", ["abcd1234", "abcd1234ef", ""])
    assert text == f"{MASK} then {MASK} at mongodb://u:{MASK}@h"


def test_secret_values_reads_only_set_non_trivial_variables(monkeypatch):
    monkeypatch.setenv("ANALYSIS_TEST_LONG", "long-enough")
    monkeypatch.setenv("ANALYSIS_TEST_SHORT", "abc")
    monkeypatch.delenv("ANALYSIS_TEST_UNSET", raising=False)
    names = ["ANALYSIS_TEST_LONG", "ANALYSIS_TEST_SHORT", "ANALYSIS_TEST_UNSET", ""]
    assert secret_values(names) == ["long-enough"]


def test_a_secret_with_quotes_backslashes_or_non_ascii_is_masked_as_json_writes_it():
    """A notebook and summary.json hold the secret JSON-escaped: the literal form alone would miss it."""
    import json

    from analysis.redact import MASK, redact_text

    secret = 'pa"ss\\wörd'
    doc = json.dumps({"a": f"uri with {secret}"}) + json.dumps({"b": secret}, ensure_ascii=False) + secret
    clean = redact_text(doc, [secret])
    assert clean.count(MASK) == 3 and "rd" not in clean  # the literal, the ASCII-escaped and the UTF-8 JSON forms
