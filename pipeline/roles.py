"""PLACEHOLDER (ceasefire_roles): being written; sets doc._.entities to an empty list for now."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.component import RuleComponent


class RoleTagger(RuleComponent):
    """Placeholder component."""

    RULE_SPECS = ()

    def __call__(self, doc: Doc) -> Doc:
        if doc._.entities is None:
            doc._.entities = []
        return doc


@Language.factory("ceasefire_roles")
def make_role_tagger(nlp: Language, name: str) -> RoleTagger:
    """Factory for ``ceasefire_roles``."""
    return RoleTagger(nlp, name)
