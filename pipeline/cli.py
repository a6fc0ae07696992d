"""The ``ceasefire-claims`` command line: one Typer app, thin commands over plain functions.

Each command parses options, calls a function from the package and prints a
short summary. Paths default to the project layout (``data/raw``,
``data/processed``, ``rules``, ``models/ceasefire_claims``) relative to the
current directory, so the commands work from the repository root as the
Makefile runs them.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline import MODEL_NAME, __version__

app = typer.Typer(
    name="ceasefire-claims",
    help="Extract actors, numbers, dates and attributed claims from ceasefire news "
    "into Parquet tables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(
    help="Build, check, evaluate and extend the rules (the 'retraining' loop).",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")

DEFAULT_MODEL = Path("models") / MODEL_NAME
TablesOpt = Annotated[
    Path, typer.Option("--tables", help="Folder with the extracted Parquet tables.")
]
ModelOpt = Annotated[Path, typer.Option("--model", help="Built model folder.")]
RulesOpt = Annotated[Path, typer.Option("--rules", help="Folder of rule files.")]


class Engine(str, Enum):
    """Where ``extract`` runs."""

    local = "local"
    dask = "dask"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ceasefire-claims {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Extract actors, numbers, dates and attributed claims from ceasefire news."""


@app.command("extract")
def extract_cli(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Folders of .txt files (with optional manifest.csv) and/or .jsonl/.csv/.parquet "
            "corpora with columns id,text[,published,outlet,url,title]. Default: data/raw."
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder for the tables.")] = Path(
        "data/processed"
    ),
    model: ModelOpt = DEFAULT_MODEL,
    rules: RulesOpt = Path("rules"),
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, help="Processes running the pipeline (dask: local cluster size)."
        ),
    ] = 1,
    force: Annotated[
        bool, typer.Option("--force", help="Re-extract unchanged documents too.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Documents per batch.")
    ] = 32,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", help="Largest text file accepted, in bytes.")
    ] = 5_000_000,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or warnings.")
    ] = False,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="local: this machine, one file per table. dask: a Dask cluster, each table a "
            "month-partitioned folder (pip install 'ceasefire-claims[dask]').",
        ),
    ] = Engine.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="Dask scheduler to use (tcp://host:8786); default: a local cluster of --workers.",
        ),
    ] = None,
    partitions: Annotated[
        int | None,
        typer.Option("--partitions", min=1, help="Dask tasks (default: 4 per worker or more)."),
    ] = None,
    ship_model: Annotated[
        bool,
        typer.Option("--ship-model", help="Send the model to the Dask workers (else: same path)."),
    ] = False,
) -> None:
    """Extract the tables from INPUTS into --out (rebuilding the model first if rules changed).

    Incremental: documents already in the tables with the same text and rules
    are skipped. Problems with inputs are listed in rejects.parquet and the run
    carries on; it exits 1 only when nothing could be read.
    """
    from pipeline.extract import NoInputError, extract
    from pipeline.rules import RulesError

    run: Callable[..., Any] = extract
    if engine is Engine.dask:
        run = _dask_extract(scheduler=scheduler, partitions=partitions, ship_model=ship_model)
    elif scheduler or partitions or ship_model:
        raise typer.BadParameter("--scheduler, --partitions and --ship-model need --engine dask")
    bar = None
    if not quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(unit="doc", desc="extract", file=sys.stderr)

    def progress(done: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)

    def warn(reject: object) -> None:
        if not quiet:
            r = reject  # a Reject
            where = f"{r.source}:{r.line}" if r.line else r.source  # type: ignore[attr-defined]
            kind = "warning" if r.kept else "skipped"  # type: ignore[attr-defined]
            typer.echo(f"{kind}: {where}: {r.reason}: {r.detail}", err=True)  # type: ignore[attr-defined]

    try:
        summary = run(
            inputs or [Path("data/raw")],
            out,
            model_dir=model,
            rules_dir=rules if rules.exists() else None,
            workers=workers,
            force=force,
            batch_size=batch_size,
            max_bytes=max_bytes,
            progress=progress,
            warn=warn,
        )
    except NoInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    except RulesError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    finally:
        if bar is not None:
            bar.close()
    typer.echo(
        f"documents: {summary.read} read, {summary.processed} extracted, "
        f"{summary.unchanged} unchanged, {summary.duplicates} duplicate, "
        f"{sum(summary.rejected.values())} rejected"
        + (
            f" ({', '.join(f'{n} {k}' for k, n in summary.rejected.most_common())})"
            if summary.rejected
            else ""
        )
        + (f", {sum(summary.warnings.values())} warnings" if summary.warnings else "")
    )
    if summary.model_rebuilt:
        typer.echo(f"model: rebuilt {model}")
    typer.echo("rows: " + ", ".join(f"{k} {v}" for k, v in summary.rows.items()))
    if getattr(summary, "cluster", ""):
        typer.echo(f"dask: {summary.cluster}")
    state = "written to" if summary.wrote else "unchanged in"
    typer.echo(f"tables {state} {out} in {summary.seconds:.1f}s")


