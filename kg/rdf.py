"""Stage 5: resolved entities become RDF: the knowledge graph, and one named graph per recap.

The default graph is the knowledge graph: every node and every fact once. Each
recap's named graph says what that recap says, self-contained (it holds the type
and label of every node it links to, so it can be exported or pushed on its own),
with the evidence. Queries read the default graph, where a fact several recaps
state is one triple; the evidence is read from the recap graphs (GRAPH ?recap).
No timestamps, no blank nodes: the same corpus gives the same quads.

Direct triples (kg:mentions, kg:speaker, ...) stay simple for queries. Beside
each, its evidence: an rdf:Statement naming the triple, and one W3C Web
Annotation (kg:Evidence) per place it was read, targeting the recap with a
TextPositionSelector (offsets into the recap's text as confkg reads it, markup
removed) and a TextQuoteSelector (the words and the rest of their sentence),
with the rule that read it and its confidence.
"""
from __future__ import annotations

import hashlib
from typing import Iterator

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

from .resolve import Fact, Node, ResolvedRecap, Resolution

KG = "https://w3id.org/confkg/ontology#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_ALT = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
FOAF_HOMEPAGE = NamedNode("http://xmlns.com/foaf/0.1/homepage")
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")
XSD_DECIMAL = NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OA = "http://www.w3.org/ns/oa#"
# Evidence kept per fact and recap: the first places it was read (a tool named
# twenty times in a talk needs no twenty annotations).
EVIDENCE_PER_FACT = 3


def kg(term: str) -> NamedNode:
    return NamedNode(KG + term)


def recap_quads(recap: ResolvedRecap, resolution: Resolution) -> list[Quad]:
    """What one recap says, self-contained: its facts, the description of every node they name, the evidence."""
    g = NamedNode(recap.iri)
    triples = list(_recap_facts(recap))
    named = dict.fromkeys(t for s, _, o in triples for t in (s, o) if isinstance(t, str) and t in resolution.nodes)
    quads = [Quad(*triple, g) for iri in named for triple in _description(resolution.nodes[iri])]
    quads += (Quad(NamedNode(s), p, NamedNode(o) if isinstance(o, str) else o, g) for s, p, o in triples)
    for fact, mentions in _facts_with_mentions(recap.facts).items():
        quads += evidence_quads(recap.iri, fact, mentions, g)
    return list(dict.fromkeys(quads))  # exports sort; the store needs no order


def merged_quads(resolution: Resolution) -> Iterator[Quad]:
    """The knowledge graph, in the default graph: every node's description and every fact once, without
    evidence. Recap graphs repeat what several recaps say; queries read this graph, where nothing is counted twice."""
    g = DefaultGraph()
    for iri in sorted(resolution.nodes):
        for triple in _description(resolution.nodes[iri]):
            yield Quad(*triple, g)
    seen: set[tuple] = set()
    for recap in resolution.recaps:
        for fact in _recap_facts(recap):
            if fact not in seen:
                seen.add(fact)
                s, p, o = fact
                yield Quad(NamedNode(s), p, NamedNode(o) if isinstance(o, str) else o, g)


def _description(node: Node) -> Iterator[tuple]:
    subject = NamedNode(node.iri)
    yield subject, RDF_TYPE, kg(node.kind)
    yield subject, RDFS_LABEL, Literal(node.label)
    for alt in sorted(node.alt_labels):
        yield subject, SKOS_ALT, Literal(alt)
    if node.category:
        yield subject, kg("category"), Literal(node.category)
    if node.homepage:
        yield subject, FOAF_HOMEPAGE, NamedNode(node.homepage)


def _recap_facts(recap: ResolvedRecap) -> Iterator[tuple]:
    """(subject, predicate, object) of the recap's facts; an object given as str is a node's IRI."""
    yield recap.iri, kg("sourceFile"), Literal(recap.source_file)
    yield recap.iri, kg("about"), recap.event
    if recap.published:
        yield recap.iri, kg("published"), Literal(recap.published, datatype=XSD_DATE)
    for author in recap.authors:
        yield recap.iri, kg("author"), author
    if recap.series:
        yield recap.event, kg("series"), recap.series
    if recap.start_date:
        yield recap.event, kg("startDate"), Literal(recap.start_date, datatype=XSD_DATE)
    if recap.city:
        yield recap.event, kg("city"), Literal(recap.city)
    for talk in recap.talks:
        yield talk.iri, kg("presentedAt"), recap.event
        yield talk.iri, kg("describedIn"), recap.iri
        for person in talk.speakers:
            yield talk.iri, kg("speaker"), person
        for tool in talk.tools:
            yield talk.iri, kg("mentions"), tool
    for person, org in recap.works_at:
        yield person, kg("worksAt"), org


