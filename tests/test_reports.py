"""kg report on the bundled corpus, checked against the dev gold (tests/gold-dev)."""
import json
import re
from collections import defaultdict

import pytest
from click.testing import CliRunner
from pyoxigraph import RdfFormat

from kg.cli import cli
from kg.names import key

RECURRING = ["Kubernetes", "Docker", "kubectl", "Prometheus", "Falco", "Knative", "KEDA", "Thanos", "Dagger", "Cilium"]
NAMES = ["recurring-tools", "tools-by-year", "organizations", "people", "co-mentions", "communities",
         "central-tools", "event-similarity"]

SMALL = """
@prefix kg: <https://w3id.org/confkg/ontology#> .
@base <https://w3id.org/confkg/resource/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<event/a> a kg:Event ; rdfs:label "Conf A" ; kg:startDate "2022-05-01"^^xsd:date .
<event/b> a kg:Event ; rdfs:label "Conf B 2024" .
<talk/a/one> a kg:Talk ; rdfs:label "One" ; kg:presentedAt <event/a> ; kg:speaker <person/ada> ;
    kg:mentions <tool/helm> , <tool/argo-cd> .
<talk/b/two> a kg:Talk ; rdfs:label "Two" ; kg:presentedAt <event/b> ; kg:speaker <person/ada> ;
    kg:mentions <tool/helm> .
<person/ada> a kg:Person ; rdfs:label "Ada Martin" ; kg:worksAt <organization/acme> .
<organization/acme> a kg:Organization ; rdfs:label "Acme" .
<tool/helm> a kg:Tool ; rdfs:label "Helm" .
<tool/argo-cd> a kg:Tool ; rdfs:label "Argo CD" .
# an evidence node naming a fact the graph does not state: reports ignore it
<recap/r/fact/x> a rdf:Statement ; rdf:subject <talk/b/two> ; rdf:predicate kg:mentions ; rdf:object <tool/argo-cd> .
"""


@pytest.fixture
def run():
    def invoke(*args, code=0):
        result = CliRunner().invoke(cli, ["report", *args])
        assert result.exit_code == code, result.output
        return result.output
    return invoke


@pytest.fixture(scope="module")
def store(built_store, tmp_path_factory):
    """The bundled corpus, one named graph per recap, in a store no handle holds open.

    `--store` opens a store read-only; RocksDB may fail to when the session's read-write
    handle on built_store compacts underneath it.
    """
    from kg.export import export_bytes
    from kg.store import GraphStore

    path = tmp_path_factory.mktemp("reports") / "store"
    GraphStore.create(path).store.load(export_bytes(built_store, "trig"), format=RdfFormat.TRIG)
    return ["--store", str(path)]


@pytest.fixture(scope="module")
def answers(store):
    """Every report as JSON, keyed by name."""
    result = CliRunner().invoke(cli, ["report", "--all", "-f", "json", *store])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def gold_facts(gold):
    """From the gold: canonical name of every alias, and per tool the events where it is required or allowed."""
    canonical = {}
    for doc in gold:
        for name, others in (doc.get("aliases") or {}).items():
            for other in others:
                canonical[key(other)] = name
    required, allowed = defaultdict(set), defaultdict(set)
    for doc in gold:
        for talk in doc["talks"]:
            for tool in talk["tools"]:
                required[tool].add(doc["event"]["name"])
            for tool in talk["tools"] + (talk.get("optional_tools") or []):
                allowed[tool].add(doc["event"]["name"])
    return canonical, required, allowed


def test_lists_the_reports(run):
    out = run()
    for name in NAMES + ["tool NAME"]:
        assert name in out


def test_recurring_tools_against_the_gold(answers, gold_facts):
    _, required, allowed = gold_facts
    rows = {r["tool"]: r for r in answers["recurring-tools"]}
    assert set(RECURRING) <= set(rows)
    assert set(rows["Dagger"]["events"]) == {"Kubernetes Community Days France 2023", "Cloud Nord 2023"}
    for tool in [t for t, events in required.items() if len(events) >= 2]:  # every recurring tool of the gold
        assert required[tool] <= set(rows[tool]["events"]) <= allowed[tool], tool
    for r in rows.values():
        assert list(r) == ["tool", "event_count", "events", "talk_count"]
        assert r["event_count"] == len(r["events"]) >= 2 and r["talk_count"] >= r["event_count"]


