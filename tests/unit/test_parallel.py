"""tests/parallel.py: how make test splits the suite over xdist workers."""

from tests.parallel import SHARED_SESSION_FIXTURES, SuiteScheduling
from tests.session_hygiene import ROOT


def test_modules_of_a_shared_fixture_are_one_unit_the_rest_is_loadscope():
    split = SuiteScheduling.__new__(SuiteScheduling)._split_scope  # no controller needed to split node ids
    prom = [split(f"{path}::test_x[a]") for path in SHARED_SESSION_FIXTURES["prom"]]
    assert prom == ["shared:prom"] * len(prom)
    assert split("tests/unit/test_fileio.py::test_a") == split("tests/unit/test_fileio.py::test_b") == "tests/unit/test_fileio.py"
    assert split("tests/unit/x.py::Case::test_a") == "tests/unit/x.py::Case"
    assert split("notebooks/02_scan_vs_aggregation.ipynb::Cell 3") == "notebooks/02_scan_vs_aggregation.ipynb"
    assert all((ROOT / p).is_file() for paths in SHARED_SESSION_FIXTURES.values() for p in paths)
