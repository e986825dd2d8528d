"""Short reports printed by the CLI: the build summary and store statistics."""
from __future__ import annotations

import json

from .formatting import table
from .resources import queries_dir
from .sparql import bind_params, find_saved_query, run_query
from .store import GraphStore

_COUNTS = """
PREFIX kg: <https://w3id.org/confkg/ontology#>
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class
"""
_PER_RECAP = """
PREFIX kg: <https://w3id.org/confkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?file ?event (COUNT(DISTINCT ?talk) AS ?talks) (COUNT(DISTINCT ?speaker) AS ?speakers)
       (COUNT(DISTINCT ?tool) AS ?tools) WHERE {
  ?recap kg:sourceFile ?file ; kg:about ?e . ?e rdfs:label ?event .
  OPTIONAL { ?talk kg:describedIn ?recap .
             OPTIONAL { ?talk kg:speaker ?speaker } OPTIONAL { ?talk kg:mentions ?tool } }
} GROUP BY ?file ?event ORDER BY ?file
"""
CLASSES = ("Event", "Talk", "Person", "Organization", "Tool", "Recap")


def class_counts(gs: GraphStore) -> dict[str, int]:
    result = run_query(gs.store, _COUNTS)
    counts = {c: 0 for c in CLASSES}
    for cls, n in result.rows:
        name = cls.rsplit("#", 1)[-1]
        if name in counts:
            counts[name] = n
    return counts


def stats_tables(gs: GraphStore, fmt: str) -> str:
    counts = class_counts(gs)
    per_recap = run_query(gs.store, _PER_RECAP)
    if fmt == "json":
        recaps = [dict(zip(per_recap.columns, row)) for row in per_recap.rows]
        return json.dumps({"classes": counts, "recaps": recaps}, ensure_ascii=False, indent=2) + "\n"
    out = table(["class", "count"], [[c, str(n)] for c, n in counts.items()])
    out += "\n" + table(per_recap.columns, [[str(v) for v in row] for row in per_recap.rows])
    return out


def build_summary(gs: GraphStore, report) -> str:
    counts = class_counts(gs)
    speakers = run_query(gs.store, "PREFIX kg: <https://w3id.org/confkg/ontology#> "
                                   "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?t kg:speaker ?p }").rows[0][0]
    lines = [
        f"Recaps read: {len(report.built) + len(report.cached)} "
        f"({len(report.built)} extracted, {len(report.cached)} unchanged)"
        + (f", {len(report.failed)} failed" if report.failed else "")
        + (f", {len(report.dropped)} dropped (source gone)" if report.dropped else ""),
        f"Store: {counts['Recap']} recaps, {counts['Event']} events, {counts['Talk']} talks, {speakers} speakers, "
        f"{counts['Organization']} organisations, {counts['Tool']} tools",
        "",
        "Tools that recur across events:",
    ]
    saved = find_saved_query("recurring-tools", [queries_dir()])
    result = run_query(gs.store, saved.text, bind_params(saved, {}))
    rows = [[str(v) for v in row] for row in result.rows]
    lines.append(table(result.columns, rows, max_width=40).rstrip() if rows else "(none yet)")
    return "\n".join(lines)
