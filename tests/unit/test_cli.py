"""analysis.cli: the one exit-code table, exit_code(), and main() on a command that raises."""

import argparse
import sys
import types

import pytest

from analysis import cli
from analysis.cli import COMMANDS, EXIT_CODES, exit_code, main
from analysis.errors import (AnalysisError, ConfigError, DataError, ParameterError, SourceError,
                             UnsafeOperationError)
from analysis.record import Verdict


def test_the_exit_code_table():
    assert EXIT_CODES == {"PASS": 0, "WARN": 0, "FAIL": 1, "ERROR": 2, AnalysisError: 2, KeyboardInterrupt: 130}


@pytest.mark.parametrize("status, code", [("PASS", 0), ("WARN", 0), ("FAIL", 1), ("ERROR", 2)])
def test_exit_code_of_a_verdict_a_status_text_and_an_object_with_status(status, code):
    assert exit_code(Verdict(status, "headline")) == code
    assert exit_code(status) == code
    assert exit_code(types.SimpleNamespace(status=status)) == code


def test_nothing_to_judge_is_exit_0():
    assert exit_code(None) == 0


@pytest.mark.parametrize("kind", [AnalysisError, ConfigError, ParameterError, SourceError, DataError, UnsafeOperationError])
def test_every_analysis_error_is_exit_2(kind):
    assert exit_code(kind("x")) == 2


def test_ctrl_c_is_130_and_an_unknown_exception_is_raised_again():
    assert exit_code(KeyboardInterrupt()) == 130
    with pytest.raises(ZeroDivisionError):
        exit_code(ZeroDivisionError("a bug, not an outcome"))


def test_an_unknown_status_is_a_bug():
    with pytest.raises(KeyError):
        exit_code("OK")


@pytest.fixture
def fake_commands(monkeypatch):
    """Two fake command modules; ``calls`` records which modules were configured and run."""
    calls = []

    def module(name, outcome):
        mod = types.ModuleType(name)

        def configure(parser):
            calls.append(("configure", name))
            parser.add_argument("--flag", default="x")

        def run(args):
            calls.append(("run", name, args.flag))
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome

        mod.configure, mod.run = configure, run
        monkeypatch.setitem(sys.modules, name, mod)
        return name

    monkeypatch.setattr(cli, "COMMANDS", {
        "boom": (module("fake_cmd_boom", SourceError("MongoDB db:1: cannot connect\nwithin 5 s")), "raises"),
        "judge": (module("fake_cmd_judge", Verdict("FAIL", "found")), "judges"),
        "ctrl-c": (module("fake_cmd_ctrl_c", KeyboardInterrupt()), "interrupted"),
        "hostile": (module("fake_cmd_hostile", SourceError("server said \x1b]0;pwned\x07 no")), "raises"),
    })
    return calls


def test_main_prints_one_line_and_returns_2_for_an_analysis_error(fake_commands, capsys):
    assert main(["boom", "--flag", "y"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == ["error: MongoDB db:1: cannot connect within 5 s"]
    assert captured.out == ""
    assert ("run", "fake_cmd_boom", "y") in fake_commands


def test_terminal_controls_from_input_are_text_on_stdout_and_in_the_error_line(fake_commands, capsys, monkeypatch):
    """A value from an audited system (a frame, a shape) can hold ESC sequences: printed, never acted on."""
    def run(args):
        print("shape {\x1b[2J\x1b]52;c;cGF5bG9hZA==\x07: ?}\tok\r")
        return Verdict("PASS", "x")

    monkeypatch.setattr(sys.modules["fake_cmd_judge"], "run", run)
    assert main(["judge"]) == 0
    assert capsys.readouterr().out == "shape {\\x1b[2J\\x1b]52;c;cGF5bG9hZA==\\x07: ?}\tok\\x0d\n"
    assert main(["hostile"]) == 2
    assert capsys.readouterr().err == "error: server said \\x1b]0;pwned\\x07 no\n"


def test_main_debug_shows_the_traceback(fake_commands):
    with pytest.raises(SourceError):
        main(["--debug", "boom"])


def test_main_maps_the_returned_verdict_and_ctrl_c(fake_commands, capsys):
    assert main(["judge"]) == 1
    assert main(["ctrl-c"]) == 130
    assert capsys.readouterr().err.splitlines() == ["interrupted"]


def test_main_configures_only_the_command_it_runs(fake_commands):
    main(["judge"])
    assert [c for c in fake_commands if c[0] == "configure"] == [("configure", "fake_cmd_judge")]


def test_build_parser_configures_every_command_by_default(fake_commands):
    parser = cli.build_parser()
    assert isinstance(parser, argparse.ArgumentParser)
    assert sorted(c[1] for c in fake_commands) == ["fake_cmd_boom", "fake_cmd_ctrl_c", "fake_cmd_hostile", "fake_cmd_judge"]


def test_command_in_skips_options_and_ignores_unknown_words():
    assert cli.command_in(["--debug", "run", "03"]) == "run"
    assert cli.command_in(["--help"]) is None
    assert cli.command_in(["nope"]) is None


def test_every_command_module_has_configure_and_run():
    for name, (module_name, help_text) in COMMANDS.items():
        module = __import__(module_name, fromlist=["run"])
        assert callable(module.configure) and callable(module.run), name
        assert help_text