def _facts_with_mentions(facts: list[Fact]) -> dict[tuple[str, str, str], list]:
    grouped: dict[tuple[str, str, str], list] = {}
    for f in facts:
        if f.mention.start < 0:
            continue  # read from front matter: no place in the text to point at
        grouped.setdefault((f.subject, f.predicate, f.object), []).append(f.mention)
    return {fact: sorted(ms, key=lambda m: (m.start, m.end, m.rule))[:EVIDENCE_PER_FACT]
            for fact, ms in grouped.items()}


def _digest(*parts) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


_STATEMENT, _SUBJECT, _PREDICATE, _OBJECT = (NamedNode(RDF + t) for t in ("Statement", "subject", "predicate", "object"))
_ANNOTATION, _HAS_BODY, _HAS_TARGET, _SPECIFIC_RESOURCE, _HAS_SOURCE, _HAS_SELECTOR = (
    NamedNode(OA + t) for t in ("Annotation", "hasBody", "hasTarget", "SpecificResource", "hasSource", "hasSelector"))
_POSITION_SELECTOR, _START, _END, _QUOTE_SELECTOR, _EXACT, _PREFIX, _SUFFIX = (
    NamedNode(OA + t) for t in ("TextPositionSelector", "start", "end", "TextQuoteSelector", "exact", "prefix", "suffix"))
_EVIDENCE, _RULE, _CONFIDENCE = kg("Evidence"), kg("rule"), kg("confidence")


def evidence_quads(recap_iri: str, fact: tuple[str, str, str], mentions: list, g: NamedNode) -> list[Quad]:
    subject, predicate, obj = fact
    statement = NamedNode(f"{recap_iri}/fact/{_digest(*fact)}")
    source = NamedNode(recap_iri)
    out = [
        Quad(statement, RDF_TYPE, _STATEMENT, g),
        Quad(statement, _SUBJECT, NamedNode(subject), g),
        Quad(statement, _PREDICATE, kg(predicate), g),
        Quad(statement, _OBJECT, NamedNode(obj), g),
        Quad(statement, _CONFIDENCE, _decimal(max(m.confidence for m in mentions)), g),
    ]
    for m in mentions:
        ann = f"{recap_iri}/evidence/{_digest(*fact, m.start, m.end, m.rule)}"
        annotation, target, position, quote = (NamedNode(ann + part) for part in ("", "#target", "#position", "#quote"))
        out += [
            Quad(annotation, RDF_TYPE, _ANNOTATION, g),
            Quad(annotation, RDF_TYPE, _EVIDENCE, g),
            Quad(annotation, _HAS_BODY, statement, g),
            Quad(annotation, _HAS_TARGET, target, g),
            Quad(annotation, _RULE, Literal(m.rule), g),
            Quad(annotation, _CONFIDENCE, _decimal(m.confidence), g),
            Quad(target, RDF_TYPE, _SPECIFIC_RESOURCE, g),
            Quad(target, _HAS_SOURCE, source, g),
            Quad(target, _HAS_SELECTOR, position, g),
            Quad(target, _HAS_SELECTOR, quote, g),
            Quad(position, RDF_TYPE, _POSITION_SELECTOR, g),
            Quad(position, _START, Literal(str(m.start), datatype=XSD_INTEGER), g),
            Quad(position, _END, Literal(str(m.end), datatype=XSD_INTEGER), g),
            Quad(quote, RDF_TYPE, _QUOTE_SELECTOR, g),
            Quad(quote, _EXACT, Literal(m.exact or m.text), g),
            Quad(quote, _PREFIX, Literal(m.prefix), g),
            Quad(quote, _SUFFIX, Literal(m.suffix), g),
        ]
    return out


def _decimal(value: float) -> Literal:
    return Literal(f"{value:.2f}", datatype=XSD_DECIMAL)