def _dask_extract(**options: Any) -> Callable[..., Any]:
    """Return the Dask engine's extract with ``options`` bound (Dask is an optional extra)."""
    try:
        from pipeline.dask_engine import extract_dask
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in {"dask", "distributed"}:
            raise
        typer.echo("error: --engine dask needs: pip install 'ceasefire-claims[dask]'", err=True)
        raise typer.Exit(2) from exc
    return functools.partial(extract_dask, **options)


@app.command("inspect")
def inspect_cli(
    doc_id: Annotated[str, typer.Argument(help="Document id (see documents.parquet).")],
    tables: TablesOpt = Path("data/processed"),
) -> None:
    """Print one document's entities, numbers, dates and claims as tables."""
    from pipeline.views import document_tables, format_frame

    try:
        frames = document_tables(tables, doc_id)
    except (FileNotFoundError, KeyError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    for name, frame in frames.items():
        typer.echo(f"\n== {name} ({len(frame)})")
        typer.echo(format_frame(frame))


@app.command("show")
def show_cli(
    doc_id: Annotated[str, typer.Argument(help="Document id (see documents.parquet).")],
    html: Annotated[Path, typer.Option("--html", help="HTML file to write.")],
    tables: TablesOpt = Path("data/processed"),
) -> None:
    """Write one document as a page: the article with its mentions colour-coded, then its claims."""
    from pipeline.pages import write_page
    from pipeline.show import document_html

    try:
        text = document_html(tables, doc_id)
    except (FileNotFoundError, KeyError) as exc:
        typer.echo(f"error: {exc.args[0] if exc.args else exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"wrote {write_page(text, html)}")


@app.command("report")
def report_cli(
    html: Annotated[Path, typer.Option("--html", help="HTML file to write.")] = Path(
        "reports/report.html"
    ),
    tables: TablesOpt = Path("data/processed"),
) -> None:
    """Write a one-page summary of a run: documents, mediators by month, figures, rules."""
    from pipeline.pages import write_page
    from pipeline.report import report_html

    try:
        text = report_html(tables)
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"wrote {write_page(text, html)}")


@rules_app.command("build")
def build_cli(
    rules: RulesOpt = Path("rules"),
    model: ModelOpt = DEFAULT_MODEL,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when current.")] = False,
) -> None:
    """Validate every rules file and assemble the model (skipped when nothing changed)."""
    from pipeline.build import build_model
    from pipeline.rules import RulesError

    try:
        result = build_model(rules, model, force=force)
    except RulesError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    verb = "built" if result.rebuilt else "up to date:"
    typer.echo(f"{verb} {result.path} (rules {result.rules_hash}, code {result.code_hash})")


@rules_app.command("validate")
def validate_cli(rules: RulesOpt = Path("rules")) -> None:
    """Check every rules file (unknown keys, duplicates, unknown ids) without building."""
    from pipeline.build import validate_rules
    from pipeline.rules import RulesError

    try:
        validate_rules(rules)
    except RulesError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"ok: {rules}")


GoldOpt = Annotated[Path, typer.Option("--gold", help="Folder of gold sets (data/gold/<set>/).")]


