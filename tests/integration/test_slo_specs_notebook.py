"""Notebook 03 end to end on a Sloth and on a Pyrra spec (issue 18), over the embedded export: the spec is
named with its format, the backtest says when the spec's own alerts would have fired, the rules deployed
are the ones that tool generates."""

from __future__ import annotations

import nbformat
import papermill
import pytest

from analysis.config import KERNEL_NAME, project_root
from analysis.record import read_verdict

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("catalog,label,alert", [
    ("slo/specs/sloth-infra-mind.yaml", "Sloth prometheus/v1", "InfraMindHighErrorRate (page, sloth_severity=page)"),
    ("slo/specs/pyrra-infra-mind.yaml", "Pyrra pyrra.dev/v1alpha1", "ErrorBudgetBurn (severity=critical"),
])
def test_notebook_runs_a_spec_end_to_end(tmp_path, catalog, label, alert):
    out = tmp_path / "03.ipynb"
    papermill.execute_notebook(str(project_root() / "notebooks" / "03_slo_error_budgets.ipynb"), str(out),
                               parameters={"catalog": catalog}, kernel_name=KERNEL_NAME, cwd=str(project_root()),
                               progress_bar=False, execution_timeout=600)
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert label in text and "defaults applied" in text
    assert "been deployed over the window, it would have fired at" in text and alert in text
    v = read_verdict(nb)
    assert v is not None and v.status == "FAIL" and v.figures["slos"] == 2
