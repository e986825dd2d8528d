#!/usr/bin/env python3
"""Precision of each tool rule on the bundled corpus, as if its tools were unknown.

The tools gazetteer is emptied, so only the context rules (link anchors, repository
URLs, "l'outil X", code spans, titles...) can find tools: this is what happens on
recaps whose tools no gazetteer lists. Every tool a rule finds in a talk is correct
(a required gold tool), optional (a gold optional tool) or wrong (anything else, or
any tool of a talk that matches no gold talk); a row per rule and confidence level,
a tool counted once per talk. The same table with the gazetteer on follows. Talks and
names are matched like the scorer does (titles; normalised names, gold aliases).

    python scripts/rule_precision.py [--gold DIR] [--min-confidence X] [-v]

--min-confidence 0 shows every candidate, also those under MIN_TOOL_CONFIDENCE.
"""
from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import yaml

import kg.extract
from kg import gazetteer
from kg.document import MAX_BYTES_DEFAULT, decode, parse_document, read_bytes
from kg.evaluate import TALK_MATCH, Aliases, title_similarity
from kg.segment import segment

ROOT = Path(__file__).resolve().parent.parent


def _aliases(golds: list[dict]) -> Aliases:
    """Any spelling -> one key; the alias groups of all gold files merged, as the scorer does."""
    alias = Aliases()
    for gd in golds:
        for canonical, others in (gd.get("aliases") or {}).items():
            alias.add([canonical, *(others or [])])
    return alias


def _match(talks, gold_talks) -> dict[int, dict]:
    """Greedy one-to-one matching of extracted talks to gold talks by title, as kg eval does."""
    pairs = sorted(((max(title_similarity(p, g) for p in [t.title, *t.title_aliases]
                         for g in [gt["title"], *(gt.get("title_aliases") or [])]), i, j)
                    for i, t in enumerate(talks) for j, gt in enumerate(gold_talks)), reverse=True)
    used_p, used_g, out = set(), set(), {}
    for sim, i, j in pairs:
        if sim >= TALK_MATCH and i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out[i] = gold_talks[j]
    return out


def measure(corpus: Path, golds: list[dict], alias) -> tuple[dict, int, int, list]:
    """{"rule confidence": {correct/optional/wrong: {(file, talk, name)}}}, the required tools found,
    their number and those missed."""
    by_source = {gd["source"]: gd for gd in golds}
    per_rule: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    found_required = total_required = 0
    missed = []
    for path in sorted(corpus.iterdir()):
        gold = by_source.get(path.name)
        if gold is None:
            continue
        doc = parse_document(decode(read_bytes(path, MAX_BYTES_DEFAULT), path), path.name,
                             suffix=path.suffix.lower(), path=path)
        talks = kg.extract.extract(segment(doc)).talks
        matched = _match(talks, gold.get("talks") or [])
        for i, talk in enumerate(talks):
            gt = matched.get(i, {})
            required = {alias(t) for t in gt.get("tools") or []}
            optional = {alias(t) for t in gt.get("optional_tools") or []}
            for m in talk.tools:
                k = alias(m.canonical or m.text)
                verdict = "correct" if k in required else "optional" if k in optional else "wrong"
                per_rule[f"{m.rule} {m.confidence:.2f}"][verdict].add((path.name, i, m.canonical or m.text))
            found = {alias(m.canonical or m.text) for m in talk.tools}
            found_required += len(required & found)
            missed += [(path.name, i, t) for t in gt.get("tools") or [] if alias(t) not in found]
        total_required += sum(len(gt.get("tools") or []) for gt in gold.get("talks") or [])
    return per_rule, found_required, total_required, missed


def report(title: str, per_rule: dict, found: int, total: int, missed: list, verbose: bool) -> None:
    print(f"\n{title}")
    print(f"{'rule confidence':<22}{'mentions':>9}{'correct':>9}{'optional':>9}{'wrong':>7}{'precision':>11}")
    sums = [0, 0, 0]
    for rule in sorted(per_rule):
        c, o, w = (len(per_rule[rule][v]) for v in ("correct", "optional", "wrong"))
        sums = [sums[0] + c, sums[1] + o, sums[2] + w]
        print(f"{rule:<22}{c + o + w:>9}{c:>9}{o:>9}{w:>7}{(c + o) / (c + o + w):>11.3f}")
    c, o, w = sums
    print(f"{'all':<22}{c + o + w:>9}{c:>9}{o:>9}{w:>7}{(c + o) / max(1, c + o + w):>11.3f}")
    print(f"recall of required tools: {found}/{total} = {found / max(1, total):.3f}")
    if verbose:
        for rule in sorted(per_rule):
            for verdict in ("wrong", "optional"):
                names = sorted(per_rule[rule][verdict])
                if names:
                    print(f"  {rule} {verdict}: " + ", ".join(f"{n} ({f[:3]}#{t})" for f, t, n in names))
        print("  missed: " + ", ".join(f"{n} ({f[:3]}#{t})" for f, t, n in missed))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--gold", type=Path, default=ROOT / "tests" / "gold-dev")
    ap.add_argument("--min-confidence", type=float, help="override kg.extract.MIN_TOOL_CONFIDENCE")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="list the wrong and optional names per rule, and the required tools missed")
    args = ap.parse_args()
    if args.min_confidence is not None:
        kg.extract.MIN_TOOL_CONFIDENCE = args.min_confidence
    golds = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(args.gold.glob("*.yaml"))]
    alias = _aliases(golds)
    print(f"MIN_TOOL_CONFIDENCE = {kg.extract.MIN_TOOL_CONFIDENCE}")

    known = gazetteer.tools
    gazetteer.tools = lambda: gazetteer.Gazetteer([])  # every tool unknown (extract reads it at each call)
    try:
        off = measure(args.corpus, golds, alias)
    finally:
        gazetteer.tools = known
    report("Gazetteer OFF (tools unknown: context rules alone)", *off, args.verbose)
    report("Gazetteer ON", *measure(args.corpus, golds, alias), args.verbose)


if __name__ == "__main__":
    main()
