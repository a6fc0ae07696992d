"""Static HTML building blocks for the document view and the run report.

Everything a page needs is inline: one ``<style>`` block, tables written as
plain HTML with every cell escaped, and charts drawn with matplotlib's
object-oriented API (no pyplot, no display) and embedded as base64 SVG images.
A page therefore opens from disk with no server, no network and no external
CSS or JavaScript.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as Chart

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 72rem; padding: 0 1rem; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; font-size: 1.25rem; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.6rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.disagree td { background: #fde2e1; }
tr.latest td:first-child { border-left: 3px solid #2b7bb9; }
.legend span { display: inline-block; padding: 0.1rem 0.5rem; margin-right: 0.4rem;
               border-radius: 0.3rem; font-size: 0.8rem; font-weight: bold; }
.note { color: #555; font-size: 0.85rem; }
img.chart { max-width: 100%; height: auto; }
"""


def page(title: str, body: str) -> str:
    """Return a complete HTML document with the shared inline style."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def cell_text(value: Any) -> str:
    """Return a table cell's text: '' for missing values, whole floats as "21,320"."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{int(value):,}" if value.is_integer() else f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(v) for v in value)
    return str(value)


def table_html(
    frame: pd.DataFrame,
    *,
    row_classes: Sequence[str] | None = None,
    numeric: Iterable[str] = (),
    empty: str = "(none)",
) -> str:
    """Return ``frame`` as an escaped HTML table; ``row_classes`` give each row a CSS class."""
    if frame.empty:
        return f"<p class=\"note\">{html.escape(empty)}</p>"
    right = set(numeric)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for i, values in enumerate(frame.itertuples(index=False, name=None)):
        cls = row_classes[i] if row_classes is not None else ""
        cells = "".join(
            f"<td class=\"num\">{html.escape(cell_text(v))}</td>"
            if c in right
            else f"<td>{html.escape(cell_text(v))}</td>"
            for c, v in zip(frame.columns, values, strict=True)
        )
        rows.append(f"<tr class=\"{cls}\">{cells}</tr>" if cls else f"<tr>{cells}</tr>")
    body = "\n".join(rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def chart_img(chart: Chart, *, alt: str) -> str:
    """Return a matplotlib figure as an inline ``<img>`` (base64 SVG)."""
    buffer = io.BytesIO()
    chart.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    src = f"data:image/svg+xml;base64,{data}"
    return f"<img class=\"chart\" alt=\"{html.escape(alt)}\" src=\"{src}\">"


def legend_html(colors: Mapping[str, str]) -> str:
    """Return a row of coloured label chips."""
    chips = "".join(
        f"<span style=\"background: {html.escape(color)}\">{html.escape(label)}</span>"
        for label, color in colors.items()
    )
    return f"<p class=\"legend\">{chips}</p>"


def number_text(value: Any, low: Any, high: Any) -> str:
    """Return a reported number for reading: "21,320", a range "400–500", a bound "21,320–"."""
    low_text, high_text = cell_text(low), cell_text(high)
    if low_text and high_text and low_text != high_text:
        return f"{low_text}–{high_text}"
    shown = cell_text(value)
    if shown:
        return shown
    return f"{low_text}–{high_text}" if low_text or high_text else ""


def write_page(text: str, path: Path) -> Path:
    """Write a page, creating its folder; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
