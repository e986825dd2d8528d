"""The built graph of the bundled corpus: shapes, determinism, named graphs, saved queries."""
from pathlib import Path

from pyoxigraph import NamedNode

from kg.export import export_bytes
from kg.resources import queries_dir
from kg.sparql import bind_params, list_saved_queries, run_query

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"


def query(gs, name, **params):
    saved = next(q for q in list_saved_queries([queries_dir()]) if q.name == name)
    result = run_query(gs.store, saved.text, bind_params(saved, {k: str(v) for k, v in params.items()}))
    return [dict(zip(result.columns, row)) for row in result.rows]


def test_built_graph_conforms_to_shapes(turtle_export):
    from pyshacl import validate
    from rdflib import Graph

    data = Graph().parse(turtle_export, format="turtle")
    shapes = Graph().parse(ONTOLOGY / "shapes.ttl", format="turtle")
    conforms, _, text = validate(data, shacl_graph=shapes)
    assert conforms, text


def test_one_named_graph_per_recap(built_store):
    names = built_store.graph_names()
    assert len(names) == 5
    assert all(n.startswith("https://w3id.org/confkg/resource/recap/") for n in names)
    for name in names:
        quads = list(built_store.store.quads_for_pattern(None, None, None, NamedNode(name)))
        assert any(q.predicate.value.endswith("#sourceFile") for q in quads)


def test_export_is_deterministic_and_has_no_blank_nodes(built_store, tmp_path):
    from kg.build import build
    from kg.store import GraphStore

    from conftest import CORPUS

    other = GraphStore.create(tmp_path / "again")
    build([CORPUS], other)
    first = export_bytes(built_store, "nquads")
    assert export_bytes(other, "nquads") == first
    assert b"_:" not in first


def test_every_saved_query_runs_on_the_corpus(built_store):
    required = {"event-talks": {"event": "Cloud Nord 2023"}, "talks-mentioning": {"tool": "Kubernetes"}}
    may_be_empty = {"people-multi-event"}  # nobody speaks at two events of the bundled corpus
    for saved in list_saved_queries([queries_dir()]):
        rows = query(built_store, saved.name, **required.get(saved.name, {}))
        assert rows or saved.name in may_be_empty, saved.name


def test_recurring_tools_answer(built_store):
    rows = {r["tool"]: r for r in query(built_store, "recurring-tools")}
    assert rows["Kubernetes"]["event_count"] >= 4
    assert {"Docker", "Prometheus", "Falco", "Dagger"} <= set(rows)
    assert "Cloud Nord 2023" in rows["Dagger"]["events"]


def test_event_talks_and_speakers(built_store):
    rows = query(built_store, "event-talks", event="cloudnord 2023")
    titles = {r["talk"] for r in rows}
    assert "It works on my machine" in titles
    talk = next(r for r in rows if r["talk"].startswith("Démystifions"))
    assert talk["speakers"] == "Denis Germain"


def test_speakers_with_organisations(built_store):
    rows = {r["speaker"]: r for r in query(built_store, "speakers")}
    assert rows["Denis Germain"]["organizations"] == "Deezer"
    assert rows["Raphaël Pinson"]["organizations"] == "Isovalent"
    assert "Gabriel Westrelin" not in rows  # a section writer, not a speaker


def test_talks_mentioning_a_tool_by_alias(built_store):
    rows = query(built_store, "talks-mentioning", tool="k8s")
    assert len({r["event"] for r in rows}) >= 4


def test_events(built_store):
    rows = {r["event"]: r for r in query(built_store, "events")}
    assert set(rows) == {"Cloud Nord 2023", "Cloud Nord 2024", "Paris Containers Day 2021", "WeShare",
                         "Kubernetes Community Days France 2023"}
    assert str(rows["Cloud Nord 2024"]["start_date"]) == "2024-10-10"
    assert rows["Kubernetes Community Days France 2023"]["city"] == "Paris"
