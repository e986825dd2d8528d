"""Ablation on the dev set: what each extraction rule adds to the scores.

Reads the bundled corpus once, then scores the full extraction and, for each rule,
the extraction without the mentions that rule found (a speaker's employer goes
with the speaker), with kg's own scorer against tests/gold-dev. Also scores the
extraction without spaCy's NER and without the tool gazetteer (unknown tools
from context only), which need the corpus read again.

    python scripts/ablation.py            # markdown table on stdout
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

from pyoxigraph import Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg import gazetteer  # noqa: E402
from kg.document import load_document  # noqa: E402
from kg.evaluate import RELATIONS, Graph, evaluate, load_gold  # noqa: E402
from kg.extract import Extraction, extract  # noqa: E402
from kg.rdf import recap_quads  # noqa: E402
from kg.resolve import resolve  # noqa: E402
from kg.segment import segment  # noqa: E402

CORPUS = ROOT / "corpus"
GOLD = ROOT / "tests" / "gold-dev"


def read_corpus(use_ner: bool = True) -> list[Extraction]:
    files = sorted(p for p in CORPUS.iterdir() if p.is_file() and not p.name.startswith(("README", ".")))
    return [extract(segment(load_document(p)), use_ner=use_ner) for p in files]


def scores(extractions: list[Extraction]) -> dict[str, float]:
    resolution = resolve(extractions)
    store = Store()
    for r in resolution.recaps:
        store.extend(recap_quads(r, resolution))
    result = evaluate(Graph.from_store(store), load_gold(GOLD))
    return {r: result.relations[r].f1 for r in RELATIONS}


def without_rule(extractions: list[Extraction], rule: str) -> list[Extraction]:
    out = copy.deepcopy(extractions)
    for x in out:
        for t in x.talks:
            t.tools = [m for m in t.tools if m.rule != rule]
            t.speakers = [s for s in t.speakers if s.rule != rule]
            for s in t.speakers:
                if s.affiliation and s.affiliation.rule == rule:
                    s.affiliation = None
    return out


def rules_of(extractions: list[Extraction]) -> list[tuple[str, str, int]]:
    """(kind, rule, mentions) for every rule that found something."""
    counts: dict[tuple[str, str], int] = {}
    for x in extractions:
        for t in x.talks:
            for kind, mentions in (("tool", t.tools), ("speaker", t.speakers),
                                   ("employer", [s.affiliation for s in t.speakers if s.affiliation])):
                for m in mentions:
                    counts[(kind, m.rule)] = counts.get((kind, m.rule), 0) + 1
    return sorted((kind, rule, n) for (kind, rule), n in counts.items())


def main() -> None:
    full = read_corpus()
    base = scores(full)
    rows = [("everything", "", base)]
    for kind, rule, n in rules_of(full):
        rows.append((f"without {kind} rule `{rule}`", str(n), scores(without_rule(full, rule))))
    rows.append(("without spaCy NER", "", scores(read_corpus(use_ner=False))))
    gazetteer.tools.cache_clear()
    original = gazetteer.tools
    gazetteer.tools = lambda: gazetteer.Gazetteer([])
    try:
        rows.append(("without the tool gazetteer", "", scores(read_corpus())))
    finally:
        gazetteer.tools = original
    print("| variant | mentions | " + " | ".join(RELATIONS) + " |")
    print("| --- | ---: |" + " ---: |" * len(RELATIONS))
    for name, n, s in rows:
        cells = [f"{s[r]:.3f}" if name == "everything" else f"{s[r]:.3f} ({s[r] - base[r]:+.3f})" for r in RELATIONS]
        print(f"| {name} | {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
