"""The run report: one static HTML page summarising a folder of extracted tables.

:func:`report_html` reads the tables and lays out, in order: the run (row
counts, publication span, model and rules), the documents, actors and mediators
by month of publication (tables and a bar chart), the cross-source figures with
disagreeing keys highlighted and a chart of the longest series by claimant,
and the rules that fired most. The pieces are small functions returning
DataFrames (``documents_frame``, ``actors_by_month``, ``rules_fired``,
``figures_frame``) so a notebook can reuse them. The figures come from
``figures.parquet``, or are derived on the spot for tables written before it existed.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure as Chart
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from pipeline.figures import figures_table
from pipeline.pages import cell_text, chart_img, number_text, page, table_html
from pipeline.show import MEDIATOR_ROLES
from pipeline.views import read_table

MENTION_TABLES = ("entities", "quantities", "dates", "claims")
ACTOR_LABEL = "ACTOR"
NO_CLAIMANT = "(outlet)"
NO_MONTH = "unknown"


def months(docs: pd.DataFrame) -> pd.Series:
    """Return ``doc_id -> YYYY-MM`` of publication ("unknown" when undated)."""
    published = pd.to_datetime(docs["published"], errors="coerce")
    return pd.Series(published.dt.strftime("%Y-%m").fillna(NO_MONTH).values, index=docs["doc_id"])


def documents_frame(docs: pd.DataFrame, mentions: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Return one row per document: id, date, outlet, title, sentences and rows per table."""
    frame = docs[["doc_id", "published", "outlet", "title", "n_sentences"]].copy()
    for name, rows in mentions.items():
        counts = rows.groupby("doc_id").size() if not rows.empty else pd.Series(dtype=int)
        frame[name] = frame["doc_id"].map(counts).fillna(0).astype(int)
    return frame.sort_values(["published", "doc_id"], na_position="last").reset_index(drop=True)


def actors_by_month(
    entities: pd.DataFrame,
    docs: pd.DataFrame,
    *,
    roles: Collection[str] | None = None,
    top: int = 12,
) -> pd.DataFrame:
    """Return months × actor ids: how many documents mention each actor (in ``roles``, if given).

    Only the ``top`` actors by documents are kept, most frequent first.
    """
    rows = entities[(entities["label"] == ACTOR_LABEL) & entities["actor_id"].notna()]
    if roles is not None:
        rows = rows[rows["role"].isin(list(roles))]
    if rows.empty:
        return pd.DataFrame()
    pairs = rows[["doc_id", "actor_id"]].drop_duplicates()
    pairs = pairs.assign(month=pairs["doc_id"].map(months(docs)).fillna(NO_MONTH))
    table = pairs.pivot_table(index="month", columns="actor_id", values="doc_id", aggfunc="count")
    order = table.sum().sort_values(ascending=False, kind="stable").index[:top]
    return table[order].fillna(0).astype(int).sort_index()


def rules_fired(mentions: Mapping[str, pd.DataFrame], *, top: int = 25) -> pd.DataFrame:
    """Return the ``top`` rules by rows produced: table, rule_id, rows, documents."""
    parts = [
        rows.groupby("rule_id")["doc_id"].agg(rows="size", documents="nunique").reset_index()
        .assign(table=name)
        for name, rows in mentions.items()
        if not rows.empty and "rule_id" in rows
    ]
    if not parts:
        return pd.DataFrame(columns=["table", "rule_id", "rows", "documents"])
    fired = pd.concat(parts, ignore_index=True)
    fired = fired[fired["rule_id"].fillna("") != ""]
    order = ["rows", "documents", "table", "rule_id"]
    fired = fired.sort_values(order, ascending=[False, False, True, True])
    return fired[["table", "rule_id", "rows", "documents"]].head(top).reset_index(drop=True)


def figures_frame(figures: pd.DataFrame) -> pd.DataFrame:
    """Return the figures table in reading form (one row per mention, flags as words)."""
    return pd.DataFrame(
        {
            "series": figures["series_key"],
            "period": figures["period"],
            "document": figures["doc_id"],
            "published": figures["published"],
            "outlet": figures["outlet"],
            "claimant": figures["claimant_text"].fillna(figures["claimant_id"]).fillna(NO_CLAIMANT),
            "predicate": figures["predicate"],
            "modality": figures["modality"],
            "number": [
                number_text(v, lo, hi)
                for v, lo, hi in zip(figures["value"], figures["low"], figures["high"], strict=True)
            ],
            "qualifier": figures["qualifier"],
            "as written": figures["text"],
            "mentions": figures["n_mentions_in_key"],
            "values differ": figures["values_differ"],
            "claimants differ": figures["claimants_differ"],
            "latest": figures["is_latest_for_claimant"],
        }
    )


def chart_series(figures: pd.DataFrame, *, top: int = 2) -> list[str]:
    """Return the series keys worth a chart: most periods first, then most mentions."""
    if figures.empty:
        return []
    stats = figures.groupby("series_key").agg(
        periods=("period", "nunique"), n=("figure_id", "size")
    )
    stats = stats[stats["periods"] > 1]
    stats = stats.sort_values(["periods", "n"], ascending=False, kind="stable")
    return list(stats.index[:top])


def series_chart(figures: pd.DataFrame, series_key: str) -> Chart:
    """Return a chart of one series: reported numbers by publication date, a colour per claimant."""
    rows = figures[figures["series_key"] == series_key].copy()
    rows["number"] = rows["value"].fillna(rows["low"]).fillna(rows["high"])
    rows["claimant"] = rows["claimant_id"].fillna(NO_CLAIMANT)
    rows["published"] = pd.to_datetime(rows["published"], errors="coerce")
    chart = Chart(figsize=(8, 3.6))
    ax = chart.subplots()
    for claimant, group in rows.dropna(subset=["number", "published"]).groupby("claimant"):
        group = group.sort_values("published")
        ax.plot(group["published"], group["number"], marker="o", linestyle="none",
                label=str(claimant))
        for x, y in zip(group["published"], group["number"], strict=True):
            ax.annotate(f"{y:,.0f}", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.set_title(series_key, fontsize=10)
    ax.set_ylabel("reported number")
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, title="claimant", title_fontsize=8)
    chart.autofmt_xdate()
    return chart


