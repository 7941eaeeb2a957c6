"""analysis.runner.list_cli (``python -m analysis list``): every notebook's parameters, exit 0."""

from analysis.cli import main
from analysis.runner import discover_notebooks
from tests.conftest import make_notebook


def test_list_prints_names_types_defaults_and_help(tmp_path, capsys):
    nb = make_notebook(tmp_path / "01_toy.ipynb", "x = 1\n",
                       parameters="level: str = 'PASS'  # the verdict to record\nsizes = [1, 2]\n")
    assert main(["list", str(nb)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "01_toy  (2 parameters)",
        "  level  str        = 'PASS'  # the verdict to record",
        "  sizes  list[int]  = [1, 2]",
        "",
    ]


def test_list_defaults_to_every_notebook(capsys):
    assert main(["list"]) == 0
    headers = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line and not line.startswith(" ")]
    assert headers == [nb.stem for nb in discover_notebooks()]


def test_unknown_notebook_is_exit_2(capsys):
    assert main(["list", "nope"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown notebook 'nope'")
