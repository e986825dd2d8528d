"""kg push and kg query --endpoint against a real Oxigraph server (kg/remote.py).

The server is the `oxigraph` binary of the PyPI package `oxigraph` (the `test` extra),
started on a free port of 127.0.0.1 for this module and emptied before each test, and
queried at its plain `/query` URL (no union default graph). The store is
tests/data/sample.trig plus one tool whose label is an injection attempt, completed as
kg build writes a store: the knowledge graph in the default graph, one graph per recap.
"""
from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.aggregates import complete_knowledge_graph
from kg.cli import cli
from kg.errors import BadParameter
from kg.extract import Mention
from kg.rdf import evidence_quads
from kg.remote import bind_values
from kg.sparql import DEFAULT_PREFIXES, bind_params, find_saved_query, run_query
from kg.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
SAMPLE = ROOT / "tests" / "data" / "sample.trig"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
KG = DEFAULT_PREFIXES["kg"]
KGR = DEFAULT_PREFIXES["kgr"]
RECAP_2023 = KGR + "recap/000-cloud-nord-2023-txt"
RECAP_2024 = KGR + "recap/001-cloud-nord-2024-txt"
EVIL_TOOL = 'Zorg" } ; DROP ALL ; #'
GITOPS_TALK = "GitOps avec Argo CD sur Kubernetes"

# every saved query, and the parameter values worth trying on the sample
QUERY_CASES = [(q.stem, {}) for q in sorted(QUERIES.glob("*.rq")) if q.stem not in ("talks-mentioning", "event-talks")]
QUERY_CASES += [
    ("recurring-tools", {"min_events": "1"}),
    ("co-mentions", {"min_talks": "2"}),
    ("people-multi-event", {"min_events": "1"}),
    ("talks-mentioning", {"tool": "k8s"}),
    ("talks-mentioning", {"tool": EVIL_TOOL}),
    ("event-talks", {"event": "cloudnord 2024"}),
]
INJECTIONS = ['Kubernetes" } ; DROP ALL ; #', "Kubernetes' } ; DROP ALL ; #", '> } ; DROP ALL ; #',
              'k8s\\" } UNION { ?t ?p ?o } #', 'k8s"""\n} ; CLEAR ALL']


def make_sample_store(path: Path, knowledge_graph: bool = True) -> Path:
    """sample.trig, plus a tool of the 2023 GitOps talk whose label holds quotes and braces, with its evidence.

    With ``knowledge_graph=False``, the recap graphs alone, as a store built by a kg older than the knowledge graph.
    """
    gs = GraphStore.create(path)
    gs.store.load(path=str(SAMPLE), format=ox.RdfFormat.TRIG)
    g, tool = ox.NamedNode(RECAP_2023), ox.NamedNode(KGR + "tool/zorg")
    talk = KGR + "talk/cloud-nord-2023/gitops-avec-argo-cd-sur-kubernetes"
    gs.store.extend([
        ox.Quad(ox.NamedNode(talk), ox.NamedNode(KG + "mentions"), tool, g),
        ox.Quad(tool, ox.NamedNode(DEFAULT_PREFIXES["rdf"] + "type"), ox.NamedNode(KG + "Tool"), g),
        ox.Quad(tool, ox.NamedNode(DEFAULT_PREFIXES["rdfs"] + "label"), ox.Literal(EVIL_TOOL), g),
    ])
    # the evidence kg build writes beside the fact, in the recap graph only
    read = Mention(EVIL_TOOL, 120, 120 + len(EVIL_TOOL), "tool-context", 0.8, exact=EVIL_TOOL,
                   prefix="l'outil ", suffix=" déploie tout")
    gs.store.extend(evidence_quads(RECAP_2023, (talk, "mentions", tool.value), [read], g))
    if knowledge_graph:
        complete_knowledge_graph(gs.store)
    gs.store.flush()
    gs.close()
    return path


