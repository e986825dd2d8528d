"""kg serve: the read-only SPARQL endpoint over the local store (kg/serve.py).

One `kg serve` runs in a subprocess for the module, on a free port of 127.0.0.1,
with a 1 s query timeout and at most 50 rows, over tests/data/sample.trig completed as
kg build writes a store: the knowledge graph in the default graph, one graph per recap.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.aggregates import complete_knowledge_graph
from kg.cli import cli
from kg.serve import GRAPH_FORMATS, RESULTS_FORMATS, QueryRequest, answer_query, is_loopback, negotiate
from kg.sparql import run_query
from kg.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "sample.trig"
MAX_ROWS = 50
ALL_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# the check docs/remote-stores.md gives: a tool's type and its talk count (an aggregate, in the knowledge graph only)
COUNT_TOOLS = "SELECT (COUNT(*) AS ?rows) (COUNT(DISTINCT ?t) AS ?tools) WHERE { ?t a kg:Tool ; kg:talkCount ?n }"
# the default graph's 182 triples to the power 5: far longer than the 1 s timeout
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"


def make_store(path: Path, knowledge_graph: bool = True) -> Path:
    """The sample as kg build writes it; with ``knowledge_graph=False``, its recap graphs alone (an older store)."""
    gs = GraphStore.create(path)
    gs.store.load(path=str(SAMPLE), format=ox.RdfFormat.TRIG)
    if knowledge_graph:
        complete_knowledge_graph(gs.store)
    gs.store.flush()
    gs.close()
    return path


def triple_count(store: Path) -> int:
    return len(GraphStore.open(store).store)


class Served:
    """A `kg serve` subprocess: its URL, and the lines it wrote on stderr."""

    def __init__(self, store: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", "0", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        self.lines: list[str] = []
        deadline = time.monotonic() + 60
        while not any(line.startswith("Serving") for line in self.lines):
            line = self.process.stderr.readline()
            if not line or time.monotonic() > deadline:
                self.process.kill()
                pytest.fail(f"kg serve did not start: {''.join(self.lines)}{self.process.stderr.read()}")
            self.lines.append(line)
        self.url = self.lines[-1].split(" at ")[1].split()[0]
        # request logs go to stderr: keep reading it, so a full pipe never blocks the server
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.process.stderr), daemon=True)
        self._reader.start()

    def stop(self, sig=signal.SIGTERM) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=20)
        self._reader.join(timeout=5)
        return code


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("serve") / "store")


@pytest.fixture(scope="module")
def served(store):
    server = Served(store, "--timeout", "1", "--max-rows", str(MAX_ROWS))
    yield server
    server.stop()


def request(url, query=None, *, method="GET", accept=None, content_type=None, body=None):
    """(status, headers, body) of one request; errors are answers too."""
    if query is not None and method == "GET":
        url += "?" + urllib.parse.urlencode({"query": query})
    elif query is not None:
        body = urllib.parse.urlencode({"query": query}).encode()
    headers = {k: v for k, v in (("Accept", accept), ("Content-Type", content_type)) if v}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method=method, headers=headers),
                                    timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def kg(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# --------------------------------------------------------------------------- over HTTP


def test_listens_on_127_0_0_1_by_default_and_says_where(served):
    assert served.url.startswith("http://127.0.0.1:") and served.url.endswith("/sparql")
    assert not any("Warning" in line for line in served.lines)


def test_select_answers_json(served):
    status, headers, body = request(served.url, "SELECT DISTINCT ?tool WHERE { ?t a kg:Tool ; rdfs:label ?tool } "
                                                "ORDER BY ?tool")
    assert status == 200
    assert headers["Content-Type"] == "application/sparql-results+json"
    assert headers["Access-Control-Allow-Origin"] == "*"
    tools = [b["tool"]["value"] for b in json.loads(body)["results"]["bindings"]]
    assert tools == ["Argo CD", "Docker", "Grafana", "Helm", "Kubernetes", "OpenTelemetry", "Prometheus", "Trivy"]


@pytest.mark.parametrize("accept, content_type, start", [
    ("text/csv", "text/csv; charset=utf-8", b"tool\r\nArgo CD\r\n"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", b'?tool\n"Argo CD"\n'),
    ("application/sparql-results+xml", "application/sparql-results+xml", b'<?xml version="1.0"?><sparql'),
])
def test_results_format_follows_accept(served, accept, content_type, start):
    status, headers, body = request(served.url, "SELECT ?tool WHERE { ?t a kg:Tool ; rdfs:label ?tool } ORDER BY ?tool",
                                    method="POST", accept=accept)
    assert (status, headers["Content-Type"]) == (200, content_type)
    assert body.startswith(start)


def test_construct_answers_turtle_or_n_triples(served):
    query = "CONSTRUCT { ?t a kg:Tool } WHERE { ?t a kg:Tool }"
    status, headers, body = request(served.url, query)
    assert (status, headers["Content-Type"]) == (200, "text/turtle")
    assert len(list(ox.parse(body, format=ox.RdfFormat.TURTLE))) == 8
    status, headers, body = request(served.url, query, accept="application/n-triples")
    assert headers["Content-Type"] == "application/n-triples"
    assert body.count(b" .\n") == 8


def test_query_posted_as_sparql_query(served):
    status, _, body = request(served.url, method="POST", content_type="application/sparql-query",
                              body=b"ASK { ?t rdfs:label \"Kubernetes\" }")
    assert (status, json.loads(body)["boolean"]) == (200, True)


@pytest.mark.parametrize("name, params", [
    ("recurring-tools", []), ("recurring-tools", ["min_events=1"]), ("talks-mentioning", ["tool=k8s"]),
    ("event-talks", ["event=Cloud Nord 2023"]), ("speakers", []), ("co-mentions", ["min_talks=2"]), ("events", []),
])
def test_saved_queries_through_kg_query_endpoint_match_local(served, store, name, params):
    args = ["query", name, *[a for p in params for a in ("--param", p)], "--format", "json"]
    local, remote = kg(*args, "--store", store), kg(*args, "--endpoint", served.url)
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output


def test_the_default_graph_is_the_knowledge_graph_and_the_recaps_are_named_graphs(served, store):
    # every tool once (a union of the recap graphs would count Kubernetes once per recap), and the two recap graphs
    _, _, body = request(served.url, COUNT_TOOLS, accept="text/csv")
    assert body == b"rows,tools\r\n8,8\r\n"
    _, _, body = request(served.url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?t a kg:Tool } } GROUP BY ?g "
                                     "ORDER BY ?g", accept="text/csv")
    assert body.decode().splitlines()[1:] == [
        "https://w3id.org/confkg/resource/recap/000-cloud-nord-2023-txt,6",
        "https://w3id.org/confkg/resource/recap/001-cloud-nord-2024-txt,4"]
    local = kg("query", "-e", COUNT_TOOLS, "--format", "csv", "--store", store)
    assert kg("query", "-e", COUNT_TOOLS, "--format", "csv", "--endpoint", served.url).output == local.output


@pytest.mark.parametrize("value", ['Kubernetes" } ; DROP ALL ; #', '> } ; DROP ALL ; #'])
def test_injection_through_param_on_kg_serve(served, store, value):
    before = triple_count(store)
    result = kg("query", "talks-mentioning", "--param", f"tool={value}", "--format", "json", "--endpoint", served.url)
    assert (result.exit_code, json.loads(result.output)) == (0, [])
    assert triple_count(store) == before


@pytest.mark.parametrize("how", ["sparql-update", "update-field", "update-as-query", "update-in-get"])
def test_updates_are_refused_and_the_store_is_unchanged(served, store, how):
    before = triple_count(store)
    drop = "DROP ALL"
    if how == "sparql-update":
        status, _, body = request(served.url, method="POST", content_type="application/sparql-update", body=drop.encode())
    elif how == "update-field":
        status, _, body = request(served.url, method="POST", content_type="application/x-www-form-urlencoded",
                                  body=urllib.parse.urlencode({"update": drop}).encode())
    elif how == "update-as-query":
        status, _, body = request(served.url, "PREFIX ex: <http://ex.org/> " + drop, method="POST")
    else:
        status, _, body = request(served.url, drop)
    assert status == 403
    assert b"read-only" in body
    assert triple_count(store) == before
    assert request(served.url, "ASK { ?s ?p ?o }")[0] == 200


@pytest.mark.slow
def test_a_long_query_is_stopped_with_503_and_the_server_goes_on(served):
    started = time.monotonic()
    status, _, body = request(served.url, CROSS_PRODUCT)
    assert status == 503
    assert b"over 1 s" in body
    assert time.monotonic() - started < 10
    for _ in range(3):  # the killed worker is replaced; both workers answer again
        assert request(served.url, "ASK { ?s ?p ?o }")[0] == 200
    time.sleep(1.5)
    assert request(served.url, "ASK { ?s ?p ?o }")[0] == 200


def test_answers_are_cut_at_max_rows(served):
    status, headers, body = request(served.url, ALL_TRIPLES)
    assert status == 200
    assert headers["X-KG-Truncated"] == str(MAX_ROWS)
    assert len(json.loads(body)["results"]["bindings"]) == MAX_ROWS
    _, headers, body = request(served.url, "CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
    assert headers["X-KG-Truncated"] == str(MAX_ROWS)
    assert body.count(b"\n") == MAX_ROWS
    _, headers, _ = request(served.url, "SELECT ?t WHERE { ?t a kg:Tool }")
    assert "X-KG-Truncated" not in headers


def test_kg_query_warns_when_the_endpoint_cut_the_rows(served):
    result = kg("query", "-e", ALL_TRIPLES, "--format", "csv", "--endpoint", served.url)
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == MAX_ROWS + 1
    assert f"Warning: the endpoint returned only the first {MAX_ROWS} rows" in result.stderr


def test_cors_preflight(served):
    req = urllib.request.Request(served.url, method="OPTIONS", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type", "Access-Control-Request-Private-Network": "true"})
    with urllib.request.urlopen(req, timeout=10) as response:
        headers = response.headers
        assert response.status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert headers["Access-Control-Allow-Headers"] == "content-type"
    assert headers["Access-Control-Allow-Private-Network"] == "true"


def test_page_says_how_to_query(served):
    status, headers, body = request(served.url.removesuffix("sparql"))
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert served.url.encode() in body and b"read-only" in body and b"<script" not in body
    assert b"The default graph is the knowledge graph" in body and b"GRAPH ?recap" in body


@pytest.mark.parametrize("url_suffix, query, status", [
    ("", "SELECT ?x WHERE { ?x ?y }", 400),
    ("", None, 400),
    ("&default-graph-uri=http%3A%2F%2Fex.org%2Fg", "ASK {}", 400),
    ("/../nothing", None, 404),
])
def test_bad_requests(served, url_suffix, query, status):
    url = served.url + ("?x=1" + url_suffix if url_suffix.startswith("&") else url_suffix)
    got, _, body = request(url, query, method="POST" if query else "GET")
    assert got == status, body


def test_port_in_use_and_missing_store_are_usage_errors(served, tmp_path):
    port = served.url.rsplit(":", 1)[1].split("/")[0]
    busy = kg("serve", "--store", tmp_path / "nowhere", "--port", port)
    assert busy.exit_code == 2 and "kg build" in busy.output
    assert not (tmp_path / "nowhere").exists()
    store = make_store(tmp_path / "s")
    busy = kg("serve", "--store", store, "--port", port)
    assert busy.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in busy.output


def test_ctrl_c_stops_cleanly(store):
    server = Served(store)
    assert request(server.url, "ASK {}")[0] == 200
    assert server.stop(signal.SIGINT) == 0
    assert server.lines[-1].strip() == "Stopped"
    assert not any("Traceback" in line for line in server.lines)


def test_serve_does_not_import_spacy_or_rdflib():
    code = ("import sys, kg.cli, kg.serve\n"
            "print(sorted(m for m in ('spacy', 'rdflib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- without HTTP


def local_count(store: Path, text: str) -> int:
    gs = GraphStore.open(store)
    try:
        return int(run_query(gs.store, text).rows[0][0])
    finally:
        gs.close()


def test_answer_query_in_process(store):
    cut = answer_query(store, QueryRequest(ALL_TRIPLES, "text/csv", 3))
    assert (cut.status, cut.truncated_at, cut.body.count(b"\r\n")) == (200, 3, 4)
    whole = answer_query(store, QueryRequest(COUNT_TRIPLES, "", 3))
    # the default graph alone, as kg query reads it: fewer triples than the store holds in all its graphs
    triples = local_count(store, COUNT_TRIPLES)
    assert 0 < triples < triple_count(store)
    assert whole.truncated_at is None and f'"value":"{triples}"'.encode() in whole.body
    assert answer_query(store, QueryRequest("SELECT", "", 3)).status == 400


def test_a_store_of_recap_graphs_alone_is_read_as_their_union(tmp_path):
    store = make_store(tmp_path / "old", knowledge_graph=False)
    answer = answer_query(store, QueryRequest(COUNT_TRIPLES, "text/csv", 3))
    assert answer.body == f"n\r\n{triple_count(store)}\r\n".encode()
    assert local_count(store, COUNT_TRIPLES) == triple_count(store)
    assert answer_query(store, QueryRequest("ASK { ?t a kg:Tool }", "text/csv", 3)).body == b"true"


@pytest.mark.parametrize("accept, expected", [
    ("", ox.QueryResultsFormat.JSON),
    ("text/html,application/xhtml+xml,*/*;q=0.8", ox.QueryResultsFormat.JSON),
    ("text/csv;q=0.5, application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv, */*;q=0.1", ox.QueryResultsFormat.CSV),
    ("text/*", ox.QueryResultsFormat.CSV),
    ("application/sparql-results+json;q=0, text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_negotiate(accept, expected):
    assert negotiate(accept, RESULTS_FORMATS) == expected


def test_negotiate_graph_formats():
    assert negotiate("application/sparql-results+json,*/*;q=0.9", GRAPH_FORMATS) == ox.RdfFormat.TURTLE
    assert negotiate("application/n-triples", GRAPH_FORMATS) == ox.RdfFormat.N_TRIPLES


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False), ("192.168.1.10", False),
    ("example.org", False),
])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback
