"""Rebuilds: nothing changed, one recap changed or removed; the knowledge graph and its aggregates stay exact.

Each test copies the session's built store (its extraction cache included), so builds here
re-extract only what a test changes.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.build import build
from kg.decisions import Decisions, MergeDecision
from kg.nlp import pipeline
from kg.resources import queries_dir
from kg.sparql import bind_params, find_saved_query, run_query
from kg.store import GraphStore

from conftest import CORPUS

# The answers of recurring-tools and co-mentions computed from the facts themselves, as the queries did
# before they read the build's aggregates.
RECURRING_FROM_FACTS = """
SELECT ?tool (COUNT(DISTINCT ?event) AS ?event_count) (GROUP_CONCAT(DISTINCT ?event_label; separator="; ") AS ?events)
       (COUNT(DISTINCT ?talk) AS ?talk_count)
WHERE { { SELECT ?t ?tool ?event ?event_label ?talk WHERE {
          ?talk kg:mentions ?t ; kg:presentedAt ?event . ?t rdfs:label ?tool . ?event rdfs:label ?event_label .
        } ORDER BY ?event_label } }
GROUP BY ?t ?tool HAVING (COUNT(DISTINCT ?event) >= 2)
ORDER BY DESC(?event_count) DESC(?talk_count) ?tool ?t
"""
CO_MENTIONS_FROM_FACTS = """
SELECT ?tool_a ?tool_b (COUNT(DISTINCT ?talk) AS ?talk_count) WHERE {
  ?talk kg:mentions ?a , ?b . ?a rdfs:label ?tool_a . ?b rdfs:label ?tool_b . FILTER (STR(?tool_a) < STR(?tool_b))
} GROUP BY ?a ?b ?tool_a ?tool_b ORDER BY DESC(?talk_count) ?tool_a ?tool_b
"""


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


@pytest.fixture
def store(built_store, corpus, tmp_path) -> Path:
    """A store of the copied corpus, built from the session store's extraction cache."""
    path = tmp_path / "store"
    (path / "extractions").mkdir(parents=True)
    for cached in (built_store.path / "extractions").glob("*.json"):
        shutil.copy(cached, path / "extractions")
    report = build([corpus], GraphStore.create(path))
    assert report.ok and not report.built
    return path


def saved_rows(gs: GraphStore, name: str) -> list[tuple]:
    saved = find_saved_query(name, [queries_dir()])
    return run_query(gs.store, saved.text, bind_params(saved, {})).rows


def assert_aggregates_exact(path: Path) -> None:
    with GraphStore.open(path) as gs:
        assert saved_rows(gs, "recurring-tools") == run_query(gs.store, RECURRING_FROM_FACTS).rows
        assert saved_rows(gs, "co-mentions") == run_query(gs.store, CO_MENTIONS_FROM_FACTS).rows


def test_nothing_changed_leaves_the_store_as_it_is_without_loading_the_model(store, corpus, monkeypatch):
    import spacy

    loads = []
    monkeypatch.setattr(spacy, "load", lambda *args, **kwargs: loads.append(args))
    pipeline.cache_clear()
    active = (store / "CURRENT").read_text()
    report = build([corpus], GraphStore.create(store))
    assert report.unchanged and not report.built and len(report.cached) == 5
    assert (store / "CURRENT").read_text() == active
    assert loads == []


def test_new_decisions_rebuild_the_graph_without_extracting(store, corpus):
    active = (store / "CURRENT").read_text()
    decisions = Decisions(merges=[MergeDecision(kind="tool", name="Kubernetes", same_as=("Docker",))])
    report = build([corpus], GraphStore.create(store), decisions=decisions)
    assert not report.unchanged and not report.built
    assert (store / "CURRENT").read_text() != active


def test_one_changed_recap_is_the_only_one_extracted_and_aggregates_follow(store, corpus):
    with GraphStore.open(store) as gs:
        before = {row[0]: row for row in saved_rows(gs, "recurring-tools")}
    changed = sorted(corpus.glob("0*"))[0]
    changed.write_text(changed.read_text(encoding="utf-8").replace("Kubernetes", "Nomad"), encoding="utf-8")
    report = build([corpus], GraphStore.create(store))
    assert report.built == [str(changed)] and len(report.cached) == 4
    assert_aggregates_exact(store)
    with GraphStore.open(store) as gs:
        after = {row[0]: row for row in saved_rows(gs, "recurring-tools")}
    assert after["Kubernetes"][3] < before["Kubernetes"][3]  # fewer talks
    with GraphStore.open(store) as gs:
        saved = find_saved_query("talks-mentioning", [queries_dir()])
        assert run_query(gs.store, saved.text, bind_params(saved, {"tool": "Nomad"})).rows


def test_a_removed_recap_is_dropped_and_the_others_stay(store, corpus):
    removed = sorted(corpus.glob("0*"))[-1]
    removed.unlink()
    report = build([corpus], GraphStore.create(store))
    assert report.dropped == [str(removed.resolve())]
    with GraphStore.open(store) as gs:
        files = [row[0] for row in run_query(gs.store, "SELECT ?f WHERE { ?r kg:sourceFile ?f } ORDER BY ?f").rows]
        assert files == sorted(p.name for p in corpus.glob("0*"))
        assert len(gs.graph_names()) == 4
    assert_aggregates_exact(store)


def test_recaps_built_from_another_folder_stay_each_in_its_graph(store, corpus, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    first = sorted(corpus.glob("0*"))[0]
    shutil.copy(first, other / "extra.txt")  # the same text under another name
    shutil.copy(first, other / first.name)  # and under the same name in another folder
    report = build([other], GraphStore.create(store))
    assert not report.dropped and not report.built  # same content: the extraction is cached
    with GraphStore.open(store) as gs:
        assert len(gs.graph_names()) == 7
        files = {row[0] for row in run_query(gs.store, "SELECT ?f WHERE { ?r kg:sourceFile ?f }").rows}
        assert {"extra.txt", f"corpus/{first.name}", f"other/{first.name}"} <= files


def test_the_knowledge_graph_states_each_fact_once(store):
    with GraphStore.open(store) as gs:
        stated = run_query(gs.store, "SELECT (COUNT(*) AS ?n) WHERE { ?t kg:mentions ?x }").rows[0][0]
        distinct = run_query(gs.store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?t ?x "
                                       "WHERE { GRAPH ?g { ?t kg:mentions ?x } } }").rows[0][0]
        assert stated == distinct
        evidence = run_query(gs.store, "ASK { ?e a kg:Evidence }").rows[0][0]
        assert evidence is False  # evidence lives in the recap graphs
    assert_aggregates_exact(store)
