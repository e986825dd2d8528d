"""kg eval: scoring a store against gold annotations (kg/evaluate.py).

The hand-made fixture tests/data/eval/ (graph.trig and gold/) holds each case once; its
header lists them and the counts below follow from it.
"""
import dataclasses
import importlib.util
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import GOLD, SCORER

from kg.cli import cli
from kg.errors import InputError, UsageError
from kg.evaluate import RELATIONS, Error, Graph, evaluate, load_gold
from kg.store import GraphStore

DATA = Path(__file__).resolve().parent / "data"
EVAL = DATA / "eval"
TALK_A = "Kubernetes pour les nuls !"
SPONSOR = "Le mot du sponsor"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("eval") / "store"
    with GraphStore.create(path) as gs:
        gs.store.load(path=EVAL / "graph.trig", format=ox.RdfFormat.TRIG)
        gs.store.flush()
    return path


@pytest.fixture(scope="module")
def golds():
    return load_gold(EVAL / "gold")


@pytest.fixture(scope="module")
def result(store_path, golds):
    return evaluate(Graph.from_store(GraphStore.open(store_path).store), golds)


def counts(result, relation):
    c = result.relations[relation]
    return c.tp, c.fp, c.fn


def errors(result, relation, talk=None):
    return {(e.kind, e.value) for e in result.errors if e.relation == relation and (talk is None or e.talk == talk)}


def test_talks_are_matched_by_title(result):
    assert counts(result, "talks") == (2, 1, 1)
    assert errors(result, "talks") == {("FP", SPONSOR), ("FN", "Observabilité avec OpenTelemetry")}


def test_matched_talk_with_a_wrong_and_a_missing_tool(result):
    assert errors(result, "mentions", TALK_A) == {("FP", "Docker"), ("FN", "Argo CD")}


def test_optional_tool_is_neither_hit_nor_error(result):
    # Helm is optional in gold b: the b talk adds no count and no error
    assert errors(result, "mentions", "GitOps en prod") == set()
    assert counts(result, "mentions") == (4, 2, 2)


def test_alias_makes_k8s_kubernetes(result, store_path, golds):
    assert not any(e.value in ("k8s", "Kubernetes") for e in result.errors if e.relation == "mentions")
    no_aliases = [dataclasses.replace(g, aliases=()) for g in golds]
    plain = evaluate(Graph.from_store(GraphStore.open(store_path).store), no_aliases)
    assert counts(plain, "mentions") == (3, 3, 3)
    assert {("FP", "k8s"), ("FN", "Kubernetes")} <= errors(plain, "mentions", TALK_A)


def test_unmatched_predicted_talk_its_speakers_and_tools_are_errors(result):
    assert errors(result, "speakers", SPONSOR) == {("FP", "Bob Durand")}
    assert errors(result, "mentions", SPONSOR) == {("FP", "Slack")}
    assert counts(result, "speakers") == (2, 1, 1)


def test_works_at(result):
    # Alice -> Zenika is optional in gold b, so it is no error in recap a either
    assert counts(result, "worksAt") == (2, 1, 1)
    assert errors(result, "worksAt") == {("FP", "Bob Durand -> Acme"), ("FN", "Claire Petit -> OVHcloud")}


def test_recurring_tools(result):
    # Kubernetes recurs in both; Helm recurs but is optional at b (no error); Argo CD is missed at a
    assert counts(result, "recurring_tools") == (1, 0, 1)
    assert (result.recurring_gold, result.recurring_predicted) == (2, 2)
    assert errors(result, "recurring_tools") == {("FN", "Argo CD")}


def test_duplicate_nodes(result):
    assert {c: (d.duplicates, d.nodes) for c, d in result.duplicates.items()} == {
        "Tool": (1, 6), "Person": (0, 2), "Organization": (0, 3)}
    [dup] = [e for e in result.errors if e.relation == "duplicates.Tool"]
    assert dup.found == ("https://w3id.org/confkg/resource/tool/k8s", "https://w3id.org/confkg/resource/tool/kubernetes")


def test_event_facts(result):
    assert {k: (f.correct, f.of) for k, f in result.event.items()} == {
        "name": (2, 2), "start_date": (1, 2), "city": (1, 2)}
    assert Error("event.start_date", "FN", "2024-10-17", "b.txt", found=("2024-10-18",)) in result.errors
    assert Error("event.city", "FN", "Lille", "b.txt", found=()) in result.errors


def test_summary_line(result):
    assert result.summary() == ("summary: talks_f1=0.667 speakers_f1=0.667 worksAt_f1=0.667 "
                                "mentions_f1=0.667 recurring_f1=0.667")


def test_rdf_file_scores_as_the_store(result, golds):
    assert evaluate(Graph.from_file(EVAL / "graph.trig"), golds) == result


