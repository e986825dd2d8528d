"""Evidence beside the direct triples, `kg explain`, `kg merges` and the decisions file, on the bundled corpus."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.document import load_document
from kg.sparql import run_query

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

EVIDENCE = """
SELECT ?file ?start ?end ?exact ?rule ?confidence WHERE { GRAPH ?recap {
  ?ann a kg:Evidence ; kg:rule ?rule ; kg:confidence ?confidence ; oa:hasTarget ?t .
  ?t oa:hasSource ?recap ; oa:hasSelector ?pos , ?quote .
  ?pos oa:start ?start ; oa:end ?end . ?quote oa:exact ?exact .
  ?recap kg:sourceFile ?file .
} }"""


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("evidence") / "store"
    result = CliRunner().invoke(cli, ["build", str(CORPUS), "--store", str(path), "-q"])
    assert result.exit_code == 0, result.output
    return path


def test_every_direct_fact_has_evidence(built_store):
    for predicate in ("speaker", "mentions", "worksAt", "presentedAt"):
        missing = run_query(built_store.store, f"""
            SELECT ?s ?o WHERE {{
              ?s kg:{predicate} ?o .
              FILTER NOT EXISTS {{ GRAPH ?recap {{ ?f rdf:subject ?s ; rdf:predicate kg:{predicate} ; rdf:object ?o .
                                                     ?e oa:hasBody ?f }} }}
            }}""").rows
        assert not missing, (predicate, missing[:3])


def test_evidence_offsets_point_at_the_quoted_words(built_store):
    rows = run_query(built_store.store, EVIDENCE).rows
    assert len(rows) > 300
    texts = {}
    for file, start, end, exact, rule, confidence in rows:
        text = texts.setdefault(file, load_document(CORPUS / file).text)
        assert text[start:end] == exact, (file, rule, exact)
        assert 0 < confidence <= 1


def test_explain_a_person_shows_the_sentence(store_path):
    result = CliRunner().invoke(cli, ["explain", "Denis Germain", "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    assert "--speaker--> Denis Germain" in result.output
    assert "--worksAt--> Deezer" in result.output
    assert "chez [Deezer]" in result.output


def test_explain_one_triple_as_json(store_path):
    result = CliRunner().invoke(cli, ["explain", "Laissez tomber vos Dockerfile, adoptez un buildpack !",
                                      "mentions", "Paketo", "--store", str(store_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["node"]["kind"] == "Talk"
    [fact] = data["facts"]
    assert fact["predicate"] == "mentions" and fact["object"]["label"] == "Paketo Buildpacks"
    assert fact["evidence"][0]["source_file"] == "000_094c22312ca10bac.txt"
    assert fact["evidence"][0]["exact"] == "Paketo"


@pytest.mark.parametrize("args, message", [
    (["explain", "Nobody Atall"], "nothing in the store is called"),
    (["explain", "Kubernetes", "likes", "Docker"], "unknown predicate"),
])
def test_explain_usage_errors(store_path, args, message):
    result = CliRunner().invoke(cli, [*args, "--store", str(store_path)])
    assert result.exit_code == 2 and message in result.output


def test_merges_lists_reasons(store_path):
    result = CliRunner().invoke(cli, ["merges", "--store", str(store_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    merges = json.loads(result.output)
    assert {"kind", "label", "name", "reason"} == set(merges[0])
    assert any(m["kind"] == "Person" and m["label"] == "Emmanuel Bernard" and m["name"] == "Emmanuel" for m in merges)


def test_decisions_file_is_applied_on_build(tmp_path, monkeypatch):
    (tmp_path / "kg-decisions.yaml").write_text(
        "merge:\n  - kind: tool\n    name: Conteneurs Docker\n    same_as: [Docker]\n"
        "split:\n  - kind: person\n    names: [Emmanuel, Emmanuel Bernard]\n", encoding="utf-8")
    store = tmp_path / "store"
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)  # kg-decisions.yaml in the current folder is read by default
    result = runner.invoke(cli, ["build", str(CORPUS), "--store", str(store), "-q"])
    assert result.exit_code == 0, result.output
    out = runner.invoke(cli, ["query", "-e", "SELECT ?l WHERE { ?t a kg:Tool ; rdfs:label ?l } ORDER BY ?l",
                              "--store", str(store), "--format", "csv"]).output
    assert "Conteneurs Docker" in out and "\nDocker\n" not in out
    merges = runner.invoke(cli, ["merges", "--kind", "tool", "--store", str(store)]).output
    assert "'Docker' -> 'Conteneurs Docker': your decisions file" in merges
    people = runner.invoke(cli, ["query", "-e", "SELECT ?l WHERE { ?p a kg:Person ; rdfs:label ?l }",
                                 "--store", str(store), "--format", "csv"]).output
    assert "\nEmmanuel\n" in people and "Emmanuel Bernard" in people


def test_broken_decisions_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "d.yaml"
    bad.write_text("merge: [{kind: tool}]", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(CORPUS), "--store", str(tmp_path / "s"), "--decisions", str(bad)])
    assert result.exit_code == 2 and str(bad) in result.output
    assert not (tmp_path / "s").exists()
