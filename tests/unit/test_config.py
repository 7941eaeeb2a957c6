"""analysis.config: paths are functions that read the environment when asked, never at import."""

import importlib
from pathlib import Path

from analysis import config


def test_project_root_follows_the_environment_set_after_import(monkeypatch, tmp_path: Path):
    monkeypatch.delenv(config.PROJECT_ROOT_ENV, raising=False)
    importlib.reload(config)  # imported with no override ...
    default = config.project_root()
    assert default == config.PACKAGE_DIR.parents[1]
    monkeypatch.setenv(config.PROJECT_ROOT_ENV, str(tmp_path))  # ... then moved: the functions follow
    assert config.project_root() == tmp_path.resolve()
    assert config.notebooks_dir() == tmp_path.resolve() / "notebooks"
    assert config.params_dir() == tmp_path.resolve() / "params"
    assert config.data_dir() == tmp_path.resolve() / "data"
    assert config.reports_dir() == tmp_path.resolve() / "reports"
    monkeypatch.delenv(config.PROJECT_ROOT_ENV)
    assert config.project_root() == default


def test_the_default_root_is_this_project():
    assert (config.project_root() / "pyproject.toml").is_file()
    assert (config.notebooks_dir()).is_dir()


def test_resolve_path_absolute_current_directory_then_project_root(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(config.PROJECT_ROOT_ENV, str(tmp_path / "root"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.yaml").write_text("")
    assert config.resolve_path("/abs/x.yaml") == Path("/abs/x.yaml")
    assert config.resolve_path("here.yaml") == (tmp_path / "here.yaml").resolve()
    assert config.resolve_path("data/x.json") == (tmp_path / "root" / "data" / "x.json").resolve()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config.resolve_path("~/x") == tmp_path / "home" / "x"


def test_run_artifacts_dir_follows_the_runner_then_falls_back_to_adhoc(tmp_path, monkeypatch):
    from analysis import config

    monkeypatch.setenv(config.RUN_DIR_ENV, str(tmp_path / "run"))
    assert config.run_artifacts_dir("01_x") == tmp_path / "run" / "01_x" and (tmp_path / "run" / "01_x").is_dir()
    monkeypatch.delenv(config.RUN_DIR_ENV)
    monkeypatch.setenv(config.PROJECT_ROOT_ENV, str(tmp_path / "proj"))
    assert config.run_artifacts_dir("01_x") == (tmp_path / "proj").resolve() / "reports" / "adhoc" / "01_x"
