"""Where each fact was read: the evidence beside a talk's, a person's or a tool's triples.

Reads the kg:Evidence annotations the builder writes (see kg.rdf) back from the
store; works on any graph that carries them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Variable

from .errors import UsageError
from .names import key
from .sparql import run_query

PREDICATES = ("presentedAt", "speaker", "worksAt", "mentions", "author")

_NODES = """
SELECT ?node ?type ?label ?name WHERE {
  ?node a ?type ; rdfs:label ?label .
  { ?node rdfs:label ?name } UNION { ?node skos:altLabel ?name }
  FILTER(STRSTARTS(STR(?type), STR(kg:)) && ?type != kg:Recap && ?type != kg:Evidence)
}
"""

_EVIDENCE = """
SELECT ?node ?s ?p ?o ?file ?start ?end ?exact ?prefix ?suffix ?rule ?confidence WHERE {
  GRAPH ?recap {
    { ?fact rdf:subject ?node } UNION { ?fact rdf:object ?node }
    ?fact rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    ?ann oa:hasBody ?fact ; oa:hasTarget ?target ; kg:rule ?rule ; kg:confidence ?confidence .
    ?target oa:hasSource ?recap ; oa:hasSelector ?position , ?quote .
    ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
    ?quote a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
    ?recap kg:sourceFile ?file .
  }
}
"""

_LABEL = "SELECT ?node ?label WHERE { ?node rdfs:label ?label }"


@dataclass(frozen=True)
class NodeRef:
    iri: str
    kind: str
    label: str


@dataclass(frozen=True)
class Evidence:
    source_file: str
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    rule: str
    confidence: float

    @property
    def quote(self) -> str:
        return f"{self.prefix}[{self.exact}]{self.suffix}"


@dataclass
class ExplainedFact:
    subject: NodeRef
    predicate: str
    object: NodeRef
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        return max(e.confidence for e in self.evidence)


def find_nodes(store, term: str) -> list[NodeRef]:
    """Nodes whose IRI is term, or whose label or other name matches it (case, accents, punctuation ignored)."""
    wanted = key(term)
    found = {}
    for node, kind, label, name in run_query(store, _NODES).rows:
        if node == term or key(name) == wanted:
            found[node] = NodeRef(node, kind.rsplit("#", 1)[-1], label)
    return sorted(found.values(), key=lambda n: (n.kind, n.label, n.iri))


def find_node(store, term: str, kind: str | None = None) -> NodeRef:
    nodes = [n for n in find_nodes(store, term) if kind is None or n.kind.lower() == kind.lower()]
    if not nodes:
        raise UsageError(f"nothing in the store is called {term!r}")
    if len(nodes) > 1:
        listing = "; ".join(f"{n.kind} {n.label} <{n.iri}>" for n in nodes[:10])
        raise UsageError(f"{term!r} names {len(nodes)} nodes, give the IRI or --kind: {listing}")
    return nodes[0]


def explain(store, node: NodeRef, predicate: str | None = None, other: NodeRef | None = None) -> list[ExplainedFact]:
    """The facts about a node, each with the places it was read, best supported first."""
    if predicate and predicate not in PREDICATES:
        raise UsageError(f"unknown predicate {predicate!r}: use one of {', '.join(PREDICATES)}")
    rows = run_query(store, _EVIDENCE, {Variable("node"): NamedNode(node.iri)}).rows
    labels = {}
    facts: dict[tuple[str, str, str], ExplainedFact] = {}
    for s, p, o, file, start, end, exact, prefix, suffix, rule, confidence in rows:
        p = p.rsplit("#", 1)[-1]
        if predicate and p != predicate or other and other.iri not in (s, o):
            continue
        fact = facts.get((s, p, o))
        if fact is None:
            labels = labels or _labels(store)
            fact = facts[(s, p, o)] = ExplainedFact(_ref(labels, s), p, _ref(labels, o))
        fact.evidence.append(Evidence(file, int(start), int(end), exact, prefix, suffix, rule, float(confidence)))
    for fact in facts.values():
        fact.evidence.sort(key=lambda e: (e.source_file, e.start, e.rule))
    return sorted(facts.values(), key=lambda f: (PREDICATES.index(f.predicate), f.subject.label, f.object.label))


def _labels(store) -> dict[str, str]:
    return {node: label for node, label in run_query(store, _LABEL).rows}


def _ref(labels: dict[str, str], iri: str) -> NodeRef:
    return NodeRef(iri, "", labels.get(iri, iri))