def local_graphs(store: Path) -> dict[str | None, set[str]]:
    """Each graph of the store with its triples (as N-Triples lines); None is the default graph, when it has any."""
    gs = GraphStore.open(store)
    graphs = {name: {str(q.triple) for q in gs.store.quads_for_pattern(None, None, None, ox.NamedNode(name))}
              for name in gs.graph_names()}
    default = {str(q.triple) for q in gs.store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    gs.close()
    return {**graphs, None: default} if default else graphs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kg(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


# --------------------------------------------------------------------------- the Oxigraph server


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    """`oxigraph serve` on a free port, until the module's tests are done."""
    if not OXIGRAPH.is_file():
        pytest.skip(f"no Oxigraph server at {OXIGRAPH}: install the test extra (pip install -e '.[test]', "
                    f"PyPI package oxigraph)")
    port = free_port()
    process = subprocess.Popen([OXIGRAPH, "serve", "--location", tmp_path_factory.mktemp("oxigraph"),
                                "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=1).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"oxigraph serve exited: {process.stderr.read().decode()}")
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("oxigraph serve did not answer within 30 s")
            time.sleep(0.05)
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def server(oxigraph_server):
    """The Oxigraph server's base URL, emptied."""
    data = urllib.parse.urlencode({"update": "DROP ALL"}).encode()
    urllib.request.urlopen(oxigraph_server + "/update", data=data, timeout=10).close()
    return oxigraph_server


@pytest.fixture
def store(tmp_path):
    return make_sample_store(tmp_path / "store")


@pytest.fixture
def pushed(server, store):
    """(store, query URL): the sample store pushed to the server, queried at its plain /query URL."""
    result = kg("push", "--endpoint", server + "/store", "--store", store)
    assert result.exit_code == 0, result.output
    return store, server + "/query"


def server_graphs(base: str) -> dict[str | None, set[str]]:
    """Each graph of the server with its triples (as N-Triples lines), None for the default graph when it has any."""
    query = "SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    request = urllib.request.Request(base + "/query", data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        solutions = ox.parse_query_results(response.read(), ox.QueryResultsFormat.JSON)
    graphs: dict[str | None, set[str]] = {}
    for g, s, p, o in solutions:
        graphs.setdefault(g.value if g else None, set()).add(str(ox.Triple(s, p, o)))
    return graphs


def default_graph_on(base: str) -> set[str]:
    """The server's default graph, read with a Graph Store Protocol GET."""
    with urllib.request.urlopen(base + "/store?default", timeout=10) as response:
        return {str(q.triple) for q in ox.parse(response.read(), format=ox.RdfFormat.N_TRIPLES)}


# --------------------------------------------------------------------------- push


def test_push_copies_every_graph(server, store):
    result = kg("push", "--endpoint", server + "/store", "--store", store)
    assert result.exit_code == 0, result.output
    local = local_graphs(store)
    assert set(local) == {RECAP_2023, RECAP_2024, None}
    assert server_graphs(server) == local
    total = sum(map(len, local.values()))
    assert result.output.strip().splitlines()[-1] == \
        f"Pushed 2 recap graphs and the knowledge graph, {total:,} triples to {server}/store"


def test_push_twice_leaves_the_same_content(server, store):
    for _ in range(2):
        assert kg("push", "--endpoint", server + "/store", "--store", store).exit_code == 0
        assert server_graphs(server) == local_graphs(store)


def test_push_replaces_a_changed_graph(server, store):
    assert kg("push", "--endpoint", server + "/store", "--store", store).exit_code == 0
    gs = GraphStore.open(store, read_only=False)
    gs.store.update(f"DELETE WHERE {{ GRAPH <{RECAP_2024}> {{ ?t <{KG}mentions> ?tool }} }} ; "
                    f"INSERT DATA {{ GRAPH <{RECAP_2024}> {{ <{KGR}tool/trivy> <{KG}category> \"scanner\" }} }} ; "
                    f"DELETE WHERE {{ ?t <{KG}eventCount> ?n }} ; "
                    f"INSERT DATA {{ <{KGR}tool/trivy> <{KG}category> \"scanner\" }}")
    gs.close()
    assert kg("push", "--endpoint", server + "/store", "--store", store).exit_code == 0
    on_server = server_graphs(server)
    assert on_server == local_graphs(store)
    assert not any(f"<{KG}mentions>" in t for t in on_server[RECAP_2024])
    assert f'<{KGR}tool/trivy> <{KG}category> "scanner"' in on_server[RECAP_2024]
    assert not any(f"<{KG}eventCount>" in t for t in on_server[None])
    assert f'<{KGR}tool/trivy> <{KG}category> "scanner"' in on_server[None]


def test_push_sends_the_knowledge_graph_to_the_default_graph(server, store):
    insert = kg("query", "-e", 'INSERT DATA { <http://ex.org/a> <http://ex.org/b> "c" }', "--allow-update",
                "--store", store)
    assert insert.exit_code == 0, insert.output
    result = kg("push", "--endpoint", server + "/store", "--store", store)
    assert result.exit_code == 0, result.output
    assert "Pushed 2 recap graphs and the knowledge graph, " in result.output
    default = default_graph_on(server)
    assert default == local_graphs(store)[None]
    # the aggregates and a triple an update wrote are there; the evidence is not (it stays in the recap graphs)
    assert '<http://ex.org/a> <http://ex.org/b> "c"' in default
    assert any(f"<{KG}eventCount>" in t for t in default) and any(f"<{KG}CoMention>" in t for t in default)
    assert not any(f"<{DEFAULT_PREFIXES['rdf']}Statement>" in t or f"<{KG}Evidence>" in t for t in default)
    assert any(f"<{KG}Evidence>" in t for t in server_graphs(server)[RECAP_2023])


def test_push_of_a_store_without_a_knowledge_graph_says_so(server, tmp_path):
    store = make_sample_store(tmp_path / "old", knowledge_graph=False)
    result = kg("push", "--endpoint", server + "/store", "--store", store)
    assert result.exit_code == 0, result.output
    local = local_graphs(store)
    assert None not in local and server_graphs(server) == local
    total = sum(map(len, local.values()))
    assert result.output.strip().splitlines()[-1] == (
        f"Pushed 2 recap graphs, {total:,} triples to {server}/store; the store has no knowledge graph "
        f"(default graph), so queries on the server's default graph find nothing: rebuild the store with "
        f"kg build and push again")
    assert default_graph_on(server) == set()
    check = kg("query", "-e", COUNT_TOOLS, "--format", "csv", "--endpoint", server + "/query")
    assert check.output == "rows,tools\n0,0\n"


@pytest.mark.parametrize("url, message", [
    (None, "cannot reach http://127.0.0.1:{port}/store: connection refused"),
    ("localhost:7878/store", "bad endpoint URL"),
    ("ftp://127.0.0.1/store", "bad endpoint URL"),
])
def test_unreachable_endpoint_is_a_usage_error(store, url, message):
    port = free_port()  # nothing listens there
    result = kg("push", "--endpoint", url or f"http://127.0.0.1:{port}/store", "--store", store)
    assert result.exit_code == 2
    assert message.format(port=port) in result.output
    assert "Traceback" not in result.output


def test_wrong_service_url_names_the_graph_and_the_status(server, store):
    result = kg("push", "--endpoint", server + "/nothere", "--store", store)
    assert result.exit_code == 2
    assert f"{server}/nothere refused {RECAP_2023}: HTTP 404 Not Found: PUT /nothere is not supported" in result.output
    assert server_graphs(server) == {}


class _GraphStoreStub(BaseHTTPRequestHandler):
    """A Graph Store Protocol server that asks for Basic auth and fails the 2024 recap's graph."""

    def do_PUT(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((self.path, self.headers.get("Authorization"), self.headers["Content-Type"], body))
        if self.headers.get("Authorization") is None:
            self._reply(401, b"", {"WWW-Authenticate": 'Basic realm="kg"'})
        elif urllib.parse.quote(RECAP_2024, safe="") in self.path:
            self._reply(500, b"\n<html><body><h1>Storage full</h1>\n<p>details</p></body></html>", {})
        else:
            self._reply(201, b"", {})

    def _reply(self, status, body, headers):
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GraphStoreStub)
    server.requests = []
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_refused_graph_fails_the_push_with_exit_1_and_credentials_come_from_the_environment(stub, store):
    url = f"http://127.0.0.1:{stub.server_address[1]}/rdf-graphs/service"
    result = kg("push", "--endpoint", url, "--store", store,
                env={"KG_ENDPOINT_USER": "alice", "KG_ENDPOINT_PASSWORD": "s3cret"})
    assert result.exit_code == 1, result.output
    assert f"Error: {url} refused {RECAP_2024}: HTTP 500 Internal Server Error: Storage full" in result.output
    assert result.output.strip().splitlines()[-1].startswith("Pushed 1 recap graph and the knowledge graph, ")
    assert result.output.strip().endswith("; 1 failed")
    sent = [(path, auth) for path, auth, _, _ in stub.requests if auth]
    assert [path for path, _ in sent] == [f"/rdf-graphs/service?graph={urllib.parse.quote(g, safe='')}"
                                          for g in (RECAP_2023, RECAP_2024)] + ["/rdf-graphs/service?default"]
    assert {base64.b64decode(auth.split()[1]).decode() for _, auth in sent} == {"alice:s3cret"}
    assert {content_type for _, _, content_type, _ in stub.requests} == {"text/turtle; charset=utf-8"}


def test_graph_param_renames_the_graph_parameter(stub, store):
    url = f"http://127.0.0.1:{stub.server_address[1]}/sparql-graph-crud-auth"
    kg("push", "--endpoint", url, "--graph-param", "graph-uri", "--user", "dba", "--password", "dba", "--store", store)
    assert stub.requests[0][0] == f"/sparql-graph-crud-auth?graph-uri={urllib.parse.quote(RECAP_2023, safe='')}"


def test_user_without_password_is_a_usage_error(store):
    result = kg("push", "--endpoint", "http://127.0.0.1:1/store", "--user", "alice", "--store", store,
                env={"KG_ENDPOINT_PASSWORD": None})
    assert result.exit_code == 2
    assert "--password" in result.output


# --------------------------------------------------------------------------- query --endpoint


def _saved_query_args(name, params):
    return ["query", name, *[a for k, v in params.items() for a in ("--param", f"{k}={v}")], "--format", "json"]


@pytest.mark.parametrize("name, params", QUERY_CASES, ids=[f"{n}{'-' + '-'.join(p) if p else ''}" for n, p in QUERY_CASES])
def test_saved_query_on_the_endpoint_gives_the_local_rows(pushed, name, params):
    store, endpoint = pushed
    local = kg(*_saved_query_args(name, params), "--store", store)
    remote = kg(*_saved_query_args(name, params), "--endpoint", endpoint)
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output
    # rows, but for co-mentions in two talks: there are none (12 unbound), so HAVING saw the bound value
    assert (json.loads(local.output) == []) == (name == "co-mentions" and params == {"min_talks": "2"})


def test_recurring_tools_table_is_the_same_on_the_endpoint(pushed):
    store, endpoint = pushed
    local = kg("query", "recurring-tools", "--store", store)
    remote = kg("query", "recurring-tools", "--endpoint", endpoint)
    assert remote.output == local.output
    assert "Kubernetes" in remote.output


def test_a_label_with_quotes_and_braces_is_one_literal(pushed):
    store, endpoint = pushed
    for where in (["--store", store], ["--endpoint", endpoint]):
        result = kg("query", "talks-mentioning", "--param", f"tool={EVIL_TOOL}", "--format", "json", *where)
        assert result.exit_code == 0, result.output
        assert [row["talk"] for row in json.loads(result.output)] == [GITOPS_TALK]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_through_param_finds_nothing_and_changes_nothing(pushed, server, value):
    store, endpoint = pushed
    before_local, before_server = local_graphs(store), server_graphs(server)
    for where in (["--store", store], ["--endpoint", endpoint]):
        result = kg("query", "talks-mentioning", "--param", f"tool={value}", "--format", "json", *where)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == []
    assert local_graphs(store) == before_local
    assert server_graphs(server) == before_server


def test_injection_through_an_iri_param_is_refused(pushed, tmp_path):
    store, endpoint = pushed
    query = tmp_path / "by-iri.rq"
    query.write_text("# Talks of a tool\n#\n# @param tool iri The tool\n\n"
                     "SELECT ?talk ?tool WHERE { ?x kg:mentions ?tool ; rdfs:label ?talk }\n", encoding="utf-8")
    for where in (["--store", store], ["--endpoint", endpoint]):
        result = kg("query", query, "--param", "tool=http://x> } ; DROP ALL ; #", *where)
        assert result.exit_code == 2
        assert "must be an absolute IRI" in result.output
        ok = kg("query", query, "--param", "tool=kgr:tool/helm", "--format", "csv", *where)
        assert ok.output.splitlines() == ["talk", GITOPS_TALK]


def test_adhoc_query_gets_the_default_prefixes_and_params(pushed):
    _, endpoint = pushed
    result = kg("query", "-e", "SELECT ?talk ?label WHERE { ?t rdfs:label ?label . ?x kg:mentions ?t ; rdfs:label ?talk }",
                "--param", "label=Trivy", "--format", "csv", "--endpoint", endpoint)
    assert result.exit_code == 0, result.output
    assert result.output.split("\n")[:2] == ["talk", "Migrer de Docker Compose à Kubernetes"]


def test_ask_and_construct_on_the_endpoint(pushed):
    store, endpoint = pushed
    for text in ("ASK { ?t a kg:Tool }", "CONSTRUCT { ?t a kg:Tool } WHERE { ?t a kg:Tool ; rdfs:label ?l }"):
        local = kg("query", "-e", text, "--format", "csv", "--store", store)
        remote = kg("query", "-e", text, "--format", "csv", "--endpoint", endpoint)
        assert remote.exit_code == 0, remote.output
        assert sorted(remote.output.splitlines()) == sorted(local.output.splitlines())


# the check docs/remote-stores.md gives: a tool's type and its talk count (an aggregate, in the knowledge graph only)
COUNT_TOOLS = "SELECT (COUNT(*) AS ?rows) (COUNT(DISTINCT ?t) AS ?tools) WHERE { ?t a kg:Tool ; kg:talkCount ?n }"
# what kg explain reads: where each recap says a talk mentions a tool, and by which rule
EVIDENCE = ("SELECT ?recap ?talk ?rule ?start WHERE { GRAPH ?recap { ?fact rdf:predicate kg:mentions ; "
            "rdf:subject/rdfs:label ?talk . ?ann oa:hasBody ?fact ; kg:rule ?rule ; "
            "oa:hasTarget/oa:hasSelector/oa:start ?start } } ORDER BY ?recap ?talk ?start")


def test_the_plain_endpoint_reads_the_knowledge_graph_once(pushed):
    # as many rows as tools, on the server as locally
    store, endpoint = pushed
    local = kg("query", "-e", COUNT_TOOLS, "--format", "csv", "--store", store)
    remote = kg("query", "-e", COUNT_TOOLS, "--format", "csv", "--endpoint", endpoint)
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output == "rows,tools\n9,9\n"


def test_evidence_is_read_from_the_recap_graphs_on_the_endpoint(pushed):
    store, endpoint = pushed
    local = kg("query", "-e", EVIDENCE, "--format", "csv", "--store", store)
    remote = kg("query", "-e", EVIDENCE, "--format", "csv", "--endpoint", endpoint)
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output
    assert remote.output == f"recap,talk,rule,start\n{RECAP_2023},{GITOPS_TALK},tool-context,120\n"


def test_the_union_default_graph_mixes_the_recap_graphs_in(pushed):
    # the reason docs/remote-stores.md says not to add ?union-default-graph for Oxigraph: each recap graph
    # repeats the labels and facts of the knowledge graph, so rows come once per graph holding them
    store, endpoint = pushed
    union = endpoint + "?union-default-graph"
    counted = kg("query", "-e", COUNT_TOOLS, "--format", "json", "--endpoint", union)
    [row] = json.loads(counted.output)
    assert row["tools"] == 9 and row["rows"] > 9
    # the two queries that read aggregates say DISTINCT, so they still give the local rows there
    local = json.loads(kg("query", "recurring-tools", "--format", "json", "--store", store).output)
    remote = json.loads(kg("query", "recurring-tools", "--format", "json", "--endpoint", union).output)
    assert remote == local


@pytest.mark.parametrize("args, message", [
    (["-e", "DROP ALL"], "update"),
    (["-e", "SELECT ?t WHERE { ?t a kg:Tool }", "--allow-update"], "--allow-update applies to the local store"),
    (["-e", "SELECT ?t WHERE { ?t a kg:Tool }", "--store", "somewhere"], "--store applies to the local store"),
    (["talks-mentioning"], "needs parameter 'tool'"),
])
def test_endpoint_usage_errors_send_nothing(args, message):
    # nothing listens at this URL: a usage error found before sending says so, not "cannot reach"
    result = kg("query", *args, "--endpoint", f"http://127.0.0.1:{free_port()}/sparql")
    assert result.exit_code == 2
    assert message in result.output
    assert "cannot reach" not in result.output


def test_endpoint_syntax_error_is_a_usage_error(server):
    result = kg("query", "-e", "SELECT ?x WHERE { ?x ?y }", "--endpoint", server + "/query")
    assert result.exit_code == 2
    assert f"{server}/query refused the query: HTTP 400 Bad Request: error at 2:" in result.output
    assert "line numbers count one line of PREFIX declarations" in result.output


def test_endpoint_commands_do_not_import_spacy_or_rdflib(store):
    code = ("import sys\nfrom kg.cli import cli\n"
            f"for args in (['push', '--endpoint', 'http://127.0.0.1:{free_port()}/store', '--store', {str(store)!r}],\n"
            "             ['query', 'recurring-tools', '--endpoint', 'http://127.0.0.1:1/sparql']):\n"
            "    try: cli(args)\n    except SystemExit: pass\n"
            "print(sorted(m for m in ('spacy', 'rdflib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


# --------------------------------------------------------------------------- VALUES binding, no server


@pytest.fixture(scope="module")
def memory_store():
    store = ox.Store()
    store.load(path=str(SAMPLE), format=ox.RdfFormat.TRIG)
    complete_knowledge_graph(store)
    return store


@pytest.mark.parametrize("name, params", [c for c in QUERY_CASES if c[1]], ids=lambda c: str(c))
def test_values_binding_answers_as_substitution(memory_store, name, params):
    saved = find_saved_query(name, [QUERIES])
    substitutions = bind_params(saved, params)
    expected = run_query(memory_store, saved.text, substitutions)
    bound = run_query(memory_store, bind_values(saved.text, substitutions))
    hidden = [i for i, c in enumerate(bound.columns) if c in params]
    assert [tuple(v for i, v in enumerate(row) if i not in hidden) for row in bound.rows] == expected.rows


@pytest.mark.parametrize("text, before", [
    ('SELECT ?x # a { in a comment\nWHERE { ?x rdfs:label "}{" }', 'WHERE {'),
    ("PREFIX ex: <http://ex.org/a#b> SELECT ?x { ?x ex:p '''}\n{''' }", "SELECT ?x {"),
    ("SELECT (EXISTS { ?x ?p ?o } AS ?e) ?x WHERE { ?x ?p ?o FILTER (STR(?x) < STR(?o)) }", "WHERE {"),
    ("SELECT ?x FROM <http://g> WHERE { { SELECT ?x WHERE { ?x ?p ?o } } }", "WHERE {"),
    ("CONSTRUCT { ?x a ?c } WHERE { ?x a ?c }", "WHERE {"),
    ("CONSTRUCT { ?x a ?c } { ?x a ?c }", "} {"),
    ("ask{?x ?p ?o}", "ask{"),
    ("DESCRIBE ?x WHERE { ?x ?p ?o }", "WHERE {"),
])
def test_values_go_at_the_start_of_the_outermost_where_group(text, before):
    bound = bind_values(text, {ox.Variable("x"): ox.Literal('a"}')})
    assert before + ' VALUES (?x) { ("a\\"}") }' in bound
    ox.Store().query(bound, prefixes=DEFAULT_PREFIXES)  # parses


@pytest.mark.parametrize("text", ["DESCRIBE <http://ex.org/a>", "CONSTRUCT WHERE { ?x ?p ?o }"])
def test_queries_without_a_group_for_values_refuse_params(text):
    with pytest.raises(BadParameter):
        bind_values(text, {ox.Variable("x"): ox.Literal("a")})
