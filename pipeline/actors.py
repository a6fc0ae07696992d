"""PLACEHOLDER (ceasefire_actors): being written; sets doc._.entities to an empty list for now."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.component import RuleComponent


class ActorTagger(RuleComponent):
    """Placeholder component."""

    RULE_SPECS = ()

    def __call__(self, doc: Doc) -> Doc:
        if doc._.entities is None:
            doc._.entities = []
        return doc


@Language.factory("ceasefire_actors")
def make_actor_tagger(nlp: Language, name: str) -> ActorTagger:
    """Factory for ``ceasefire_actors``."""
    return ActorTagger(nlp, name)
