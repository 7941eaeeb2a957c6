"""analysis.params: typed validation of notebook parameters, env_value."""

from dataclasses import dataclass, field

import pytest

from analysis.errors import ParameterError
from analysis.params import env_value, validate


@dataclass(frozen=True)
class Demo:
    top_n: int = field(default=20, metadata={"min": 1, "max": 100})
    ratio: float = 0.5
    profile: str = field(default="realistic", metadata={"choices": ("realistic", "heavy")})
    paths: list[str] = field(default_factory=list)
    mongo_uri_env: str = field(default="", metadata={"env": True})
    at: str | None = None


def test_defaults_and_values():
    p = validate(Demo, {"top_n": 5, "ratio": 1, "paths": ["a"], "unrelated": object()})
    assert (p.top_n, p.ratio, p.paths, p.profile) == (5, 1.0, ["a"], "realistic")
    assert isinstance(p.ratio, float)


@pytest.mark.parametrize(
    "ns, fragment",
    [
        ({"top_n": "5"}, "parameter 'top_n': expected an integer"),
        ({"top_n": 0}, "parameter 'top_n': 0 is below the minimum 1"),
        ({"top_n": 101}, "above the maximum 100"),
        ({"top_n": True}, "expected an integer"),
        ({"ratio": "x"}, "parameter 'ratio': expected a number"),
        ({"profile": "huge"}, "parameter 'profile': 'huge' is not one of"),
        ({"paths": "a.log"}, "parameter 'paths': expected a list"),
        ({"paths": [1]}, "parameter 'paths[0]': expected a string"),
        ({"mongo_uri_env": "mongodb://u:p@h/db"}, "must name an environment variable"),
        ({"at": 3}, "parameter 'at'"),
    ],
)
def test_bad_values_give_one_line_naming_the_parameter(ns, fragment):
    with pytest.raises(ParameterError) as exc:
        validate(Demo, ns)
    assert fragment in str(exc.value)
    assert "\n" not in str(exc.value)


def test_strict_unknown():
    with pytest.raises(ParameterError, match="unknown parameter 'nope'"):
        validate(Demo, {}, strict_unknown={"nope": 1})


def test_env_value(monkeypatch):
    monkeypatch.delenv("ANALYSIS_TEST_VAR", raising=False)
    assert env_value("x_env", "") is None
    with pytest.raises(ParameterError, match="ANALYSIS_TEST_VAR, which is not set"):
        env_value("x_env", "ANALYSIS_TEST_VAR")
    monkeypatch.setenv("ANALYSIS_TEST_VAR", "v")
    assert env_value("x_env", "ANALYSIS_TEST_VAR") == "v"

