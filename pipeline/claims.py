"""PLACEHOLDER (ceasefire_claims): being written; sets doc._.claims to an empty list for now."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.component import RuleComponent


class ClaimExtractor(RuleComponent):
    """Placeholder component."""

    RULE_SPECS = ()

    def __call__(self, doc: Doc) -> Doc:
        if doc._.claims is None:
            doc._.claims = []
        return doc


@Language.factory("ceasefire_claims")
def make_claim_extractor(nlp: Language, name: str) -> ClaimExtractor:
    """Factory for ``ceasefire_claims``."""
    return ClaimExtractor(nlp, name)
