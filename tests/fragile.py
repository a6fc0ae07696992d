"""Test helper: make the last component of a loaded pipeline raise on chosen documents.

The pipe is replaced, not its class's ``__call__``: a component class compiled by
mypyc (setup.py) keeps its own ``__call__`` whatever is patched onto the class.
"""

from __future__ import annotations

from typing import Any

import pytest
from spacy.language import Language


def break_last_pipe(nlp: Language, monkeypatch: pytest.MonkeyPatch, marker: str) -> None:
    """Make ``nlp``'s last component raise RuntimeError on documents containing ``marker``."""
    name, original = nlp.pipeline[-1]

    def fragile(doc: Any) -> Any:
        if marker in doc.text:
            raise RuntimeError(f"cannot handle {marker}")
        return original(doc)

    monkeypatch.setattr(nlp, "_components", [*nlp._components[:-1], (name, fragile)])
