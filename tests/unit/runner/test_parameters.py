"""analysis.runner.parameters: params files, -p overrides, the plan, the secrets — no kernel needed."""

from pathlib import Path

import pytest

from analysis.errors import ConfigError, ParameterError
from analysis.runner import discover_notebooks, inspect_parameters, load_params_file, parse_overrides, plan_parameters
from analysis.runner.parameters import ALWAYS_SECRET_ENV, secret_env_names
from tests.conftest import make_notebook


def _one_line_naming(exc: pytest.ExceptionInfo, path: Path, problem: str) -> None:
    message = str(exc.value)
    assert message.startswith(str(path)) and problem in message and "\n" not in message, message


def test_params_file_errors(tmp_path: Path):
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError) as exc:
        load_params_file(missing)
    assert str(exc.value) == f"{missing}: not found"
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\nb: 3\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:\d+: invalid YAML") as exc:
        load_params_file(bad)
    _one_line_naming(exc, bad, "invalid YAML")
    flat = tmp_path / "flat.yaml"
    flat.write_text("top_n: 3\n")
    with pytest.raises(ConfigError, match="expected a mapping of notebook name") as exc:
        load_params_file(flat)
    _one_line_naming(exc, flat, ": expected a mapping of notebook name")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("01_x:\n  name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError) as exc:
        load_params_file(latin)
    assert str(exc.value) == f"{latin}: not UTF-8 text"
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert load_params_file(empty) == {}


def test_params_file_sections_may_be_empty(tmp_path: Path):
    f = tmp_path / "p.yaml"
    f.write_text("01_a:\n02_b:\n  top_n: 3\n")
    assert load_params_file(f) == {"01_a": {}, "02_b": {"top_n": 3}}


def test_unknown_parameter_rejected_before_running(toy_notebooks):
    nbs = [toy_notebooks["pass"], toy_notebooks["fail"]]
    plan = plan_parameters(nbs, {"01_toy_pass": {"level": "WARN"}}, {"02_toy_fail.level": "PASS"})
    assert plan == {"01_toy_pass": {"level": "WARN"}, "02_toy_fail": {"level": "PASS"}}
    with pytest.raises(ParameterError, match="p.yaml: 01_toy_pass: unknown parameter 'levle'"):
        plan_parameters(nbs, {"01_toy_pass": {"levle": 1}}, {}, params_file="p.yaml")
    with pytest.raises(ParameterError, match="unknown notebook section 'zz_nope'"):
        plan_parameters(nbs, {"zz_nope": {}}, {})
    with pytest.raises(ParameterError, match="-p nope: no selected notebook has a parameter 'nope'"):
        plan_parameters(nbs, {}, {"nope": 1})


def test_overrides_win_and_reach_every_notebook_that_declares_them(toy_notebooks):
    nbs = [toy_notebooks["pass"], toy_notebooks["fail"], toy_notebooks["raise"]]
    plan = plan_parameters(nbs, {"01_toy_pass": {"level": "FAIL"}}, {"level": "WARN"})
    assert plan == {"01_toy_pass": {"level": "WARN"}, "02_toy_fail": {"level": "WARN"}, "03_toy_raise": {"level": "WARN"}}
    with pytest.raises(ParameterError, match="-p 04_toy_silent.level: notebook '04_toy_silent' is not selected"):
        plan_parameters(nbs, {}, {"04_toy_silent.level": "PASS"})


def test_sections_of_workbook_notebooks_not_selected_are_ignored(toy_notebooks):
    workbook = discover_notebooks()[0].stem
    assert plan_parameters([toy_notebooks["pass"]], {workbook: {"anything": 1}}, {}) == {"01_toy_pass": {}}


def test_overrides_parse_yaml_values():
    assert parse_overrides(["sizes=[100, 1000]", "name=abc", "flag=true", "empty="]) == {
        "sizes": [100, 1000], "name": "abc", "flag": True, "empty": ""}
    with pytest.raises(ParameterError, match="expected key=value"):
        parse_overrides(["novalue"])
    with pytest.raises(ParameterError, match="expected key=value"):
        parse_overrides(["=1"])


def test_an_override_that_is_not_yaml_is_kept_as_text():
    assert parse_overrides(["note=[unclosed", "k = a=b"]) == {"note": "[unclosed", "k": "a=b"}


def test_inspect_parameters_types_defaults_help(tmp_path: Path):
    nb = make_notebook(
        tmp_path / "01_p.ipynb", "x = 1\n",
        parameters="top_n: int = 5  # how many\nsizes = [100, 300]\nname = 'a'\nratio = 0.5\nflag = True\nfn = len\n",
    )
    found = inspect_parameters(nb)
    assert list(found) == ["top_n", "sizes", "name", "ratio", "flag", "fn"]
    assert {k: v["type"] for k, v in found.items()} == {
        "top_n": "int", "sizes": "list[int]", "name": "str", "ratio": "float", "flag": "bool", "fn": "expr"}
    assert found["top_n"]["default"] == "5" and found["top_n"]["help"] == "how many"
    assert found["sizes"]["default"] == "[100, 300]"


def test_inspect_parameters_of_an_unreadable_notebook(tmp_path: Path):
    broken = tmp_path / "01_broken.ipynb"
    broken.write_text("not json")
    with pytest.raises(ConfigError, match="01_broken.ipynb: cannot inspect parameters"):
        inspect_parameters(broken)


def test_secret_env_names_given_or_default():
    inspected = {
        "01_a": {"mongo_uri_env": {"default": "'MY_MONGO'"}, "top_n": {"default": "5"}},
        "02_b": {"redis_url_env": {"default": '""'}, "token_env": {"default": "''"}},
    }
    names = secret_env_names({"02_b": {"token_env": "MY_TOKEN"}}, inspected)
    assert names == set(ALWAYS_SECRET_ENV) | {"MY_MONGO", "MY_TOKEN"}


def test_every_params_file_key_is_a_notebook_parameter(project_root):
    """Each params/*.yaml names only real notebooks and parameters they declare."""
    notebooks = discover_notebooks(project_root / "notebooks")
    files = sorted((project_root / "params").glob("*.yaml"))
    assert files, "params/ holds no parameter sets"
    for f in files:
        sections = load_params_file(f)
        for name in sections:
            assert any(nb.stem == name for nb in notebooks), f"{f.name}: no notebook {name}"
        plan_parameters(notebooks, sections, {}, params_file=f.name)  # raises on unknown keys
