"""Stage 5: resolved entities become RDF, one named graph per recap.

A recap's graph is self-contained: it holds the type and label of every node it
links to, so it can be exported or pushed on its own. No timestamps, no blank
nodes: the same corpus gives the same quads.
"""
from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from .resolve import Node, ResolvedRecap, Resolution

KG = "https://w3id.org/confkg/ontology#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_ALT = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
FOAF_HOMEPAGE = NamedNode("http://xmlns.com/foaf/0.1/homepage")
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")


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
    return sorted(set(quads), key=str)
