"""kg export for graph tools: GraphML and CSV projections, schema.org-friendly JSON-LD."""
import csv
import json

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli


@pytest.fixture(scope="module")
def store(built_store, tmp_path_factory):
    """The bundled corpus in a store no handle holds open (see tests/test_reports.py)."""
    from kg.export import export_bytes
    from kg.store import GraphStore

    path = tmp_path_factory.mktemp("export") / "store"
    GraphStore.create(path).store.load(export_bytes(built_store, "trig"), format=ox.RdfFormat.TRIG)
    return ["--store", str(path)]


@pytest.fixture
def export(store, tmp_path):
    def run(*args, code=0):
        result = CliRunner().invoke(cli, ["export", *args, *store])
        assert result.exit_code == code, result.output
        return result.output
    return run


def graphml(export, tmp_path, projection):
    out = tmp_path / f"{projection}.graphml"
    export("--format", "graphml", "--projection", projection, "-o", str(out))
    return nx.read_graphml(out)


def test_graphml_full(export, tmp_path):
    g = graphml(export, tmp_path, "full")
    assert g.is_directed()
    for _, data in g.nodes(data=True):
        assert set(data) == {"type", "label", "iri", "degree", "community"}
    types = {d["type"] for _, d in g.nodes(data=True)}
    assert {"Event", "Talk", "Person", "Organization", "Tool"} <= types and "Evidence" not in types
    assert not any("/evidence/" in n or "/fact/" in n for n in g)
    relations = {d["relation"] for _, _, d in g.edges(data=True)}
    assert {"presentedAt", "speaker", "mentions", "worksAt"} <= relations
    assert all(d["weight"] == 1 for _, _, d in g.edges(data=True))
    kubernetes = g.nodes["https://w3id.org/confkg/resource/tool/kubernetes"]
    assert kubernetes["label"] == "Kubernetes" and kubernetes["degree"] == 22  # the talks mentioning it


def test_graphml_tools_is_the_co_mention_network(export, tmp_path, built_store):
    from kg.analytics import GraphData

    g = graphml(export, tmp_path, "tools")
    data = GraphData(built_store.store)
    assert not g.is_directed() and {d["type"] for _, d in g.nodes(data=True)} == {"Tool"}
    assert {d["relation"] for _, _, d in g.edges(data=True)} == {"coMentioned"}
    docker, kubernetes = ("https://w3id.org/confkg/resource/tool/" + t for t in ("docker", "kubernetes"))
    assert g.edges[docker, kubernetes]["weight"] == 4
    assert {n: d["community"] for n, d in g.nodes(data=True)} == data.community_of  # as `kg report communities`
    assert g.number_of_nodes() == data.comentions.number_of_nodes()


def test_graphml_people(export, tmp_path):
    g = graphml(export, tmp_path, "people")
    assert {d["type"] for _, d in g.nodes(data=True)} == {"Person", "Organization"}
    assert {d["relation"] for _, _, d in g.edges(data=True)} == {"worksAt"}
    sfeir = "https://w3id.org/confkg/resource/organization/sfeir"
    assert g.in_degree(sfeir) == g.nodes[sfeir]["degree"] == 3
    assert all(g.nodes[a]["type"] == "Person" for a, _ in g.edges)


@pytest.mark.parametrize("projection", ["full", "tools", "people"])
def test_csv_nodes_and_edges(export, tmp_path, projection):
    folder = tmp_path / projection
    export("--format", "csv", "--projection", projection, "-o", str(folder))
    with open(folder / "nodes.csv", newline="", encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with open(folder / "edges.csv", newline="", encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    assert list(nodes[0]) == ["id", "label", "type", "iri", "degree", "community"]
    assert list(edges[0]) == ["source", "target", "relation", "weight"]
    ids = {n["id"] for n in nodes}
    assert all(e["source"] in ids and e["target"] in ids for e in edges)
    assert sorted(graphml(export, tmp_path, projection).nodes) == sorted(ids)


def test_jsonld_schema_org_keys_same_triples(export, tmp_path):
    jsonld, turtle = tmp_path / "graph.jsonld", tmp_path / "graph.ttl"
    export("--format", "jsonld", "-o", str(jsonld))
    export("--format", "turtle", "-o", str(turtle))
    assert set(ox.parse(path=jsonld)) == set(ox.parse(path=turtle))
    doc = json.loads(jsonld.read_text(encoding="utf-8"))
    assert doc["@context"]["name"] == "rdfs:label"
    assert doc["@context"]["startDate"] == {"@id": "kg:startDate", "@type": "xsd:date"}
    event = next(n for n in doc["@graph"] if n["@id"] == "kgr:event/kubernetes-community-days-france-2023")
    assert event["@type"] == "Event" and event["name"] == "Kubernetes Community Days France 2023"
    assert event["startDate"] == "2023-03-07"
    talk = next(n for n in doc["@graph"] if n.get("@type") == "Talk" and n["name"] == "Keynote d'ouverture")
    assert talk["superEvent"] == event["@id"] and "kgr:tool/dagger" in talk["mentions"]


@pytest.mark.parametrize("args, message", [
    (["--format", "csv"], "-o DIR"),
    (["--format", "turtle", "--projection", "tools"], "--projection applies to graphml and csv"),
    (["--format", "graphml", "--projection", "nope"], "Invalid value"),
])
def test_usage_errors_exit_2(export, args, message):
    assert message in export(*args, code=2)