def test_tools_by_year(answers, gold):
    rows = answers["tools-by-year"]
    years = {r["tool"]: r for r in rows if r["scope"] == "years"}
    # WeShare has neither a date nor a year in its name: it has no year
    assert list(years["Kubernetes"]["talks"]) == ["2021", "2023", "2024"]
    gold_k8s_2021 = sum("Kubernetes" in t["tools"] for d in gold if d["event"]["name"] == "Paris Containers Day 2021"
                        for t in d["talks"])
    assert years["Kubernetes"]["talks"]["2021"] == gold_k8s_2021
    assert years["Dagger"]["talks"] == {"2021": 0, "2023": 3, "2024": 0}
    cloud_nord = {r["tool"]: r for r in rows if r["scope"] == "Cloud Nord"}
    assert cloud_nord["Dagger"]["talks"] == {"Cloud Nord 2023": 2, "Cloud Nord 2024": 0}
    assert cloud_nord["Dagger"]["trend"] == "falling"
    for r in rows:
        counts = list(r["talks"].values())
        assert r["change"] == counts[-1] - counts[0]
        assert r["trend"] == ("rising" if r["change"] > 0 else "falling" if r["change"] < 0 else "steady")


def test_organizations_against_the_gold(answers, gold, gold_facts):
    def same(name):  # "Pôle Emploi" is "France Travail", "Wescale" "WeScale"
        return key(gold_facts[0].get(key(name), name))

    speakers, talks = defaultdict(set), defaultdict(set)
    for doc in gold:
        for talk in doc["talks"]:
            for person in talk["speakers"]:
                for org in person["affiliations"]:
                    speakers[same(org)].add(person["name"])
                    talks[same(org)].add(talk["title"])
    rows = {same(r["organization"]): r for r in answers["organizations"]}
    assert set(speakers) <= set(rows)
    for org in speakers:
        assert (rows[org]["speaker_count"], rows[org]["talk_count"]) == (len(speakers[org]), len(talks[org])), org
    assert rows["sfeir"]["events"] == ["Kubernetes Community Days France 2023", "Paris Containers Day 2021"]


def test_people_at_several_events(answers, gold):
    events = defaultdict(set)
    for doc in gold:
        for talk in doc["talks"]:
            for person in talk["speakers"]:
                events[person["name"]].add(doc["event"]["name"])
    assert answers["people"] == [] and all(len(e) == 1 for e in events.values())  # nobody in the dev gold


def test_a_small_graph_file(run, tmp_path):
    path = tmp_path / "small.ttl"
    path.write_text(SMALL, encoding="utf-8")
    answers = json.loads(run("--all", "-f", "json", "--graph", str(path)))
    assert answers["people"] == [{"person": "Ada Martin", "event_count": 2, "events": ["Conf A", "Conf B 2024"],
                                  "talks": ["One", "Two"]}]
    assert [r["tool"] for r in answers["recurring-tools"]] == ["Helm"]  # the evidence statement does not count
    assert answers["tools-by-year"] == [{"scope": "years", "tool": "Helm", "talks": {"2022": 1, "2024": 1},
                                         "change": 0, "trend": "steady"}]
    assert answers["event-similarity"][0]["jaccard"] == 0.5
    assert answers["organizations"][0]["events"] == ["Conf A", "Conf B 2024"]


def test_a_graph_without_talks(run, tmp_path):
    path = tmp_path / "empty.nt"
    path.write_text('<https://example.org/a> <https://example.org/b> "c" .\n', encoding="utf-8")
    assert all(rows == [] for rows in json.loads(run("--all", "-f", "json", "--graph", str(path))).values())
    run("--all", "-f", "html", "-o", str(tmp_path / "empty.html"), "--graph", str(path))
    assert "<svg" not in (tmp_path / "empty.html").read_text(encoding="utf-8")


def test_co_mentions(answers, gold):
    rows = {(r["tool_a"], r["tool_b"]): r["talk_count"] for r in answers["co-mentions"]}
    assert rows[("Docker", "Kubernetes")] == 4
    together = sum({"Prometheus", "Thanos"} <= set(t["tools"]) for d in gold for t in d["talks"])
    assert rows[("Prometheus", "Thanos")] == together == 2
    assert all(a < b and n >= 2 for (a, b), n in rows.items())


