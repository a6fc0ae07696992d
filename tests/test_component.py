"""Tests for pipeline.component: batched ``pipe`` of the rule components."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.component import batched_docs


@pytest.mark.parametrize("n_docs, batch_size", [(0, 4), (3, 4), (4, 4), (9, 4), (5, 1)])
def test_batched_docs_runs_a_whole_batch_before_yielding(n_docs: int, batch_size: int) -> None:
    calls: list[int] = []

    def component(doc: Any) -> Any:
        calls.append(doc)
        return doc * 10

    out = batched_docs(component, iter(range(n_docs)), batch_size=batch_size)  # type: ignore[arg-type]
    seen = []
    for doc in out:
        # by the time the first doc of a batch comes out, the whole batch was processed
        if len(seen) % batch_size == 0:
            assert len(calls) == min(len(seen) + batch_size, n_docs)
        seen.append(doc)
    assert seen == [10 * i for i in range(n_docs)]


def _counted_stream(nlp: Language, texts: list[str], upto: int, consumed: list[Doc]) -> Any:
    """Yield docs made ready for component ``upto``, noting each one as it is read."""
    for text in texts:
        doc = nlp.make_doc(text)
        doc._.published = None
        for _, earlier in nlp.pipeline[:upto]:
            doc = earlier(doc)
        consumed.append(doc)
        yield doc


def test_every_component_pipes_in_batches(nlp: Language) -> None:
    texts = ["Egypt hosted the talks.", "Hamas said 24 hostages were freed.", "Qatar agreed."]
    for index, (name, proc) in enumerate(nlp.pipeline):
        consumed: list[Doc] = []
        piped = proc.pipe(_counted_stream(nlp, texts, index, consumed), batch_size=2)
        next(piped)
        assert len(consumed) == 2, name  # the first batch was read before anything came out
        assert len(list(piped)) == 2, name


def test_nlp_pipe_gives_what_calling_each_doc_gives(nlp: Language) -> None:
    texts = [
        "Egypt and Qatar brokered a truce on Thursday, officials said.",
        "At least 21,320 Palestinians have been killed, according to the health ministry.",
        "",
        "Hamas said it would study the proposal.",
    ] * 3

    def records(doc: Doc) -> list[Any]:
        return [
            dataclasses.astuple(r)
            for part in ("entities", "quantities", "dates", "claims")
            for r in getattr(doc._, part)
        ]

    def fresh(text: str) -> Doc:
        doc = nlp.make_doc(text)
        doc._.published = None
        return doc

    piped = [records(d) for d in nlp.pipe((fresh(t) for t in texts), batch_size=5)]
    one_by_one = []
    for text in texts:
        doc = fresh(text)
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        one_by_one.append(records(doc))
    assert piped == one_by_one
    assert any(piped)