def test_talk_described_by_two_recaps_may_carry_what_either_says(tmp_path):
    # sample.trig: the 2023 OpenTelemetry talk is described by both recaps, so in recap 001
    # the node also carries Prometheus and Grafana, which gold 000 lists
    otel = {"title": "Observabilité de bout en bout avec OpenTelemetry",
            "speakers": [{"name": "Thomas Lefebvre"}], "tools": ["OpenTelemetry"]}
    golds = {
        "000": {"source": "000_cloud_nord_2023.txt", "event": {"name": "Cloud Nord 2023"}, "talks": [
            {"title": "GitOps avec Argo CD sur Kubernetes", "speakers": [{"name": "Julie Moreau"}],
             "tools": ["Kubernetes", "Argo CD", "Helm"]},
            otel | {"tools": ["OpenTelemetry", "Prometheus", "Grafana"]}]},
        "001": {"source": "001_cloud_nord_2024.txt", "event": {"name": "Cloud Nord 2024"}, "talks": [
            {"title": "Migrer de Docker Compose à Kubernetes",
             "speakers": [{"name": "Julie Moreau"}, {"name": "Louis"}], "tools": ["Docker", "Kubernetes", "Trivy"]},
            otel]},
    }
    for name, gold in golds.items():
        (tmp_path / f"{name}.yaml").write_text(json.dumps(gold), encoding="utf-8")  # JSON is YAML
    result = evaluate(Graph.from_file(DATA / "sample.trig"), load_gold(tmp_path))
    assert {r: counts(result, r) for r in ("talks", "speakers", "mentions")} == {
        "talks": (4, 0, 0), "speakers": (5, 0, 0), "mentions": (10, 0, 0)}


def test_score_only_counts_matching_recaps(store_path, golds):
    result = evaluate(Graph.from_store(GraphStore.open(store_path).store), golds, score_only="b.*")
    assert counts(result, "talks") == (1, 0, 0)
    assert counts(result, "recurring_tools") == (1, 0, 1)  # still over every gold file
    with pytest.raises(UsageError, match="no gold source matches"):
        evaluate(Graph.from_store(GraphStore.open(store_path).store), golds, score_only="zz*")


@pytest.mark.parametrize("text, reason", [
    ("source: a.txt\ntalks: [\n", "cannot read gold file"),
    ("- just a list\n", "expected a mapping"),
    ("source: a.txt\ntalks:\n  - tools: [Docker]\n", "talks[0].title is missing"),
    ("talks: []\n", "source is missing"),
    ("source: a.txt\ntalks:\n  - title: T\n    speakers: [{affiliations: [X]}]\n", "talks[0].speakers[0].name"),
])
def test_bad_gold_file_names_the_file(tmp_path, text, reason):
    (tmp_path / "broken.txt.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="broken.txt.yaml") as e:
        load_gold(tmp_path)
    assert reason in str(e.value)


def test_gold_folder_missing_or_empty(tmp_path):
    with pytest.raises(UsageError, match="no gold folder"):
        load_gold(tmp_path / "nope")
    with pytest.raises(UsageError, match="no gold files"):
        load_gold(tmp_path)


def test_cli(store_path, tmp_path):
    runner = CliRunner()
    base = ["eval", "--gold", str(EVAL / "gold"), "--store", str(store_path)]
    text = runner.invoke(cli, base)
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[0].split() == ["relation", "P", "R", "F1", "tp", "fp", "fn"]
    assert text.output.splitlines()[-1].startswith("summary: talks_f1=0.667 ")
    assert "duplicate Tool          1 of 6 nodes" in text.output

    detail = runner.invoke(cli, base + ["--detail"]).output
    assert "== a.txt" in detail and f"FP  mentions         [{TALK_A}] Docker" in detail

    data = json.loads(runner.invoke(cli, base + ["--format", "json", "--detail"]).output)
    assert data["works_at"]["tp"] == 2 and data["recurring_tools"]["gold"] == 2
    assert data["duplicates"]["tool"] == {"nodes": 6, "duplicates": 1}
    assert {"relation": "talks", "kind": "FP", "value": SPONSOR, "recap": "a.txt", "talk": "", "found": None} \
        in data["errors"]

    assert runner.invoke(cli, ["eval", "--gold", str(EVAL / "gold"), "--store", str(tmp_path / "none")]).exit_code == 2
    (tmp_path / "x.yaml").write_text("source: [", encoding="utf-8")
    bad = runner.invoke(cli, ["eval", "--gold", str(tmp_path), "--store", str(store_path)])
    assert bad.exit_code == 1 and "x.yaml" in bad.output


@pytest.mark.slow
def test_same_numbers_as_the_shared_scorer(built_store, turtle_export, gold):
    if not SCORER.exists():
        pytest.skip(f"scorer not found at {SCORER}")
    spec = importlib.util.spec_from_file_location("score", SCORER)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    theirs = score.score(score.load_graph(turtle_export), gold)

    run = CliRunner().invoke(cli, ["eval", "--gold", str(GOLD), "--store", str(built_store.path), "-f", "json"])
    assert run.exit_code == 0, run.output
    ours = json.loads(run.output)
    for relation in RELATIONS:
        mine = ours["works_at" if relation == "worksAt" else relation]
        assert abs(round(mine["f1"], 3) - theirs[relation]["f1"]) < 1e-9, relation  # the scorer rounds to 3 places
        if relation != "recurring_tools":
            assert (mine["tp"], mine["fp"], mine["fn"]) == tuple(theirs[relation][k] for k in ("tp", "fp", "fn"))
    assert (ours["recurring_tools"]["gold"], ours["recurring_tools"]["predicted"]) == (
        theirs["recurring_tools"]["gold"], theirs["recurring_tools"]["predicted"])
    assert ours["event"] == theirs["event"]
    assert ours["duplicates"] == {c.lower(): d for c, d in theirs["duplicates"].items()}
