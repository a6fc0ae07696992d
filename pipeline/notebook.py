"""Run a notebook top to bottom with nbclient, offline: ``python -m pipeline.notebook FILE``.

The notebook runs in a fresh IPython kernel of this Python, with the current
folder as its working directory and ``CEASEFIRE_TABLES`` set when ``--tables``
is given (the project's notebooks read their tables from there, defaulting to
``data/processed``). The notebook file itself is never changed, so the
committed copy stays free of outputs; ``--out`` writes the executed copy elsewhere.
Exit status 1 and the failing cell's error when any cell raises.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Environment variable the notebooks read their tables folder from.
TABLES_ENV = "CEASEFIRE_TABLES"


def execute_notebook(
    path: Path,
    *,
    tables: Path | None = None,
    cwd: Path | None = None,
    timeout: int = 600,
    out: Path | None = None,
) -> Any:
    """Execute the notebook at ``path`` and return the executed notebook node.

    Args:
        path: the ``.ipynb`` file.
        tables: folder of tables, passed to the kernel as ``CEASEFIRE_TABLES``.
        cwd: the kernel's working directory (default: the current one).
        timeout: seconds allowed per cell.
        out: where to save the executed copy (never ``path`` itself unless asked).

    Raises:
        nbclient.exceptions.CellExecutionError: a cell raised.
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(Path(path), as_version=4)
    env = dict(os.environ)
    if tables is not None:
        env[TABLES_ENV] = str(Path(tables).resolve())
    env.setdefault("MPLBACKEND", "Agg")
    workdir = str(Path(cwd or Path.cwd()).resolve())
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": workdir}},
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no transport warnings on stderr
    )
    client.execute(env=env, cwd=workdir)
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, Path(out))
    return notebook


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.notebook", description=__doc__)
    parser.add_argument("notebook", type=Path, help="the .ipynb file to run")
    parser.add_argument("--tables", type=Path, help=f"tables folder (sets {TABLES_ENV})")
    parser.add_argument("--out", type=Path, help="save the executed notebook here")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    from nbclient.exceptions import CellExecutionError

    started = time.perf_counter()
    try:
        notebook = execute_notebook(
            args.notebook, tables=args.tables, timeout=args.timeout, out=args.out
        )
    except CellExecutionError as exc:
        print(f"error: {args.notebook}: a cell failed\n{exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    cells = sum(1 for c in notebook.cells if c.cell_type == "code")
    saved = f", saved to {args.out}" if args.out else ""
    print(f"ran {args.notebook}: {cells} code cells in {time.perf_counter() - started:.1f}s{saved}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
