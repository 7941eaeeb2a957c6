"""Runner input handling: names, params files, overrides — no kernel needed."""

from pathlib import Path

import pytest

from analysis.errors import ConfigError, ParameterError
from analysis.runner import load_params_file, parse_overrides, plan_parameters, resolve_notebooks


def test_unknown_notebook_names_the_known_ones(toy_notebooks):
    d = toy_notebooks["pass"].parent
    assert resolve_notebooks(["01"], d) == [toy_notebooks["pass"]]
    assert resolve_notebooks(["toy_fail"], d) == [toy_notebooks["fail"]]
    assert resolve_notebooks([], d) == sorted(toy_notebooks.values())
    with pytest.raises(ConfigError, match=r"unknown notebook 'nope' \(known: 01_toy_pass, 02_toy_fail"):
        resolve_notebooks(["nope"], d)


def test_params_file_errors(tmp_path: Path):
    with pytest.raises(ConfigError, match="params file .*missing.yaml: not found"):
        load_params_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\nb: 3\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: line \d+: invalid YAML"):
        load_params_file(bad)
    flat = tmp_path / "flat.yaml"
    flat.write_text("top_n: 3\n")
    with pytest.raises(ConfigError, match="expected a mapping of notebook name"):
        load_params_file(flat)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert load_params_file(empty) == {}


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


def test_overrides_parse_yaml_values():
    assert parse_overrides(["sizes=[100, 1000]", "name=abc", "flag=true", "empty="]) == {
        "sizes": [100, 1000], "name": "abc", "flag": True, "empty": ""}
    with pytest.raises(ParameterError, match="expected key=value"):
        parse_overrides(["novalue"])


def test_every_params_file_key_is_a_notebook_parameter(project_root):
    """Each params/*.yaml names only real notebooks and parameters they declare."""
    from analysis.runner import discover_notebooks

    notebooks = discover_notebooks(project_root / "notebooks")
    files = sorted((project_root / "params").glob("*.yaml"))
    assert files, "params/ holds no parameter sets"
    for f in files:
        sections = load_params_file(f)
        for name in sections:
            assert any(nb.stem == name for nb in notebooks), f"{f.name}: no notebook {name}"
        plan_parameters(notebooks, sections, {}, params_file=f.name)  # raises on unknown keys
