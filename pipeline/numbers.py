"""PLACEHOLDER (ceasefire_numbers): being written; sets doc._.quantities to an empty list for now."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.component import RuleComponent


class NumberTagger(RuleComponent):
    """Placeholder component."""

    RULE_SPECS = ()

    def __call__(self, doc: Doc) -> Doc:
        if doc._.quantities is None:
            doc._.quantities = []
        return doc


@Language.factory("ceasefire_numbers")
def make_number_tagger(nlp: Language, name: str) -> NumberTagger:
    """Factory for ``ceasefire_numbers``."""
    return NumberTagger(nlp, name)