def test_communities_partition_the_co_mention_network(answers, built_store):
    from kg.analytics import GraphData

    rows = answers["communities"]
    tools = [t for r in rows for t in r["tools"]]
    network = GraphData(built_store.store).comentions
    assert len(tools) == len(set(tools)) == network.number_of_nodes()  # each tool in exactly one community
    assert [r["community"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(r["size"] == len(r["tools"]) and set(r["top_tools"]) <= set(r["tools"]) for r in rows)
    member = {t: r["community"] for r in rows for t in r["tools"]}
    assert member["Prometheus"] == member["Thanos"]  # co-mentioned in two talks


def test_central_tools(answers):
    rows = answers["central-tools"]
    assert rows[0]["tool"] == "Kubernetes" and rows[0]["degree"] == max(r["degree"] for r in rows)
    assert all(0 <= r["betweenness"] <= 1 and r["weighted_degree"] >= r["degree"] for r in rows)
    assert [r["betweenness"] for r in rows] == sorted((r["betweenness"] for r in rows), reverse=True)


def test_event_similarity(answers, run, store):
    rows = answers["event-similarity"]
    tools = defaultdict(set)
    for r in json.loads(CliRunner().invoke(cli, ["query", "tools-by-event", "-f", "json", *store]).output):
        tools[r["event"]].add(r["tool"])
    assert len(rows) == len(tools) * (len(tools) - 1) // 2  # each unordered pair once
    for r in rows:
        a, b = tools[r["event_a"]], tools[r["event_b"]]
        assert 0 <= r["jaccard"] <= 1
        assert r["jaccard"] == round(len(a & b) / len(a | b), 3) == round(len(b & a) / len(b | a), 3)
        assert set(r["shared_tools"]) == a & b and r["shared_count"] == len(a & b)
    pair = next(r for r in rows if {r["event_a"], r["event_b"]} == {"Cloud Nord 2023",
                                                                    "Kubernetes Community Days France 2023"})
    assert "Dagger" in pair["shared_tools"]


def test_tool_profile(run, store, answers, gold):
    profile = json.loads(run("tool", "k8s", "-f", "json", *store))  # any name of the tool
    assert list(profile) == ["talks", "events", "speakers", "co_mentioned_tools"]
    titles = {r["talk"] for r in profile["talks"]}
    gold_titles = {t["title"] for d in gold for t in d["talks"] if "Kubernetes" in t["tools"]}
    assert "Démystifions les composants internes de Kubernetes" in titles
    assert len(titles & gold_titles) >= len(gold_titles) - 1
    recurring = next(r for r in answers["recurring-tools"] if r["tool"] == "Kubernetes")
    assert len(profile["talks"]) == recurring["talk_count"]
    assert {e["event"] for e in profile["events"]} == set(recurring["events"])
    assert {"tool": "Docker", "talk_count": 4} in profile["co_mentioned_tools"]
    assert any(s["speaker"] == "Denis Germain" for s in profile["speakers"])
    text = run("tool", "Kubernetes", *store)
    assert text.startswith("Tool: Kubernetes\n22 talks at 5 events")


def test_same_answers_from_an_exported_file(answers, run, turtle_export):
    assert json.loads(run("--all", "-f", "json", "--graph", str(turtle_export))) == answers


def test_json_keys_are_snake_case(answers, run, store):
    def keys(value):
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set(value) if isinstance(value, dict) else set()

    for name, rows in answers.items():
        for k in keys(rows) - {k for r in rows if "talks" in r for k in r["talks"]}:  # periods are data
            assert re.fullmatch(r"[a-z][a-z0-9_]*", k), (name, k)


@pytest.mark.parametrize("fmt, start", [
    ("csv", "tool,event_count,events,talk_count\nKubernetes,5,Cloud Nord 2023; Cloud Nord 2024;"),
    ("markdown", "## Tools that recur across events\n"),
    ("text", "Tools that recur across events\n"),
])
def test_formats(run, store, fmt, start):
    assert run("recurring-tools", "-f", fmt, *store).startswith(start)


def test_text_fits_80_columns(run, store):
    out = run("--all", *store) + run("tool", "Kubernetes", *store)
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Kubernetes" in out and "\x1b[" not in out  # no colour when not on a terminal


def test_html_is_self_contained_and_reproducible(run, store, tmp_path, turtle_export):
    out = tmp_path / "report.html"
    run("--all", "-f", "html", "-o", str(out), *store)
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") == 5 and html.count("<table") == 7  # people: none in this graph
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html, re.IGNORECASE)
    assert "<script" not in html and "<link" not in html and "default-src 'none'" in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    run("--all", "-f", "html", "-o", str(tmp_path / "again.html"), *store)
    run("--all", "-f", "html", "-o", str(tmp_path / "file.html"), "--graph", str(turtle_export))
    assert (tmp_path / "again.html").read_bytes() == (tmp_path / "file.html").read_bytes() == out.read_bytes()


@pytest.mark.parametrize("args, message", [
    (["no-such-report"], "no report named"),
    (["people", "extra"], "takes no argument"),
    (["tool"], "takes a tool name"),
    (["tool", "No Such Tool"], "nothing in the store"),
    (["recurring-tools", "--all"], "not both"),
    (["--all", "-f", "csv"], "csv holds one table"),
    (["tool", "Kubernetes", "-f", "csv"], "csv holds one table"),
    (["recurring-tools", "-f", "pdf"], "Invalid value"),
])
def test_usage_errors_exit_2(run, store, args, message):
    assert message in run(*args, *store, code=2)


def test_missing_store_exit_2_and_not_created(run, tmp_path):
    assert "kg build" in run("recurring-tools", "--store", str(tmp_path / "none"), code=2)
    assert not (tmp_path / "none").exists()


def test_report_does_not_import_spacy_or_rdflib(store):
    import subprocess
    import sys

    code = ("import sys; from kg.cli import cli\ntry: cli(['report', '--all', '-f', 'html', '-o', sys.argv[2], "
            "'--store', sys.argv[1]])\nexcept SystemExit: pass\n"
            "print(sorted(m for m in ('spacy', 'rdflib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, store[1], "/dev/null"], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
