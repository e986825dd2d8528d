"""Aggregates of the knowledge graph that the saved queries read, computed once per build.

Recurring tools (per tool: kg:eventCount, kg:talkCount, kg:eventLabels) and co-mentions
(kg:CoMention pairs) are written into the knowledge graph at every build, so they are
exact for the graph they sit in after every build, incremental or not. Computed at query
time they took seconds on stores of millions of triples; read, a few milliseconds.
They are defined by SPARQL updates over the knowledge graph, so a dataset read from a
file gets them the same way (complete_knowledge_graph).

This module imports nothing but kg.sparql: report and query paths stay fast.
"""
from __future__ import annotations

from .sparql import reads_union

AGGREGATES = """
PREFIX kg: <https://w3id.org/confkg/ontology#>
PREFIX kgr: <https://w3id.org/confkg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?t kg:eventCount ?event_count ; kg:talkCount ?talk_count ; kg:eventLabels ?events }
WHERE {
  SELECT ?t (COUNT(DISTINCT ?event) AS ?event_count) (GROUP_CONCAT(DISTINCT ?event_label; separator="; ") AS ?events)
         (COUNT(DISTINCT ?talk) AS ?talk_count)
  WHERE {
    { SELECT ?t ?event ?event_label ?talk WHERE {
        ?talk kg:mentions ?t ; kg:presentedAt ?event . ?event rdfs:label ?event_label .
      } ORDER BY ?event_label }
  }
  GROUP BY ?t
} ;
INSERT { ?pair a kg:CoMention ; kg:firstTool ?a ; kg:secondTool ?b ; kg:firstLabel ?label_a ; kg:secondLabel ?label_b ;
               kg:talkCount ?talk_count }
WHERE {
  { SELECT ?x ?y (COUNT(DISTINCT ?talk) AS ?talk_count) WHERE { ?talk kg:mentions ?x , ?y . FILTER (STR(?x) < STR(?y)) }
    GROUP BY ?x ?y }
  ?x rdfs:label ?label_x .
  ?y rdfs:label ?label_y .
  FILTER (STR(?label_x) != STR(?label_y))
  # the pair in the order of its labels, as the co-mentions query lists it
  BIND (STR(?label_x) < STR(?label_y) AS ?in_order)
  BIND (IF(?in_order, ?x, ?y) AS ?a)
  BIND (IF(?in_order, ?y, ?x) AS ?b)
  BIND (IF(?in_order, ?label_x, ?label_y) AS ?label_a)
  BIND (IF(?in_order, ?label_y, ?label_x) AS ?label_b)
  BIND (IRI(CONCAT(STR(kgr:), "co-mention/", STRAFTER(STR(?a), "/tool/"), "--", STRAFTER(STR(?b), "/tool/")))
        AS ?pair)
}
"""

# A dataset of recap graphs alone (a TriG export of an older version, a hand-written sample) gets its
# knowledge graph from their union: every triple but the evidence, then the aggregates.
_MERGE_RECAP_GRAPHS = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX oa: <http://www.w3.org/ns/oa#>
INSERT { ?s ?p ?o } WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER NOT EXISTS { GRAPH ?g { ?s a ?evidence_class } VALUES ?evidence_class {
    rdf:Statement oa:Annotation oa:SpecificResource oa:TextPositionSelector oa:TextQuoteSelector } }
}
"""

_DROP_AGGREGATES = """
PREFIX kg: <https://w3id.org/confkg/ontology#>
DELETE WHERE { ?t kg:eventCount ?count } ;
DELETE WHERE { ?t kg:eventLabels ?labels } ;
DELETE WHERE { ?t kg:talkCount ?count } ;
DELETE WHERE { ?pair a kg:CoMention ; ?p ?o }
"""


def add_aggregates(store) -> None:
    """Writes the aggregates of the knowledge graph (the store's default graph) into it."""
    store.update(AGGREGATES)


def complete_knowledge_graph(store) -> None:
    """Makes a dataset read from a file what kg build writes: the knowledge graph from the recap graphs when it
    has none, and its aggregates computed afresh (the file's may be missing, or stale after an edit)."""
    if reads_union(store):
        store.update(_MERGE_RECAP_GRAPHS)
    store.update(_DROP_AGGREGATES)
    add_aggregates(store)
