"""Scoring the built model against the gold sets: per label, per field and per rule.

:func:`evaluate` runs a loaded pipeline over every annotated document of each
gold set (:mod:`pipeline.gold`) and returns an :class:`Evaluation` whose
``metrics`` is the JSON written to ``models/metrics.json``:

- ``labels``: precision/recall/F1 per table and group, with exact and
  overlapping span matching (entities by label, actor_id and role; quantities
  by category and value+category; dates by value; claims by claim_type, a
  predicted claim matching a gold one when its evidence sentence contains the
  gold ``evidence`` text and the types are equal, and by type+value+claimant,
  where the value and the claimant must also agree: the tuple analysts use);
- ``fields``: for aligned mentions, how often each annotated field is right;
  for claims (aligned on evidence only, so a wrong type counts) P/R/F per field;
- ``rules``: how often each ``rule_id`` fired in annotated documents and how
  often it was right, so a bad rule shows up in one look.

Which documents count: a section scores only the documents its file lists, so
an unannotated document never produces false positives. The regression floors
(``data/gold/floors.json``) are checked by :func:`floor_failures`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.floors import floor_failures, raised_floors, read_floors, write_floors
from pipeline.gold import SECTIONS, GoldItem, GoldSet, gold_set_dirs, read_gold_set
from pipeline.scoring import Counts, align, counts_for, same_value, span_pairs

ANY = "*"
#: Item keys that locate or comment, never scored as fields.
NOT_FIELDS = frozenset({"text", "n", "note", "evidence"})
#: Fields that must agree for a prediction of a rule to count as right.
RULE_AGREE: dict[str, tuple[str, ...]] = {
    "entities": ("label", "actor_id"),
    "quantities": ("value", "category"),
    "dates": ("value",),
    "claims": ("claim_type",),
}


@dataclass(frozen=True)
class Mention:
    """A predicted item reduced to what scoring needs (a record as a dict, and its span)."""

    doc: str
    start: int | None
    end: int | None
    data: Mapping[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


Item = GoldItem | Mention


@dataclass(frozen=True)
class Table:
    """One labels table: how items are grouped, and which fields must also agree.

    ``needs`` is the gold key the table is about: a table is skipped for a gold
    set whose items never carry that key (nothing to judge predictions against).
    """

    name: str
    section: str
    group: Callable[[Item], Any]
    agree: tuple[str, ...] = ()
    needs: str | None = None


def granularity_of(value: Any) -> str:
    """Return day, week, month, year, range or null from the shape of an ISO date value."""
    if value is None:
        return "null"
    text = str(value)
    if "/" in text:
        return "range"
    for name, pattern in (
        ("day", r"\d{4}-\d{2}-\d{2}"),
        ("week", r"\d{4}-W\d{2}"),
        ("month", r"\d{4}-\d{2}"),
        ("year", r"\d{4}"),
    ):
        if re.fullmatch(pattern, text):
            return name
    return "other"


TABLES: tuple[Table, ...] = (
    Table("entities.span", "entities", lambda m: ANY),
    Table("entities.label", "entities", lambda m: m.get("label"), needs="label"),
    Table("entities.actor_id", "entities", lambda m: m.get("actor_id"), needs="actor_id"),
    Table("entities.role", "entities", lambda m: m.get("role"), needs="role"),
    Table("quantities.span", "quantities", lambda m: ANY),
    Table("quantities.category", "quantities", lambda m: m.get("category"), needs="category"),
    Table(
        "quantities.value+category",
        "quantities",
        lambda m: m.get("category"),
        ("value",),
        needs="category",
    ),
    Table("dates.span", "dates", lambda m: ANY),
    Table(
        "dates.value", "dates", lambda m: granularity_of(m.get("value")), ("value",), needs="value"
    ),
    Table("claims.claim_type", "claims", lambda m: m.get("claim_type"), needs="claim_type"),
    Table(
        "claims.type+value+claimant",
        "claims",
        lambda m: m.get("claim_type"),
        ("value", "claimant_id"),
        needs="claim_type",
    ),
)


@dataclass
class Evaluation:
    """The result of :func:`evaluate`: metrics for metrics.json, and what to tell the user."""

    metrics: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    below_floor: list[str] = field(default_factory=list)


# -- predictions -------------------------------------------------------------


def analysed(nlp: Language, text: str, published: Any) -> Doc:
    """Return ``text`` run through ``nlp`` with its publication date set."""
    doc = nlp.make_doc(text)
    doc._.published = published
    return nlp(doc)


def _squash(text: str) -> str:
    return " ".join(text.split())


def predicted_mentions(doc: Doc, doc_id: str, section: str) -> list[Mention]:
    """Return the records of ``section`` on a processed Doc as mentions."""
    records = getattr(doc._, section, None) or []
    sentences = [s.text for s in doc.sents] if section == "claims" else []
    mentions = []
    for record in records:
        data = dataclasses.asdict(record)
        if section == "claims":
            evidence = data.get("evidence") or ""
            if not evidence and 0 <= data.get("sentence", -1) < len(sentences):
                evidence = sentences[data["sentence"]]
            data["evidence"] = _squash(evidence)
        mentions.append(Mention(doc_id, data.get("start_char"), data.get("end_char"), data))
    return mentions


# -- agreement ---------------------------------------------------------------


def field_matches(gold: Item, pred: Item, key: str) -> bool:
    """Return whether ``pred`` has the gold value of ``key`` (``x_id`` may match ``x_text``)."""
    if same_value(gold.get(key), pred.get(key)):
        return True
    if key.endswith("_id") and gold.get(key) is not None:
        return same_value(gold.get(key), pred.get(key[:-3] + "_text"))
    return False


def agrees(gold: Item, pred: Item, keys: Iterable[str]) -> bool:
    """Return whether every key the gold item annotates has the same value in ``pred``."""
    return all(field_matches(gold, pred, k) for k in keys if k in gold.data)


def claim_pairs(
    gold: Sequence[Item], pred: Sequence[Item], *, same_type: bool
) -> list[tuple[int, int]]:
    """Align claims: the predicted evidence sentence contains the gold evidence (and same type)."""
    scored_keys = sorted({k for g in gold for k in g.data} - NOT_FIELDS)

    def score(gi: int, pi: int) -> tuple[float, ...] | None:
        g, p = gold[gi], pred[pi]
        if _squash(str(g.get("evidence"))) not in str(p.get("evidence")):
            return None
        if same_type and not same_value(g.get("claim_type"), p.get("claim_type")):
            return None
        return (float(sum(field_matches(g, p, k) for k in scored_keys if k in g.data)),)

    return align(range(len(gold)), range(len(pred)), score)


def _spans(items: Sequence[Item]) -> list[tuple[int, int]]:
    return [(i.start or 0, i.end or 0) for i in items]


def section_pairs(
    section: str, gold: Sequence[Item], pred: Sequence[Item]
) -> list[tuple[int, int]]:
    """Return the primary alignment of a section: overlapping spans, or claims by evidence."""
    if section == "claims":
        return claim_pairs(gold, pred, same_type=True)
    return span_pairs(_spans(gold), _spans(pred), overlap=True)


# -- tables ------------------------------------------------------------------


def _agreement(
    g: Sequence[Item], p: Sequence[Item], keys: tuple[str, ...]
) -> Callable[[int, int], bool]:
    """Return the pair condition "the gold item's annotated ``keys`` agree"."""

    def agree(gi: int, pi: int) -> bool:
        return agrees(g[gi], p[pi], keys)

    return agree


def label_counts(
    table: Table, gold: Mapping[str, list[GoldItem]], pred: Mapping[str, list[Mention]]
) -> dict[str, dict[str, Counts]]:
    """Return group -> match mode -> counts for one table over the annotated documents."""
    modes = ("match",) if table.section == "claims" else ("exact", "overlap")
    result: dict[str, dict[str, Counts]] = defaultdict(lambda: {m: Counts() for m in modes})
    for doc_id, gold_items in gold.items():
        pred_items = pred.get(doc_id, [])
        items: list[Item] = [*gold_items, *pred_items]
        groups = {table.group(x) for x in items} - {None}
        for group in sorted(groups, key=str):
            g: list[Item] = [x for x in gold_items if table.group(x) == group]
            p: list[Item] = [x for x in pred_items if table.group(x) == group]
            for mode in modes:
                if mode == "match":
                    pairs = [
                        (gi, pi)
                        for gi, pi in claim_pairs(g, p, same_type=True)
                        if agrees(g[gi], p[pi], table.agree)
                    ]
                else:
                    pairs = span_pairs(
                        _spans(g),
                        _spans(p),
                        overlap=mode == "overlap",
                        agree=_agreement(g, p, table.agree),
                    )
                result[str(group)][mode].add(counts_for(len(g), len(p), len(pairs)))
    total = {m: Counts() for m in modes}
    for counts in result.values():
        for mode, c in counts.items():
            total[mode].add(c)
    return {**dict(sorted(result.items())), ANY: total}


def field_scores(
    section: str, gold: Mapping[str, list[GoldItem]], pred: Mapping[str, list[Mention]]
) -> dict[str, dict[str, float | int]]:
    """Return per-field scores: accuracy on aligned mentions, or P/R/F for claim fields."""
    if section == "claims":
        return _claim_field_scores(gold, pred)
    tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc_id, g in gold.items():
        p = pred.get(doc_id, [])
        for gi, pi in section_pairs(section, g, p):
            for key in sorted(set(g[gi].data) - NOT_FIELDS):
                tallies[key][0] += 1
                tallies[key][1] += field_matches(g[gi], p[pi], key)
    return {
        key: {"n": n, "correct": ok, "accuracy": round(ok / n, 4) if n else 0.0}
        for key, (n, ok) in sorted(tallies.items())
    }


def _claim_field_scores(
    gold: Mapping[str, list[GoldItem]], pred: Mapping[str, list[Mention]]
) -> dict[str, dict[str, float | int]]:
    """Slot-filling P/R/F per field: a gold value found is a tp, a gold value missed or
    wrong a fn, a predicted value that is not the gold one a fp; null = null counts nothing.
    Claims are aligned on evidence only, so a wrong claim_type is scored here too."""
    keys = sorted({k for items in gold.values() for g in items for k in g.data} - NOT_FIELDS)
    counts = {k: Counts() for k in keys}
    for doc_id, g in gold.items():
        p = pred.get(doc_id, [])
        pairs = dict(claim_pairs(g, p, same_type=False))
        paired_pred = {pi: gi for gi, pi in pairs.items()}
        for key in keys:
            c = counts[key]
            for gi, item in enumerate(g):
                if key in item.data and item.get(key) is not None:
                    if gi in pairs and field_matches(item, p[pairs[gi]], key):
                        c.tp += 1
                    else:
                        c.fn += 1
            for pi, mention in enumerate(p):
                paired = paired_pred.get(pi)
                if mention.get(key) is None or (paired is not None and key not in g[paired].data):
                    continue
                if paired is None or not field_matches(g[paired], mention, key):
                    c.fp += 1
    return {k: c.as_dict() for k, c in counts.items()}


def rule_tallies(
    section: str,
    gold: Mapping[str, list[GoldItem]],
    pred: Mapping[str, list[Mention]],
    *,
    judge_roles: bool = True,
) -> dict[str, list[int]]:
    """Return ``rule -> [fired, right]`` for the predictions in annotated documents.

    Entities also tally their ``role_rule`` (right: the gold role is the same),
    unless ``judge_roles`` is False (the gold set does not annotate roles).
    """
    tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc_id, g in gold.items():
        p = pred.get(doc_id, [])
        paired = {pi: gi for gi, pi in section_pairs(section, g, p)}
        for pi, mention in enumerate(p):
            gi = paired.get(pi)
            rule = mention.get("rule_id") or "(none)"
            tallies[f"{section}:{rule}"][0] += 1
            tallies[f"{section}:{rule}"][1] += gi is not None and agrees(
                g[gi], mention, RULE_AGREE[section]
            )
            if section == "entities" and judge_roles and mention.get("role"):
                role_rule = f"roles:{mention.get('role_rule') or '(none)'}"
                tallies[role_rule][0] += 1
                tallies[role_rule][1] += gi is not None and same_value(
                    g[gi].get("role"), mention.get("role")
                )
    return tallies


def error_lines(
    set_name: str,
    section: str,
    gold: Mapping[str, list[GoldItem]],
    pred: Mapping[str, list[Mention]],
) -> list[str]:
    """Return one line per missed gold item, spurious prediction and wrong annotated field."""
    lines = []
    for doc_id, g in gold.items():
        p = pred.get(doc_id, [])
        pairs = section_pairs(section, g, p)
        hit_g, hit_p = {a for a, _ in pairs}, {b for _, b in pairs}
        for gi, pi in pairs:
            for key in sorted(set(g[gi].data) - NOT_FIELDS):
                if not field_matches(g[gi], p[pi], key):
                    what = g[gi].get("text") or g[gi].get("evidence")
                    lines.append(
                        f"{set_name} {section} wrong    {doc_id} {what!r} {key}: "
                        f"gold {g[gi].get(key)!r}, got {p[pi].get(key)!r} [{p[pi].get('rule_id')}]"
                    )
        for gi, item in enumerate(g):
            if gi not in hit_g:
                what = item.get("text") or item.get("evidence")
                lines.append(
                    f"{set_name} {section} missed   {doc_id} {what!r} ({item.path}:{item.line})"
                )
        for pi, mention in enumerate(p):
            if pi not in hit_p:
                what = mention.get("text") or mention.get("evidence", "")[:60]
                lines.append(
                    f"{set_name} {section} spurious {doc_id} {what!r} [{mention.get('rule_id')}]"
                )
    return lines


# -- running -----------------------------------------------------------------


def evaluate_set(nlp: Language, gold: GoldSet) -> tuple[dict[str, Any], list[str]]:
    """Return the metrics of one gold set and its error lines."""
    wanted = {doc_id for by_doc in gold.items.values() for doc_id in by_doc}
    pred: dict[str, dict[str, list[Mention]]] = {s: {} for s in gold.items}
    for doc_id in sorted(wanted):
        raw = gold.docs[doc_id]
        doc = analysed(nlp, raw.text, raw.published)
        for section in gold.items:
            pred[section][doc_id] = predicted_mentions(doc, doc_id, section)
    labels: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    tallies: dict[str, list[int]] = {}
    errors: list[str] = []
    for section, by_doc in gold.items.items():
        keys = {k for items in by_doc.values() for item in items for k in item.data}
        for table in TABLES:
            if table.section == section and (table.needs is None or table.needs in keys):
                counts = label_counts(table, by_doc, pred[section])
                labels[table.name] = {
                    g: {m: c.as_dict() for m, c in modes.items()} for g, modes in counts.items()
                }
        fields[section] = field_scores(section, by_doc, pred[section])
        tallies.update(rule_tallies(section, by_doc, pred[section], judge_roles="role" in keys))
        errors.extend(error_lines(gold.name, section, by_doc, pred[section]))
    rules = {
        rule: {"fired": f, "right": r, "wrong": f - r, "precision": round(r / f, 4) if f else 0.0}
        for rule, (f, r) in sorted(tallies.items(), key=lambda kv: (kv[1][1] - kv[1][0], kv[0]))
    }
    metrics = {
        "docs": len(wanted),
        "sections": sorted(gold.items),
        "items": {s: sum(len(v) for v in by_doc.values()) for s, by_doc in gold.items.items()},
        "labels": labels,
        "fields": fields,
        "rules": rules,
    }
    return metrics, errors


def evaluate(
    nlp: Language,
    gold_dir: Path,
    *,
    raw_dir: Path,
    sets: Sequence[str] = (),
    model_meta: Mapping[str, Any] | None = None,
) -> Evaluation:
    """Score ``nlp`` against the gold sets in ``gold_dir`` (all of them, or ``sets``)."""
    result = Evaluation()
    dirs = [Path(gold_dir) / s for s in sets] if sets else gold_set_dirs(gold_dir)
    if not dirs:
        result.notes.append(
            f"{gold_dir}: no gold sets (folders with {', '.join(SECTIONS)} .jsonl files)"
        )
    result.metrics = {"gold": str(gold_dir), "model": dict(model_meta or {}), "sets": {}}
    for set_dir in dirs:
        gold = read_gold_set(set_dir, raw_dir=raw_dir)
        result.notes.extend(gold.notes)
        result.problems.extend(str(p) for p in gold.problems)
        if not gold.items:
            continue
        metrics, errors = evaluate_set(nlp, gold)
        result.metrics["sets"][gold.name] = metrics
        result.errors.extend(errors)
    return result


def evaluate_model(
    model_dir: Path,
    gold_dir: Path,
    *,
    raw_dir: Path,
    out: Path | None,
    sets: Sequence[str] = (),
    floors_path: Path | None = None,
    raise_floors: bool = False,
    rules_dir: Path | None = None,
) -> Evaluation:
    """Load the built model, score it, write ``out`` and check (or raise) the floors.

    A model built from rules other than ``rules_dir`` is scored all the same, with a note.

    Raises:
        FileNotFoundError: when ``model_dir`` holds no built model.
    """
    from pipeline.build import load_model, read_model_meta

    nlp = load_model(model_dir)
    meta = {"path": str(model_dir), **read_model_meta(model_dir)}
    result = evaluate(nlp, gold_dir, raw_dir=raw_dir, sets=sets, model_meta=meta)
    if rules_dir is not None and Path(rules_dir).is_dir():
        from pipeline.rules import rules_hash

        if meta.get("rules_hash") != rules_hash(rules_dir):
            result.notes.append(
                f"{model_dir} was built from other rules than {rules_dir}: "
                "run `ceasefire-claims rules build` (make model) to score the current rules"
            )
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(
            json.dumps(result.metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if floors_path is not None and Path(floors_path).exists():
        floors = read_floors(floors_path)
        scored = {s: f for s, f in floors.items() if s in result.metrics["sets"]}
        if raise_floors:
            write_floors(floors_path, {**floors, **raised_floors(scored, result.metrics["sets"])})
            scored = {s: f for s, f in read_floors(floors_path).items() if s in scored}
        result.below_floor = floor_failures(result.metrics["sets"], scored)
    return result
