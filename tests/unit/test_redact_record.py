import json

import nbformat
import pytest

from analysis.record import VERDICT_MIME, Verdict, read_verdict, render_html
from analysis.redact import redact_text, redact_uri


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


def test_verdict_round_trip_through_notebook_json():
    v = Verdict("warn", "two  claims\ndo not hold", {"ratio": float("nan"), "n": 3})
    assert v.status == "WARN" and v.headline == "two claims do not hold" and v.figures["ratio"] is None
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={VERDICT_MIME: v.to_json(), "text/plain": "x"})]
    nb.cells = [cell]
    again = read_verdict(json.loads(nbformat.writes(nb)))
    assert again == v
    assert "Verdict: WARN" in render_html(v)


def test_bad_status_rejected():
    with pytest.raises(ValueError):
        Verdict("OK", "x")
