"""analysis.runner.discover: which notebooks exist and what the names a user types mean."""

from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.runner import discover_notebooks, resolve_notebooks


def test_unknown_notebook_names_the_known_ones(toy_notebooks):
    d = toy_notebooks["pass"].parent
    assert resolve_notebooks(["01"], d) == [toy_notebooks["pass"]]
    assert resolve_notebooks(["toy_fail"], d) == [toy_notebooks["fail"]]
    assert resolve_notebooks([], d) == sorted(toy_notebooks.values())
    with pytest.raises(ConfigError, match=r"unknown notebook 'nope' \(known: 01_toy_pass, 02_toy_fail"):
        resolve_notebooks(["nope"], d)


def test_every_name_form_and_the_order_given(toy_notebooks, monkeypatch, tmp_path):
    d = toy_notebooks["pass"].parent
    raise_nb = toy_notebooks["raise"]
    assert resolve_notebooks(["03_toy_raise", "03_toy_raise.ipynb", "01"], d) == [raise_nb, raise_nb, toy_notebooks["pass"]]
    monkeypatch.chdir(tmp_path)
    assert resolve_notebooks(["nbs/02_toy_fail.ipynb"], d) == [toy_notebooks["fail"]]  # a path, relative


def test_discover_takes_only_numbered_notebooks(tmp_path: Path):
    for name in ("02_b.ipynb", "01_a.ipynb", "scratch.ipynb", "1_short.ipynb", "03_c.txt"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in discover_notebooks(tmp_path)] == ["01_a.ipynb", "02_b.ipynb"]


def test_no_notebooks_at_all(tmp_path: Path):
    with pytest.raises(ConfigError, match="no notebooks found in"):
        resolve_notebooks([], tmp_path)
    with pytest.raises(ConfigError, match=r"unknown notebook '01' \(known: none\)"):
        resolve_notebooks(["01"], tmp_path)


def test_the_workbook_notebooks_are_found(project_root):
    assert [p.parent for p in discover_notebooks()] and all(
        p.parent == project_root / "notebooks" for p in discover_notebooks())
