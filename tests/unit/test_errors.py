"""analysis.errors: the error hierarchy, one-line messages, one-line rendering in IPython."""

import pytest

from analysis.errors import (AnalysisError, ConfigError, DataError, ParameterError, SourceError,
                             UnsafeOperationError, one_line)


def test_error_renders_as_one_line_in_ipython():
    err = ParameterError("parameter 'x':\n  bad")
    assert err._render_traceback_() == ["ParameterError: parameter 'x': bad"]


@pytest.mark.parametrize("kind", [ConfigError, ParameterError, SourceError, DataError, UnsafeOperationError])
def test_every_error_is_an_analysis_error_with_a_one_line_message(kind):
    err = kind("first\n\tsecond   third")
    assert isinstance(err, AnalysisError) and str(err) == "first second third"


def test_parameter_error_is_a_config_error():
    assert issubclass(ParameterError, ConfigError)


def test_one_line_keeps_the_type_and_the_first_line_cut_to_width():
    assert one_line(OSError("connection refused\nmore detail")) == "OSError: connection refused"
    assert one_line(ValueError("x" * 300), width=10) == "ValueError: " + "x" * 10
    assert one_line(TimeoutError()) == "TimeoutError: "
