"""Exports of the store: RDF (union or with named graphs) and GraphML for graph tools."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pyoxigraph import DefaultGraph, Quad, RdfFormat, serialize

from .store import GraphStore

PREFIXES = {
    "kg": "https://w3id.org/confkg/ontology#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
RDF_FORMATS = {
    "turtle": (RdfFormat.TURTLE, False),
    "nt": (RdfFormat.N_TRIPLES, False),
    "jsonld": (RdfFormat.JSON_LD, False),
    "trig": (RdfFormat.TRIG, True),
    "nquads": (RdfFormat.N_QUADS, True),
}


def union_triples(gs: GraphStore) -> list:
    """The triples of every recap graph, merged and sorted (stable output to diff in git)."""
    return sorted({q.triple for q in gs.quads()}, key=str)


def export_bytes(gs: GraphStore, fmt: str) -> bytes:
    if fmt == "graphml":
        return _graphml(gs)
    rdf_format, keep_graphs = RDF_FORMATS[fmt]
    if keep_graphs:
        data = sorted(gs.quads(), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    else:
        data = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in union_triples(gs)]
        if rdf_format in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.JSON_LD):
            data = [q.triple for q in data]
    prefixes = PREFIXES if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.JSON_LD) else None
    if prefixes:
        return serialize(data, format=rdf_format, prefixes=prefixes)
    return serialize(data, format=rdf_format)


def _graphml(gs: GraphStore) -> bytes:
    import io

    import networkx as nx

    label = "http://www.w3.org/2000/01/rdf-schema#label"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    kg = "https://w3id.org/confkg/ontology#"
    graph = nx.MultiDiGraph()
    triples = union_triples(gs)
    for t in triples:  # entities only: evidence annotations and statements stay out of the drawing
        if t.predicate.value == rdf_type and t.object.value.startswith(kg) and t.object.value != kg + "Evidence":
            graph.add_node(t.subject.value, type=t.object.value[len(kg):], iri=t.subject.value)
    for t in triples:
        if t.predicate.value == label and t.subject.value in graph:
            graph.nodes[t.subject.value]["label"] = t.object.value
    for t in triples:
        p = t.predicate.value
        if p.startswith(kg) and hasattr(t.object, "value") and t.object.value in graph and t.subject.value in graph:
            graph.add_edge(t.subject.value, t.object.value, relation=p[len(kg):], weight=1)
    for n, data in graph.nodes(data=True):
        data.setdefault("type", "")
        data.setdefault("label", n)
        data["degree"] = graph.degree(n)
    buf = io.BytesIO()
    nx.write_graphml(graph, buf)
    return buf.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Writes to a temporary file beside the target, then renames: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
