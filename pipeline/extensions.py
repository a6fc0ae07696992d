"""Custom Doc attributes the components read and write, declared in one table.

``register_extensions()`` is idempotent and called by every factory, never at
import time. The record lists hold :mod:`pipeline.records` dataclasses.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

#: name -> default. Lists default to None (a shared mutable default would leak between docs).
DOC_EXTENSIONS: dict[str, Any] = {
    "published": None,  # datetime.date | None: the anchor for relative dates
    "entities": None,  # list[Entity]
    "quantities": None,  # list[Quantity]
    "dates": None,  # list[DateMention]
    "claims": None,  # list[Claim]
    "headline_sents": None,  # set[int]: sentence indices that are headlines/page furniture
    "target_sents": None,  # set[int]: sentences about the target conflict (roles)
    "clutter_sents": None,  # set[int]: sentences on page-furniture lines ("Read more: ...")
}


def register_extensions() -> None:
    """Register the Doc extensions once (safe to call again)."""
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
