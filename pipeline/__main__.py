"""Entry point for ``python -m pipeline``: the same Typer app as the console script."""

from pipeline.cli import main

main()
