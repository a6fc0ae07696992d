"""Lookup lemmas written as one array: the ``ceasefire_lemmatizer`` component.

spaCy's ``lemmatizer`` in lookup mode visits every token in Python (a Token
object, a table lookup by text, a string-store write), which costs nearly as much
as tokenizing. :class:`LookupLemmatizer` is that lemmatizer with only
``__call__`` replaced: its lookup table is still loaded from spacy-lookups-data
by ``initialize()`` when the model is built and saved in the model directory by
``to_disk()``, so a built model stays self-contained. Per document the words' rows
in the shared word table (:class:`pipeline.tokens.Lexemes`) index an array of LEMMA
ids, filled the first time each word is seen, and one ``doc.from_array`` writes
them. The lemmas are the lookup lemmatizer's: the table's entry for the token text,
else the text itself; a capitalised word opening a sentence that the table lacks takes
the entry of its lower-case form when there is one ("Talks resumed" -> talk;
a proper name, which has no entry, stays). Lemmas already set are kept unless ``overwrite``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import numpy as np
from spacy.attrs import LEMMA, ORTH
from spacy.errors import Errors
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.pipeline import Lemmatizer
from spacy.pipeline.lemmatizer import lemmatizer_score
from spacy.tokens import Doc
from spacy.vocab import Vocab
from thinc.api import Model
from thinc.types import Ints2d

from pipeline.component import batched_docs
from pipeline.tokens import LEXEME_ATTRS, Lexemes, TokenTable, lexemes, token_table


class LookupLemmatizer(Lemmatizer):
    """spaCy's lookup lemmatizer, applied to a whole document through its id arrays."""

    def __init__(
        self,
        vocab: Vocab,
        model: Model | None,
        name: str = "ceasefire_lemmatizer",
        *,
        overwrite: bool = False,
        scorer: Callable[..., Any] | None = lemmatizer_score,
    ) -> None:
        super().__init__(vocab, model, name, mode="lookup", overwrite=overwrite, scorer=scorer)
        self.lemma_ids: dict[int, int] = {}  # ORTH id -> LEMMA id, filled as words appear
        self.opening_lemmas: dict[int, str] = {}  # ORTH id -> lemma of a sentence opener
        self._forget_rows()

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Process ``stream`` a batch at a time, like the rule components."""
        return batched_docs(self, stream, batch_size=batch_size)

    def _forget_rows(self) -> None:
        #: LEMMA id per row of the word table ``_rows_of`` (0: not looked up yet)
        self._row_lemmas = np.zeros(0, dtype=np.uint64)
        self._rows_of: Lexemes | None = None

    def row_lemmas(self, table: TokenTable) -> np.ndarray:
        """Return the LEMMA id of every token of ``table`` (uint64)."""
        rows = table.rows  # first: reading them may grow the word table
        words = lexemes(table.doc.vocab)
        if self._rows_of is not words:
            self._row_lemmas, self._rows_of = np.zeros(0, dtype=np.uint64), words
        if len(self._row_lemmas) < words.size:
            grown = np.zeros(len(words.columns), dtype=np.uint64)
            grown[: len(self._row_lemmas)] = self._row_lemmas
            self._row_lemmas = grown
        found = self._row_lemmas[rows]
        if not found.all():
            new = np.unique(rows[found == 0])
            orths = words.columns[new, LEXEME_ATTRS.index(ORTH)].tolist()
            self._row_lemmas[new] = [self.lemma_id(o) for o in orths]
            found = self._row_lemmas[rows]
        return cast(np.ndarray, found)

    def lemma_id(self, orth: int) -> int:
        """Return the LEMMA id of a word (its ORTH id), as the lookup lemmatizer finds it."""
        found = self.lemma_ids.get(orth)
        if found is None:
            text = self.vocab.strings[orth]
            table = self.lookups.get_table("lemma_lookup", {})
            lemma = table.get(orth, text)  # the table is keyed by the text's hash: the ORTH id
            if not isinstance(lemma, str):
                lemma = lemma[0]
            found = self.lemma_ids[orth] = self.vocab.strings.add(lemma)
        return found

    def opening_lemma_id(self, orth: int) -> int:
        """Return the LEMMA id of a word opening a sentence: a capitalised word the table
        lacks ("Talks resumed ...") takes the lemma of its lower-case form, if it has one
        (proper names have no entry and stay). Cached as text: the ids are added to the current
        string store on every call, so a cache outliving a vocabulary stays valid."""
        lemma = self.opening_lemmas.get(orth)
        if lemma is None:
            text = self.vocab.strings[orth]
            table = self.lookups.get_table("lemma_lookup", {})
            lemma = table.get(orth, text)
            if not isinstance(lemma, str):
                lemma = lemma[0]
            if lemma == text and not text.islower():
                lower = text.lower()
                found = table.get(self.vocab.strings.add(lower), lower)
                if not isinstance(found, str):
                    found = found[0]
                if found != lower:
                    lemma = found
            self.opening_lemmas[orth] = lemma
        return self.vocab.strings.add(lemma)

    def __call__(self, doc: Doc) -> Doc:
        """Set the lemma of every token of ``doc`` (one array write)."""
        if not self._validated:
            self._validate_tables(Errors.E1004)
        error_handler = self.get_error_handler()
        try:
            if not len(doc):
                return doc
            table = token_table(doc)  # rows shared with the other components
            lemmas = self.row_lemmas(table)
            if doc.has_annotation("SENT_START"):
                orths = table.orth_ids
                for start in table.sent_starts:
                    lemmas[start] = self.opening_lemma_id(int(orths[start]))
            if not self.overwrite:
                current = doc.to_array(LEMMA)
                lemmas = np.where(current == 0, lemmas, current)
            doc.from_array([LEMMA], cast(Ints2d, lemmas.reshape(-1, 1)))
            return doc
        except Exception as e:
            error_handler(self.name, self, [doc], e)
            return doc

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        lookups: Lookups | None = None,
        rules_dir: str | None = None,
    ) -> None:
        """Load the lookup table (from spacy-lookups-data unless ``lookups`` is given).

        ``rules_dir`` is accepted like for every ``ceasefire_`` component and unused: the
        table is not a rules file.
        """
        self.lemma_ids = {}  # the table can change: forget ids read from the old one
        self._forget_rows()
        super().initialize(get_examples, nlp=nlp, lookups=lookups)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> LookupLemmatizer:
        self.lemma_ids = {}
        self._forget_rows()
        super().from_disk(path, exclude=exclude)
        return self

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = ()) -> LookupLemmatizer:
        self.lemma_ids = {}
        self._forget_rows()
        super().from_bytes(bytes_data, exclude=exclude)
        return self


@Language.factory(
    "ceasefire_lemmatizer",
    assigns=["token.lemma"],
    default_config={
        "model": None,
        "overwrite": False,
        "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"},
    },
    default_score_weights={"lemma_acc": 1.0},
)
def make_lookup_lemmatizer(
    nlp: Language,
    model: Model | None,
    name: str,
    overwrite: bool,
    scorer: Callable[..., Any] | None,
) -> LookupLemmatizer:
    """Factory for ``ceasefire_lemmatizer`` (found by spaCy through the entry point)."""
    return LookupLemmatizer(nlp.vocab, model, name, overwrite=overwrite, scorer=scorer)


__all__ = ["LookupLemmatizer", "make_lookup_lemmatizer"]