def months_chart(table: pd.DataFrame, *, title: str) -> Chart:
    """Return a grouped bar chart of a months × actors table."""
    chart = Chart(figsize=(8, 3.2))
    ax = chart.subplots()
    table.plot.bar(ax=ax, rot=0, width=0.8)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("month of publication")
    ax.set_ylabel("documents")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, ncol=2)
    return chart


def _read(tables: Path, name: str) -> pd.DataFrame:
    try:
        return read_table(tables, name)
    except FileNotFoundError:
        return pd.DataFrame()


def _section(title: str, body: str, anchor: str) -> str:
    return f"<h2 id=\"{anchor}\">{html.escape(title)}</h2>\n{body}\n"


def _limited(frame: pd.DataFrame, limit: int, what: str) -> tuple[pd.DataFrame, str]:
    if len(frame) <= limit:
        return frame, ""
    return frame.head(limit), f"<p class=\"note\">First {limit} of {len(frame)} {what}.</p>"


def _head(
    tables: Path, docs: pd.DataFrame, mentions: Mapping[str, pd.DataFrame], n_figures: int
) -> str:
    dated = pd.to_datetime(docs["published"], errors="coerce").dropna()
    span = f"{dated.min():%Y-%m-%d} to {dated.max():%Y-%m-%d}" if len(dated) else "no dates"
    built = {
        column: ", ".join(sorted({cell_text(v) for v in docs.get(column, [])} - {""}))
        for column in ("model_version", "rules_hash")
    }
    counts = ", ".join(f"{len(mentions[n])} {n}" for n in MENTION_TABLES)
    return (
        "<h1>ceasefire-claims report</h1>\n<p class=\"meta\">"
        f"{len(docs)} documents published {html.escape(span)} · {html.escape(counts)}, "
        f"{n_figures} figures<br>tables {html.escape(str(tables))} · "
        f"model {html.escape(built['model_version'])} · rules {html.escape(built['rules_hash'])}"
        "</p>\n<p class=\"note\"><a href=\"#documents\">documents</a> · "
        "<a href=\"#actors\">actors</a> · <a href=\"#figures\">figures</a> · "
        "<a href=\"#rules\">rules fired</a></p>"
    )


def _actors_section(entities: pd.DataFrame, docs: pd.DataFrame) -> str:
    body = []
    for title, roles in (("Mediators by month", MEDIATOR_ROLES), ("Actors by month", None)):
        table = pd.DataFrame() if entities.empty else actors_by_month(entities, docs, roles=roles)
        body.append(f"<h3>{html.escape(title)} (documents)</h3>")
        if table.empty:
            body.append("<p class=\"note\">(none)</p>")
            continue
        body.append(chart_img(months_chart(table, title=title), alt=title))
        body.append(table_html(table.reset_index(), numeric=list(table.columns)))
    return "\n".join(body)


def _figures_section(figures: pd.DataFrame, max_rows: int) -> str:
    if figures.empty:
        return "<p class=\"note\">(no figures)</p>"
    keys = figures.groupby("figure_key")["disagreement"].first()
    body = [
        f"<p class=\"note\">{len(figures)} mentions under {len(keys)} figure keys, "
        f"{int(keys.sum())} with a disagreement (highlighted: different numbers or claimants "
        "for the same thing counted in the same period); a blue edge marks each claimant's "
        "latest figure in a series.</p>"
    ]
    for key in chart_series(figures):
        body.append(chart_img(series_chart(figures, key), alt=f"figures over time: {key}"))
    shown, note = _limited(figures, max_rows, "figure mentions")
    flags = zip(shown["disagreement"], shown["is_latest_for_claimant"], strict=True)
    classes = [
        " ".join(c for c, on in (("disagree", d), ("latest", last)) if on) for d, last in flags
    ]
    frame = figures_frame(shown)
    body.append(note + table_html(frame, row_classes=classes, numeric=["number", "mentions"]))
    return "\n".join(body)


def report_html(tables: Path, *, max_rows: int = 300, top_rules: int = 25) -> str:
    """Return the report page for the tables in folder ``tables``.

    Args:
        tables: the folder ``extract`` wrote.
        max_rows: most rows shown in the documents and figures tables.
        top_rules: rules listed under "Top rules fired".

    Raises:
        FileNotFoundError: there is no documents table.
    """
    tables = Path(tables)
    docs = read_table(tables, "documents")
    mentions = {name: _read(tables, name) for name in MENTION_TABLES}
    figures = _read(tables, "figures")
    if figures.empty and not (tables / "figures.parquet").exists():
        figures = figures_table(tables).to_pandas()
    shown, note = _limited(documents_frame(docs, mentions), max_rows, "documents")
    fired = rules_fired(mentions, top=top_rules)
    parts = [
        _head(tables, docs, mentions, len(figures)),
        _section("Documents", note + table_html(shown, numeric=["n_sentences", *MENTION_TABLES]),
                 "documents"),
        _section("Actors and mediators", _actors_section(mentions["entities"], docs), "actors"),
        _section("Figures across sources", _figures_section(figures, max_rows), "figures"),
        _section("Top rules fired", table_html(fired, numeric=["rows", "documents"]), "rules"),
    ]
    return page("ceasefire-claims report", "\n".join(parts))
