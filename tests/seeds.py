"""The seeds' publication dates, read from their manifest (one source of truth for tests)."""

from __future__ import annotations

import csv
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "data" / "raw" / "seeds"


def seed_published() -> dict[str, str]:
    """Return ``{"000": "2023-12-28", ...}``: each seed's short stem and ISO publication date."""
    with open(SEEDS / "manifest.csv", encoding="utf-8", newline="") as fh:
        return {row["file"][:3]: row["published"] for row in csv.DictReader(fh)}