@rules_app.command("evaluate")
def evaluate_cli(
    model: ModelOpt = DEFAULT_MODEL,
    gold: GoldOpt = Path("data/gold"),
    raw: Annotated[
        Path, typer.Option("--raw", help="Texts of a set without docs.jsonl: <raw>/<set>/.")
    ] = Path("data/raw"),
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="Gold set to score (repeatable; default: all)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Where to write the metrics JSON.")] = Path(
        "models/metrics.json"
    ),
    floors: Annotated[
        Path | None, typer.Option("--floors", help="Metric floors (default: <gold>/floors.json).")
    ] = None,
    raise_floors: Annotated[
        bool,
        typer.Option("--raise-floors", help="Move floors up to the current scores (never down)."),
    ] = False,
    errors: Annotated[
        int, typer.Option("--errors", min=0, help="Also print this many missed/spurious items.")
    ] = 0,
    rules_shown: Annotated[
        int, typer.Option("--rules-shown", min=1, help="Rules listed per set.")
    ] = 25,
    rules: Annotated[
        Path,
        typer.Option("--rules", help="Rules folder (a note is printed when the model is older)."),
    ] = Path("rules"),
) -> None:
    """Score the built model against the gold sets; print per-label, per-field and per-rule tables.

    Writes --out (models/metrics.json) and exits 1 when a metric is below its floor.
    """
    from pipeline.evaluate import evaluate_model
    from pipeline.scorecard import format_set

    try:
        result = evaluate_model(
            model,
            gold,
            raw_dir=raw,
            out=out,
            sets=sets or (),
            floors_path=floors or gold / "floors.json",
            raise_floors=raise_floors,
            rules_dir=rules,
        )
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for note in result.notes:
        typer.echo(f"note: {note}")
    for problem in result.problems:
        typer.echo(f"gold problem: {problem}", err=True)
    for name, metrics in result.metrics["sets"].items():
        typer.echo("\n" + format_set(name, metrics, rule_limit=rules_shown))
    for line in result.errors[:errors]:
        typer.echo(line)
    typer.echo(f"\nmetrics written to {out}")
    for failure in result.below_floor:
        typer.echo(f"below floor: {failure}", err=True)
    if result.below_floor:
        raise typer.Exit(1)


@rules_app.command("suggest")
def suggest_cli(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="New articles: folders of .txt and/or .jsonl/.csv/.parquet corpora."),
    ],
    model: ModelOpt = DEFAULT_MODEL,
    rules: RulesOpt = Path("rules"),
    out: Annotated[
        Path | None, typer.Option("--out", help="Candidates folder (default: <rules>/candidates).")
    ] = None,
    min_count: Annotated[
        int, typer.Option("--min-count", min=1, help="Fewest hits a candidate needs.")
    ] = 1,
    shown: Annotated[int, typer.Option("--shown", min=0, help="Candidates printed per kind.")] = 10,
) -> None:
    """Propose rule candidates from new articles, most frequent first, into rules/candidates/.

    Nothing is added to the rules: review the files, then run `rules accept`.
    """
    from pipeline.build import load_model
    from pipeline.rules import RulesError
    from pipeline.suggest import suggest

    try:
        result = suggest(
            load_model(model), inputs, rules_dir=rules, out_dir=out, min_count=min_count
        )
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except RulesError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"documents: {result.documents} read, {result.rejected} rejected")
    for kind, rows in result.candidates.items():
        typer.echo(f"\n{kind}: {len(rows)} candidate(s) -> {rows[0].target if rows else '-'}")
        for c in rows[:shown]:
            typer.echo(
                f"  {c.count:4d} x {c.text!r} ({c.docs} docs; {', '.join(c.contexts)})  id={c.id}"
            )
            for example in c.examples:
                typer.echo(f"         | {example}")
    for path in result.written:
        typer.echo(f"wrote {path}")


@rules_app.command("accept")
def accept_cli(
    candidates: Annotated[
        list[Path], typer.Argument(help="Reviewed candidates files (or folders of them).")
    ],
    ids: Annotated[
        list[str] | None,
        typer.Option(
            "--ids", help="Candidate ids to accept (repeatable or comma-separated; default: all)."
        ),
    ] = None,
    rules: RulesOpt = Path("rules"),
    model: ModelOpt = DEFAULT_MODEL,
    build: Annotated[
        bool, typer.Option("--build/--no-build", help="Rebuild the model afterwards.")
    ] = True,
) -> None:
    """Merge reviewed candidates into the rules files (validated, sorted in place), then rebuild.

    Nothing is written when a candidate would make the rules invalid; each problem
    names its file:line.
    """
    from pipeline.accept import accept_candidates
    from pipeline.rules import RulesError

    wanted = [i.strip() for value in ids or [] for i in value.split(",") if i.strip()]
    try:
        result = accept_candidates(
            candidates, rules_dir=rules, model_dir=model if build else None, ids=wanted
        )
    except RulesError as exc:
        typer.echo(f"error: nothing accepted: {exc}", err=True)
        raise typer.Exit(2) from exc
    for target, lines in result.added.items():
        typer.echo(
            f"added {len(lines)} row(s) to {rules / (target + '.jsonl')} "
            f"(lines {', '.join(map(str, lines))})"
        )
    if result.build is not None:
        typer.echo(f"built {result.build.path} (rules {result.build.rules_hash})")


def main() -> None:
    """Console-script entry point."""
    app()
