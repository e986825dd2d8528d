"""Stage 5: resolved entities become RDF, one named graph per recap.

A recap's graph is self-contained: it holds the type and label of every node it
links to, so it can be exported or pushed on its own. No timestamps, no blank
nodes: the same corpus gives the same quads.

Direct triples (kg:mentions, kg:speaker, ...) stay simple for queries. Beside
each, its evidence: an rdf:Statement naming the triple, and one W3C Web
Annotation (kg:Evidence) per place it was read, targeting the recap with a
TextPositionSelector (offsets into the recap's text as confkg reads it, markup
removed) and a TextQuoteSelector (the words and the rest of their sentence),
with the rule that read it and its confidence.
"""
from __future__ import annotations

import hashlib

from pyoxigraph import Literal, NamedNode, Quad

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
    g = NamedNode(recap.iri)
    quads: list[Quad] = []
    described: set[str] = set()

    def add(s: str, p: NamedNode, o) -> None:
        quads.append(Quad(NamedNode(s), p, o, g))

    def describe(iri: str) -> None:
        if iri in described:
            return
        described.add(iri)
        node: Node = resolution.nodes[iri]
        add(iri, RDF_TYPE, kg(node.kind))
        add(iri, RDFS_LABEL, Literal(node.label))
        for alt in sorted(node.alt_labels):
            add(iri, SKOS_ALT, Literal(alt))
        if node.category:
            add(iri, kg("category"), Literal(node.category))
        if node.homepage:
            add(iri, FOAF_HOMEPAGE, NamedNode(node.homepage))

    describe(recap.iri)
    add(recap.iri, kg("sourceFile"), Literal(recap.source_file))
    add(recap.iri, kg("about"), NamedNode(recap.event))
    if recap.published:
        add(recap.iri, kg("published"), Literal(recap.published, datatype=XSD_DATE))
    for author in recap.authors:
        describe(author)
        add(recap.iri, kg("author"), NamedNode(author))

    describe(recap.event)
    if recap.series:
        describe(recap.series)
        add(recap.event, kg("series"), NamedNode(recap.series))
    if recap.start_date:
        add(recap.event, kg("startDate"), Literal(recap.start_date, datatype=XSD_DATE))
    if recap.city:
        add(recap.event, kg("city"), Literal(recap.city))

    for talk in recap.talks:
        describe(talk.iri)
        add(talk.iri, kg("presentedAt"), NamedNode(recap.event))
        add(talk.iri, kg("describedIn"), NamedNode(recap.iri))
        for person in talk.speakers:
            describe(person)
            add(talk.iri, kg("speaker"), NamedNode(person))
        for tool in talk.tools:
            describe(tool)
            add(talk.iri, kg("mentions"), NamedNode(tool))
    for person, org in recap.works_at:
        describe(person)
        describe(org)
        add(person, kg("worksAt"), NamedNode(org))
    for fact, mentions in _facts_with_mentions(recap.facts).items():
        quads += evidence_quads(recap.iri, fact, mentions, g)
    return sorted(set(quads), key=str)


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


def evidence_quads(recap_iri: str, fact: tuple[str, str, str], mentions: list, g: NamedNode) -> list[Quad]:
    subject, predicate, obj = fact
    statement = NamedNode(f"{recap_iri}/fact/{_digest(*fact)}")
    out = [
        Quad(statement, RDF_TYPE, NamedNode(RDF + "Statement"), g),
        Quad(statement, NamedNode(RDF + "subject"), NamedNode(subject), g),
        Quad(statement, NamedNode(RDF + "predicate"), kg(predicate), g),
        Quad(statement, NamedNode(RDF + "object"), NamedNode(obj), g),
        Quad(statement, kg("confidence"), _decimal(max(m.confidence for m in mentions)), g),
    ]
    for m in mentions:
        ann = NamedNode(f"{recap_iri}/evidence/{_digest(*fact, m.start, m.end, m.rule)}")
        target, position, quote = (NamedNode(f"{ann.value}#{part}") for part in ("target", "position", "quote"))
        out += [
            Quad(ann, RDF_TYPE, NamedNode(OA + "Annotation"), g),
            Quad(ann, RDF_TYPE, kg("Evidence"), g),
            Quad(ann, NamedNode(OA + "hasBody"), statement, g),
            Quad(ann, NamedNode(OA + "hasTarget"), target, g),
            Quad(ann, kg("rule"), Literal(m.rule), g),
            Quad(ann, kg("confidence"), _decimal(m.confidence), g),
            Quad(target, RDF_TYPE, NamedNode(OA + "SpecificResource"), g),
            Quad(target, NamedNode(OA + "hasSource"), NamedNode(recap_iri), g),
            Quad(target, NamedNode(OA + "hasSelector"), position, g),
            Quad(target, NamedNode(OA + "hasSelector"), quote, g),
            Quad(position, RDF_TYPE, NamedNode(OA + "TextPositionSelector"), g),
            Quad(position, NamedNode(OA + "start"), Literal(str(m.start), datatype=XSD_INTEGER), g),
            Quad(position, NamedNode(OA + "end"), Literal(str(m.end), datatype=XSD_INTEGER), g),
            Quad(quote, RDF_TYPE, NamedNode(OA + "TextQuoteSelector"), g),
            Quad(quote, NamedNode(OA + "exact"), Literal(m.exact or m.text), g),
            Quad(quote, NamedNode(OA + "prefix"), Literal(m.prefix), g),
            Quad(quote, NamedNode(OA + "suffix"), Literal(m.suffix), g),
        ]
    return out


def _decimal(value: float) -> Literal:
    return Literal(f"{value:.2f}", datatype=XSD_DECIMAL)
