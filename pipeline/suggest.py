"""Rule candidates from new articles: what the rules do not know yet, ranked, for review.

``suggest`` runs the built model over new articles and collects *hits*
(:mod:`pipeline.unknowns`): an unknown capitalised name in an actor position
(after an attribution phrase, before a delegation noun), a person the people
dictionary lacks, an uncovered word next to an actor or a number (a cue verb),
the counted word of a quantity whose category came out as the default, a date
left unresolved. Where to look is
data: ``rules/suggest_contexts.jsonl`` (trigger phrase or record, what to
capture, on which side), and what a candidate becomes is data too:
``rules/suggest_templates.jsonl`` maps each candidate kind to its target rules
file and a template row (``"{text}"``, ``"{id}"``, ``"{lemma}"`` and record
fields are filled in). Hits are grouped into :class:`Candidate` rows, ranked by
frequency with two example sentences each, and written to
``rules/candidates/<kind>.jsonl``. Nothing is added to the rules: a person
reviews the rows and runs ``rules accept`` (:mod:`pipeline.accept`).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from pipeline.corpus import RawDoc, iter_inputs
from pipeline.rules import (
    Field,
    RuleProblem,
    RuleRow,
    RulesError,
    RuleSpec,
    check_references,
    read_rule_rows,
)
from pipeline.unknowns import Hit, HitFinder, snake_id

SUGGEST_TEMPLATES = RuleSpec(
    name="suggest_templates",
    fields={
        "candidate": Field(required=True),
        "target": Field(required=True),
        "row": Field(kind="any", required=True),
        "defaults": Field(kind="any"),
        "note": Field(),
    },
    unique=("candidate",),
    description="what each kind of candidate becomes: target rules file and template row",
)
SUGGEST_CONTEXTS = RuleSpec(
    name="suggest_contexts",
    fields={
        "context_id": Field(required=True),
        "candidate": Field(required=True, ref="suggest_templates.candidate"),
        "trigger": Field(
            required=True, choices=frozenset({"phrase", "entities", "quantities", "dates"})
        ),
        "text": Field(),
        "where": Field(kind="any"),
        "capture": Field(required=True, choices=frozenset({"name", "word", "record"})),
        "slot": Field(choices=frozenset({"before", "after"})),
        "window": Field(kind="int", default=1),
        "inflected": Field(kind="bool", default=False),
        "suffixes": Field(kind="list", default=[]),
        "field": Field(default="text"),
        "values": Field(kind="any"),
        "note": Field(),
    },
    unique=("context_id",),
    description="where suggest looks for unknown names and words",
)
SUGGEST_SPECS = (SUGGEST_TEMPLATES, SUGGEST_CONTEXTS)

#: Example sentences kept per candidate.
EXAMPLES = 2
CANDIDATES_DIR = "candidates"
#: Keys of rule rows that hold prose, not vocabulary.
PROSE_KEYS = frozenset({"note", "description", "example"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class Candidate:
    """A proposed rule row with the evidence for it (one line of a candidates file)."""

    id: str
    candidate: str
    text: str
    count: int
    docs: int
    contexts: list[str]
    examples: list[str]
    target: str
    row: dict[str, Any]

    def as_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)


@dataclass
class SuggestResult:
    """What ``suggest`` did."""

    documents: int = 0
    rejected: int = 0
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)


# -- rules -----------------------------------------------------------------------


def load_suggest_rules(
    rules_dir: Path, target_specs: Mapping[str, RuleSpec]
) -> tuple[list[RuleRow], dict[str, RuleRow]]:
    """Return the context rows and the templates by candidate kind, all checked.

    Raises:
        RulesError: bad rows, unknown candidate kinds, or a template whose target
            is not a rules file or whose row has keys the target file does not allow.
    """
    problems: list[RuleProblem] = []
    rows: dict[str, list[RuleRow]] = {}
    for spec in SUGGEST_SPECS:
        path = Path(rules_dir) / f"{spec.name}.jsonl"
        got, bad = read_rule_rows(path, spec)
        rows[spec.name] = got
        problems.extend(bad)
    problems.extend(check_references(SUGGEST_SPECS, rows))
    for row in rows["suggest_templates"]:
        problems.extend(_template_problems(row, target_specs))
    for row in rows["suggest_contexts"]:
        if row["trigger"] == "phrase" and not row.get("text"):
            problems.append(RuleProblem(row.path, row.line, "a phrase trigger needs text"))
        if row["capture"] != "record" and not row.get("slot"):
            problems.append(
                RuleProblem(row.path, row.line, f"capture {row['capture']!r} needs a slot")
            )
    if problems:
        raise RulesError(problems)
    return rows["suggest_contexts"], {r["candidate"]: r for r in rows["suggest_templates"]}


def _template_problems(row: RuleRow, target_specs: Mapping[str, RuleSpec]) -> list[RuleProblem]:
    spec = target_specs.get(row["target"])
    if spec is None:
        return [RuleProblem(row.path, row.line, f"target {row['target']!r} is not a rules file")]
    if not isinstance(row["row"], dict):
        return [RuleProblem(row.path, row.line, "row must be a JSON object")]
    unknown = sorted(set(row["row"]) - set(spec.fields))
    return [
        RuleProblem(
            row.path,
            row.line,
            f"row key {k!r} is not a field of {spec.name} ({', '.join(spec.fields)})",
        )
        for k in unknown
    ]


def rule_vocabulary(rows_by_file: Mapping[str, Sequence[RuleRow]]) -> tuple[set[str], set[str]]:
    """Return every lower-cased string value in the rules, and every word in them."""
    texts: set[str] = set()
    for rows in rows_by_file.values():
        for row in rows:
            for key, value in row.data.items():
                if key in PROSE_KEYS:
                    continue
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        texts.add(item.lower())
    words = {w for t in texts for w in re.findall(r"[^\W\d_]+", t)}
    return texts, words


def model_rules(
    nlp: Language,
) -> tuple[dict[str, RuleSpec], dict[str, list[RuleRow]], dict[str, list[str]]]:
    """Return a built pipeline's rule specs and rows by file name, and each file's siblings.

    The siblings of a file are the files of the component that reads it (its own
    vocabulary decides what counts as known for a candidate aimed at that file).
    """
    specs: dict[str, RuleSpec] = {}
    rows: dict[str, list[RuleRow]] = {}
    siblings: dict[str, list[str]] = defaultdict(list)
    for _, component in nlp.pipeline:
        names = [spec.name for spec in getattr(component, "RULE_SPECS", ())]
        for spec in getattr(component, "RULE_SPECS", ()):
            specs[spec.name] = spec
            rows[spec.name] = list(getattr(component, "rows", {}).get(spec.name, []))
            siblings[spec.name].extend(n for n in names if n not in siblings[spec.name])
    return specs, rows, dict(siblings)


# -- candidates ------------------------------------------------------------------


def filled(template: Any, values: Mapping[str, Any]) -> Any:
    """Return ``template`` with ``{name}`` placeholders filled; unfillable keys and items drop out.

    A string that is exactly one placeholder takes the value with its type;
    placeholders inside longer strings are replaced by text.
    """
    if isinstance(template, dict):
        out = {k: filled(v, values) for k, v in template.items()}
        return {k: v for k, v in out.items() if v is not None}
    if isinstance(template, list):
        return [v for v in (filled(t, values) for t in template) if v is not None]
    if not isinstance(template, str):
        return template
    whole = _PLACEHOLDER.fullmatch(template)
    if whole:
        value = values.get(whole[1])
        return None if value in (None, "", []) else value
    names = _PLACEHOLDER.findall(template)
    if any(values.get(n) in (None, "") for n in names):
        return None
    return _PLACEHOLDER.sub(lambda m: str(values[m[1]]), template)


def _most_common(hits: Sequence[Hit]) -> dict[str, Any]:
    by_key: dict[str, Counter[str]] = defaultdict(Counter)
    originals: dict[tuple[str, str], Any] = {}
    for hit in hits:
        for key, value in hit.values.items():
            token = json.dumps(value, sort_keys=True, default=str)
            by_key[key][token] += 1
            originals[key, token] = value
    return {key: originals[key, counter.most_common(1)[0][0]] for key, counter in by_key.items()}


def _examples(hits: Sequence[Hit]) -> list[str]:
    chosen: list[Hit] = []
    for hit in hits:  # one per document first, then any
        if all(hit.doc_id != c.doc_id for c in chosen) and all(
            hit.sentence != c.sentence for c in chosen
        ):
            chosen.append(hit)
    for hit in hits:
        if len(chosen) >= EXAMPLES:
            break
        if all(hit.sentence != c.sentence for c in chosen):
            chosen.append(hit)
    return [h.sentence for h in chosen[:EXAMPLES]]


def candidates_from_hits(
    hits: Iterable[Hit],
    templates: Mapping[str, RuleRow],
    target_specs: Mapping[str, RuleSpec],
    target_rows: Mapping[str, Sequence[RuleRow]],
    *,
    min_count: int = 1,
) -> dict[str, list[Candidate]]:
    """Group hits into candidates by kind, most frequent first; drop what the target knows."""
    grouped: dict[tuple[str, str], list[Hit]] = defaultdict(list)
    for hit in hits:
        grouped[hit.kind, hit.text.lower()].append(hit)
    out: dict[str, list[Candidate]] = defaultdict(list)
    for (kind, _), group in grouped.items():
        if len(group) < min_count:
            continue
        template = templates[kind]
        text = Counter(h.text for h in group).most_common(1)[0][0]
        values = {
            **dict(template.get("defaults") or {}),
            **_most_common(group),
            "text": text,
            "lower": text.lower(),
            "id": snake_id(text),
        }
        values.setdefault("lemma", text.lower())
        row = filled(template["row"], values)
        spec = target_specs[template["target"]]
        if _already_in(row, spec, target_rows.get(spec.name, [])):
            continue
        out[kind].append(
            Candidate(
                id=f"{kind}:{snake_id(text)}",
                candidate=kind,
                text=text,
                count=len(group),
                docs=len({h.doc_id for h in group}),
                contexts=sorted({h.context_id for h in group}),
                examples=_examples(group),
                target=spec.name,
                row=row,
            )
        )
    return {
        k: sorted(v, key=lambda c: (-c.count, -c.docs, c.text.lower()))
        for k, v in sorted(out.items())
    }


def _already_in(row: Mapping[str, Any], spec: RuleSpec, rows: Sequence[RuleRow]) -> bool:
    if not spec.unique:
        return False
    key = tuple(str(row.get(k)).lower() for k in spec.unique)
    return any(tuple(str(r.data.get(k)).lower() for k in spec.unique) == key for r in rows)


# -- the job ---------------------------------------------------------------------


def suggest(
    nlp: Language,
    inputs: Sequence[Path],
    *,
    rules_dir: Path,
    out_dir: Path | None = None,
    min_count: int = 1,
) -> SuggestResult:
    """Run ``nlp`` over ``inputs`` and write ranked candidates to ``out_dir`` (rules/candidates).

    Raises:
        RulesError: when the suggest rules are invalid.
    """
    specs, rows, siblings = model_rules(nlp)
    contexts, templates = load_suggest_rules(rules_dir, specs)
    known = {
        kind: rule_vocabulary({name: rows[name] for name in siblings[template["target"]]})
        for kind, template in templates.items()
    }
    finder = HitFinder(nlp, contexts, known)
    result = SuggestResult()
    hits: list[Hit] = []
    for item in iter_inputs(inputs):
        if not isinstance(item, RawDoc):
            result.rejected += 0 if item.kept else 1
            continue
        result.documents += 1
        doc = nlp.make_doc(item.text)
        doc._.published = item.published
        hits.extend(finder.hits(nlp(doc), item.doc_id))
    result.candidates = candidates_from_hits(hits, templates, specs, rows, min_count=min_count)
    out_dir = Path(out_dir) if out_dir is not None else Path(rules_dir) / CANDIDATES_DIR
    result.written = write_candidates(out_dir, result.candidates, kinds=templates, source=inputs)
    return result


def write_candidates(
    out_dir: Path,
    candidates: Mapping[str, Sequence[Candidate]],
    *,
    kinds: Iterable[str],
    source: Sequence[Path],
) -> list[Path]:
    """Write one ``<kind>.jsonl`` per candidate kind (emptying stale files), return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in sorted(kinds):
        path = out_dir / f"{kind}.jsonl"
        rows = candidates.get(kind, [])
        if not rows and not path.exists():
            continue
        sources = ", ".join(str(s) for s in source)
        header = (
            f"# {len(rows)} {kind} candidate(s) from {sources}, most frequent first.\n"
            "# Review each row (edit `row`, delete what is wrong), then:\n"
            f"#   ceasefire-claims rules accept {path} [--ids ID ...]\n"
        )
        path.write_text(header + "".join(c.as_json() + "\n" for c in rows), encoding="utf-8")
        written.append(path)
    return written
