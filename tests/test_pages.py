"""HTML building blocks: cell text, numbers, escaped tables, inline charts, self-contained pages."""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure as Chart

from pipeline.pages import cell_text, chart_img, legend_html, number_text, page, table_html

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?!data:|#)""", re.I)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
        (np.float64(21320.0), "21,320"),
        (np.int32(7), "7"),
        (0.5, "0.5"),
        (True, "yes"),
        (np.bool_(False), ""),
        (dt.date(2023, 12, 28), "2023-12-28"),
        (np.array(["a.txt", "b.txt"], dtype=object), "a.txt, b.txt"),
        ("Egypt", "Egypt"),
    ],
)
def test_cell_text(value: Any, expected: str) -> None:
    assert cell_text(value) == expected


@pytest.mark.parametrize(
    ("value", "low", "high", "expected"),
    [
        (21320.0, 21320.0, None, "21,320"),
        (400.0, 400.0, 500.0, "400–500"),
        (None, 400.0, 500.0, "400–500"),
        (None, 12.0, None, "12–"),
        (None, None, None, ""),
        (7.0, 7.0, 7.0, "7"),
    ],
)
def test_number_text(value: Any, low: Any, high: Any, expected: str) -> None:
    assert number_text(value, low, high) == expected


def test_table_html_escapes_cells_and_sets_row_classes() -> None:
    frame = pd.DataFrame({"who": ["<script>x</script>", "Qatar & Egypt"], "n": [1.0, None]})
    out = table_html(frame, row_classes=["disagree", ""], numeric=["n"])
    assert "<script>" not in out and "&lt;script&gt;" in out and "Qatar &amp; Egypt" in out
    first = '<tr class="disagree"><td>&lt;script&gt;x&lt;/script&gt;</td><td class="num">1</td>'
    assert first in out
    assert "<tr><td>Qatar &amp; Egypt</td><td class=\"num\"></td></tr>" in out


def test_table_html_of_an_empty_frame_says_so() -> None:
    assert "(nothing)" in table_html(pd.DataFrame(), empty="(nothing)")


def test_chart_img_embeds_an_svg() -> None:
    chart = Chart()
    chart.subplots().plot([1, 2], [3, 4])
    tag = chart_img(chart, alt="a \"line\"")
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', tag)
    assert data is not None and 'alt="a &quot;line&quot;"' in tag
    assert b"<svg" in base64.b64decode(data.group(1))


def test_page_is_self_contained() -> None:
    out = page("T & t", legend_html({"ACTOR": "#a6cee3"}) + "<p>x</p>")
    assert out.startswith("<!DOCTYPE html>") and "<title>T &amp; t</title>" in out
    assert "<style>" in out and "<script" not in out and "<link" not in out
    assert not EXTERNAL.search(out)
