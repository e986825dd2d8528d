"""Exports of the store: RDF (union or with named graphs), and networks for graph tools.

GraphML (Gephi and Cytoscape open it directly) and CSV (``nodes.csv`` and
``edges.csv``) draw one projection of the graph: ``full`` (every entity and the kg:
relations between them; the evidence nodes stay out), ``tools`` (the tool co-mention
network of kg.analytics) or ``people`` (speakers and the organisations they work at).
Nodes carry ``type``, ``label``, ``iri``, ``degree`` and ``community`` (Louvain),
edges ``relation`` and ``weight``.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat, serialize

from .store import GraphStore

KG = "https://w3id.org/confkg/ontology#"
KGR = "https://w3id.org/confkg/resource/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = {
    "kg": KG,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": XSD,
    "foaf": "http://xmlns.com/foaf/0.1/",
}
RDF_FORMATS = {
    "turtle": (RdfFormat.TURTLE, False),
    "nt": (RdfFormat.N_TRIPLES, False),
    "trig": (RdfFormat.TRIG, True),
    "nquads": (RdfFormat.N_QUADS, True),
}

# JSON-LD keys read like schema.org (each kg property is a subproperty of the schema.org
# one, ontology/confkg.ttl) while the triples stay those of the turtle export.
_JSONLD_PREFIXES = {"kgr": KGR, "kg": KG, "rdf": RDF, **PREFIXES, "oa": "http://www.w3.org/ns/oa#"}
_JSONLD_TERMS = {
    "name": ("rdfs:label", None),
    "alternateName": ("skos:altLabel", None),
    "performer": ("kg:speaker", "@id"),
    "worksFor": ("kg:worksAt", "@id"),
    "superEvent": ("kg:presentedAt", "@id"),
    "series": ("kg:series", "@id"),
    "mentions": ("kg:mentions", "@id"),
    "subjectOf": ("kg:describedIn", "@id"),
    "about": ("kg:about", "@id"),
    "author": ("kg:author", "@id"),
    "startDate": ("kg:startDate", "xsd:date"),
    "datePublished": ("kg:published", "xsd:date"),
    "location": ("kg:city", None),
    "applicationCategory": ("kg:category", None),
    "url": ("foaf:homepage", "@id"),
}


def union_triples(gs: GraphStore) -> list:
    """The triples of every recap graph, merged and sorted (stable output to diff in git)."""
    return sorted({q.triple for q in gs.quads()}, key=str)


def export_bytes(gs: GraphStore, fmt: str, projection: str = "full") -> bytes:
    if fmt == "graphml":
        import networkx as nx

        buf = io.BytesIO()
        nx.write_graphml(project(gs, projection), buf)
        return buf.getvalue()
    if fmt == "jsonld":
        return _jsonld(union_triples(gs))
    rdf_format, keep_graphs = RDF_FORMATS[fmt]
    if keep_graphs:
        data = sorted(gs.quads(), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    else:
        data = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in union_triples(gs)]
        if rdf_format in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES):
            data = [q.triple for q in data]
    if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG):
        return serialize(data, format=rdf_format, prefixes=PREFIXES)
    return serialize(data, format=rdf_format)


def export_csv(gs: GraphStore, projection: str, folder: Path) -> tuple[int, int]:
    """Writes nodes.csv and edges.csv of a projection into folder; returns their row counts."""
    graph = project(gs, projection)
    nodes = [[n, d["label"], d["type"], d["iri"], d["degree"], d["community"]] for n, d in graph.nodes(data=True)]
    edges = [[a, b, d["relation"], d["weight"]] for a, b, d in graph.edges(data=True)]
    _write_csv(folder / "nodes.csv", ["id", "label", "type", "iri", "degree", "community"], nodes)
    _write_csv(folder / "edges.csv", ["source", "target", "relation", "weight"], edges)
    return len(nodes), len(edges)


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_atomic(path, out.getvalue().encode("utf-8"))


def project(gs: GraphStore, projection: str):
    """The NetworkX graph of a projection, nodes and edges in sorted order, attributes set."""
    import networkx as nx

    from .analytics import GraphData, communities

    data = GraphData(gs.store)
    if projection == "tools":
        graph = nx.Graph()
        for n in sorted(data.comentions):
            graph.add_node(n, type="Tool", label=data.labels[n], iri=n)
        for a, b, d in sorted(data.comentions.edges(data=True)):
            graph.add_edge(a, b, relation="coMentioned", weight=d["weight"])
    elif projection == "people":
        rows = data.query("talk-speakers")
        graph = nx.DiGraph()  # person -> organisation, as kg:worksAt
        nodes = {(r["speaker_iri"], "Person", r["speaker"]) for r in rows}
        nodes |= {(r["organization_iri"], "Organization", r["organization"]) for r in rows if r["organization_iri"]}
        for iri, kind, label in sorted(nodes):
            graph.add_node(iri, type=kind, label=label, iri=iri)
        for a, b in sorted({(r["speaker_iri"], r["organization_iri"]) for r in rows if r["organization_iri"]}):
            graph.add_edge(a, b, relation="worksAt", weight=1)
    else:
        graph = _full(union_triples(gs))
    # the tools keep the communities `kg report communities` lists
    found = data.communities if projection == "tools" else communities(nx.Graph(graph))
    for i, members in enumerate(found, 1):
        for n in members:
            graph.nodes[n]["community"] = i
    for n in graph:
        graph.nodes[n]["degree"] = graph.degree(n)
    return graph


def _full(triples: list):
    """Entities (typed with a kg: class) and the kg: relations between them; evidence and aggregates left out."""
    import networkx as nx

    label = PREFIXES["rdfs"] + "label"
    not_entities = {KG + "Evidence", KG + "CoMention"}
    types, labels = {}, {}
    for t in triples:
        if t.predicate.value == RDF + "type" and t.object.value.startswith(KG) and t.object.value not in not_entities:
            types[t.subject.value] = t.object.value[len(KG):]
        elif t.predicate.value == label:
            labels[t.subject.value] = t.object.value
    graph = nx.MultiDiGraph()
    for n in sorted(types):
        graph.add_node(n, type=types[n], label=labels.get(n, n), iri=n)
    for t in triples:
        if t.predicate.value.startswith(KG) and t.subject.value in types and getattr(t.object, "value", None) in types:
            graph.add_edge(t.subject.value, t.object.value, relation=t.predicate.value[len(KG):], weight=1)
    return graph


def _compact(iri: str) -> str:
    for prefix, ns in _JSONLD_PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _jsonld(triples: list) -> bytes:
    """JSON-LD with a schema.org-friendly context: one object per node, the same triples as turtle."""
    term_of = {_expand(iri): (term, coerce) for term, (iri, coerce) in _JSONLD_TERMS.items()}
    nodes = defaultdict(lambda: defaultdict(list))
    for t in triples:
        node = nodes[_node_id(t.subject)]
        p = t.predicate.value
        if p == RDF + "type" and isinstance(t.object, NamedNode):
            kind = t.object.value
            node["@type"].append(kind[len(KG):] if kind.startswith(KG) else _compact(kind))  # @vocab is kg:
            continue
        term, coerce = term_of.get(p, (None, None))
        if term is None:
            local = p[len(KG):]
            term = local if p.startswith(KG) and local not in _JSONLD_TERMS else _compact(p)
        node[term].append(_jsonld_value(t.object, coerce))
    context = {"@vocab": KG, **_JSONLD_PREFIXES}
    context.update({term: iri if coerce is None else {"@id": iri, "@type": coerce}
                    for term, (iri, coerce) in _JSONLD_TERMS.items()})
    graph = [{"@id": s, **{k: v[0] if len(v) == 1 else v for k, v in props.items()}} for s, props in nodes.items()]
    return (json.dumps({"@context": context, "@graph": graph}, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return _JSONLD_PREFIXES[prefix] + local


def _node_id(term) -> str:
    return f"_:{term.value}" if isinstance(term, BlankNode) else _compact(term.value)


def _jsonld_value(obj, coerce: str | None):
    if isinstance(obj, (NamedNode, BlankNode)):
        return _node_id(obj) if coerce == "@id" else {"@id": _node_id(obj)}
    if obj.language:
        return {"@value": obj.value, "@language": obj.language}
    datatype = _compact(obj.datatype.value)
    if datatype == coerce or (coerce is None and datatype == "xsd:string"):
        return obj.value
    return {"@value": obj.value, "@type": datatype}


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
