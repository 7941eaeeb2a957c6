"""analysis.runner.options and the parameter hash: what makes two runs comparable."""

import pytest

from analysis.errors import ParameterError
from analysis.runner import RunOptions
from analysis.runner.parameters import effective_parameters, params_hash


@pytest.mark.parametrize("options, message", [
    (RunOptions(keep=0), "--keep: must be at least 1"),
    (RunOptions(notify="sometimes"), "--notify: expected one of changes, always"),
    (RunOptions(notify_webhook_env=" "), "--notify-webhook-env: expected the NAME"),
    (RunOptions(report_url="reports.example"), r"--report-url: expected an http\(s\) or file URL"),
])
def test_bad_options_are_one_line(options, message):
    with pytest.raises(ParameterError, match=message):
        options.check()


def test_defaults_are_valid():
    RunOptions().check()
    RunOptions(keep=1, notify="always", notify_webhook_env="HOOK", report_url="https://x/r").check()


def test_effective_parameters_and_their_hash():
    inspected = {"03_slo": {"source": {"default": "'export'"}, "at": {"default": "datetime.now()"}}}
    eff = effective_parameters({}, inspected)
    assert eff == {"03_slo": {"source": "export", "at": "datetime.now()"}}  # not a literal: its source text
    same = effective_parameters({"03_slo": {"source": "export"}}, inspected)  # explicit default = default
    other = effective_parameters({"03_slo": {"source": "prometheus"}}, inspected)
    assert params_hash(eff) == params_hash(same) != params_hash(other)
    assert len(params_hash(eff)) == 16
