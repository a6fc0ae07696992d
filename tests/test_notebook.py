"""notebooks/explore.ipynb runs top to bottom against the seeds' tables, offline, via the runner."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from pipeline.extract import extract
from pipeline.notebook import execute_notebook, main

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
SEEDS = ROOT / "data" / "raw" / "seeds"


def outputs_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_committed_notebook_has_no_stored_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert notebook.metadata.kernelspec.name == "python3"
    markdown = " ".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for table in ("documents", "claims", "entities", "figures", "CEASEFIRE_TABLES"):
        assert table in markdown


@pytest.mark.slow
def test_notebook_runs_on_the_seeds(model_dir: Path, tmp_path: Path) -> None:
    tables = tmp_path / "processed"
    extract([SEEDS], tables, model_dir=model_dir)
    before = NOTEBOOK.read_bytes()
    executed = execute_notebook(NOTEBOOK, tables=tables, cwd=tmp_path, out=tmp_path / "run.ipynb")
    assert NOTEBOOK.read_bytes() == before  # the committed copy is left alone
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(out.output_type != "error" for c in code for out in c.outputs)
    counts = outputs_text(code[0])
    assert "documents" in counts and "figures" in counts and " 5\n" in counts
    assert "000_4f7200585c4c9f70" in outputs_text(code[1])
    assert "image/svg+xml" in code[-1].outputs[0].data  # the casualty plot was drawn
    assert (tmp_path / "run.ipynb").exists()


@pytest.mark.slow
def test_runner_exits_1_on_a_failing_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.ipynb"
    cell = nbformat.v4.new_code_cell("raise ValueError('boom')")
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, broken)
    assert main([str(broken)]) == 1
    assert "boom" in capsys.readouterr().err
