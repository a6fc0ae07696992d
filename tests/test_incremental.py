"""What a run does with each document: process, skip, merge as a duplicate (no model)."""

from __future__ import annotations

from pipeline.corpus import RawDoc
from pipeline.incremental import Previous, Run
from pipeline.records import Reject

KEY = {"rules_hash": "r1", "model_version": "v1"}


def doc(doc_id: str, text: str) -> RawDoc:
    return RawDoc(doc_id, f"{doc_id}.txt", text)


def previous(*docs: RawDoc, rules_hash: str = "r1") -> dict[str, Previous]:
    return {
        d.doc_id: Previous(d.text_sha256, rules_hash, "v1", d.source, (d.source,)) for d in docs
    }


def plan(
    items: list[RawDoc | Reject], old: dict[str, Previous] | None = None, *, force: bool = False
) -> tuple[Run, list[str], list[Reject]]:
    noted: list[Reject] = []
    run = Run(old or {}, force=force, note=noted.append, **KEY)
    return run, [d.doc_id for d in run.to_process(items)], noted


def test_first_run_processes_everything_and_merges_duplicates() -> None:
    bad = Reject("x.txt", None, "empty")
    run, processed, noted = plan([doc("a", "A"), bad, doc("b", "B"), doc("c", "A")])
    assert processed == ["a", "b"]
    assert (run.read, run.unchanged, run.duplicates) == (3, 0, 1)
    assert [(r.source, r.reason, r.kept) for r in noted] == [
        ("x.txt", "empty", False),
        ("c.txt", "duplicate", True),
    ]
    assert run.sources("a", None, ()) == ("a.txt", ["a.txt", "c.txt"])


def test_unchanged_documents_are_skipped_and_nothing_changes() -> None:
    old = previous(doc("a", "A"), doc("b", "B"))
    run, processed, _ = plan([doc("a", "A"), doc("b", "B")], old)
    assert processed == [] and run.unchanged == 2
    assert not run.changes_old_rows()


def test_changed_new_and_forced_documents_are_processed() -> None:
    old = previous(doc("a", "A"), doc("b", "B"))
    run, processed, _ = plan([doc("a", "A2"), doc("b", "B"), doc("c", "C")], old)
    assert processed == ["a", "c"] and run.drop == {"a", "c"}
    assert plan([doc("a", "A"), doc("b", "B")], old, force=True)[1] == ["a", "b"]
    assert plan([doc("a", "A")], previous(doc("a", "A"), rules_hash="r0"))[1] == ["a"]


def test_a_duplicate_of_an_old_document_only_adds_a_source() -> None:
    old = previous(doc("a", "A"))
    run, processed, _ = plan([doc("z", "A")], old)
    assert processed == [] and run.duplicates == 1
    assert run.changes_old_rows()
    assert run.sources("a", "a.txt", ["a.txt"]) == ("a.txt", ["a.txt", "z.txt"])


def test_old_text_taken_by_a_new_document_while_the_old_one_changed() -> None:
    old = previous(doc("c", "C"))
    run, processed, _ = plan([doc("0", "C"), doc("c", "C2")], old)
    assert processed == ["c", "0"] and run.duplicates == 0


def test_an_old_document_that_became_a_duplicate_is_dropped() -> None:
    old = previous(doc("b", "B"), doc("c", "C"))
    run, processed, _ = plan([doc("b", "B"), doc("c", "B")], old)
    assert processed == [] and run.drop == {"c"}
    assert run.changes_old_rows()
