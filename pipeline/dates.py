"""PLACEHOLDER (ceasefire_dates): being written; sets doc._.dates to an empty list for now."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.component import RuleComponent


class DateTagger(RuleComponent):
    """Placeholder component."""

    RULE_SPECS = ()

    def __call__(self, doc: Doc) -> Doc:
        if doc._.dates is None:
            doc._.dates = []
        return doc


@Language.factory("ceasefire_dates")
def make_date_tagger(nlp: Language, name: str) -> DateTagger:
    """Factory for ``ceasefire_dates``."""
    return DateTagger(nlp, name)
