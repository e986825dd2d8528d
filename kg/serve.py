"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over the local store.

``/sparql`` answers queries sent as ``GET ?query=``, as a ``POST`` form or as a ``POST``
of ``application/sparql-query``, in the format the Accept header prefers (SELECT and
ASK: SPARQL results in JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE: Turtle or
N-Triples; JSON and Turtle when the header names none of them). The dataset is the
one ``kg query`` sees: the default graph is the knowledge graph (every node and fact
once, with the aggregates the saved queries read), each recap's named graph holds what
that recap says with its evidence (``GRAPH ?recap { }``), a store of recap graphs alone
is read as their union (:func:`kg.sparql.reads_union`), and the prefixes of
:data:`kg.sparql.DEFAULT_PREFIXES` are declared, so the saved queries run unchanged.
Every answer carries CORS headers so YASGUI, or any page, can query it from a browser;
``/`` is a short page saying how to.

Limits, so that whoever can reach the endpoint cannot change or stall it:

- read-only: the store is opened read-only, and updates (``application/sparql-update``,
  an ``update=`` field, an update text in ``query``) get 403;
- time: pyoxigraph cannot cancel a running query, so queries run in a small pool of
  worker processes; a query still running after ``timeout`` seconds has its worker
  killed (503) and a new worker started. A request waits at most ``timeout`` seconds
  more for a free worker (503 when all are busy);
- size: at most ``max_rows`` solutions or triples per answer; a cut answer carries
  the header ``X-KG-Truncated: MAX_ROWS``. Request bodies over 1 MB get 413;
- reach: it listens on 127.0.0.1 unless told otherwise, and warns when it is not.

A worker opens the store for each query (about 20 ms): a ``kg build`` that switches
the store to a new build meanwhile is seen by the next query, and no worker keeps a
replaced build open while a later build deletes it.
"""
from __future__ import annotations

import html
import ipaddress
import itertools
import multiprocessing
import queue
import signal
import socket
import socketserver
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from . import __version__
from .errors import KgError, UsageError
from .remote import TRUNCATED_HEADER
from .sparql import DEFAULT_PREFIXES, is_update, reads_union
from .store import GraphStore

# Two cores on the machines kg targets: two queries at a time, a third waits.
WORKERS = 2
MAX_REQUEST_BYTES = 1_000_000
# Seconds a new worker may take to import pyoxigraph and say it is ready.
WORKER_STARTUP_TIMEOUT = 30.0

# (media type, format) the Accept header chooses from; the first is the default.
RESULTS_FORMATS = [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("application/xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
]
GRAPH_FORMATS = [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
]


@dataclass(frozen=True)
class QueryRequest:
    """What an HTTP thread hands a worker: the query, the client's Accept header, the row limit."""

    text: str
    accept: str
    max_rows: int


@dataclass(frozen=True)
class Answer:
    """An HTTP answer, built in a worker: status, Content-Type, body, and where the rows were cut."""

    status: int
    content_type: str
    body: bytes
    truncated_at: int | None = None


def text_answer(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


# --------------------------------------------------------------------------- in a worker


def answer_query(store_path: Path, request: QueryRequest) -> Answer:
    """Runs a query on the store as ``kg query`` does and serializes at most ``max_rows`` of its answer."""
    try:
        gs = GraphStore.open(store_path)
    except KgError as e:
        return text_answer(503, f"the store cannot be read now: {e}")
    try:
        answer = gs.store.query(request.text, prefixes=DEFAULT_PREFIXES, use_default_graph_as_union=reads_union(gs.store))
        if isinstance(answer, ox.QueryBoolean):
            fmt = negotiate(request.accept, RESULTS_FORMATS)
            return Answer(200, fmt.media_type, answer.serialize(format=fmt))
        if isinstance(answer, ox.QuerySolutions):
            fmt = negotiate(request.accept, RESULTS_FORMATS)
            body, cut = _first_solutions(answer, fmt, request.max_rows)
        else:
            fmt = negotiate(request.accept, GRAPH_FORMATS)
            triples = list(itertools.islice(answer, request.max_rows + 1))
            cut = len(triples) > request.max_rows
            body = ox.serialize(triples[:request.max_rows], format=fmt, prefixes=DEFAULT_PREFIXES)
        return Answer(200, fmt.media_type, body, request.max_rows if cut else None)
    except SyntaxError as e:
        return text_answer(400, f"SPARQL syntax error: {e}")
    except (OSError, RuntimeError) as e:
        return text_answer(500, f"the query failed: {e}")
    finally:
        gs.close()


def _first_solutions(solutions: ox.QuerySolutions, fmt: ox.QueryResultsFormat, max_rows: int) -> tuple[bytes, bool]:
    """The first max_rows solutions serialized by pyoxigraph, and whether there were more.

    pyoxigraph serializes a whole QuerySolutions and cannot build one from a list, so
    the rows kept are written as SPARQL TSV (each term in N-Triples syntax, which
    pyoxigraph escapes, tabs and line breaks included) and parsed back: the answer is
    then serialized by pyoxigraph's own writer for every format.
    """
    rows = list(itertools.islice(solutions, max_rows + 1))
    lines = ["\t".join(str(v) for v in solutions.variables)]
    lines += ["\t".join("" if term is None else str(term) for term in row) for row in rows[:max_rows]]
    kept = ox.parse_query_results("\n".join(lines) + "\n", ox.QueryResultsFormat.TSV)
    return kept.serialize(format=fmt), len(rows) > max_rows


def negotiate(accept: str, offered: list[tuple[str, object]]):
    """The offered format the Accept header prefers (q-values, then order); the first offered when none fits.

    Falling back instead of answering 406 keeps browsers (Accept: text/html, ...) and
    clients that send no Accept header working.
    """
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip().lower() for p in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranked.append((-quality, position, media))
    for _, _, media in sorted(ranked):
        for offered_media, fmt in offered:
            if media in (offered_media, "*/*") or (media.endswith("/*") and offered_media.startswith(media[:-1])):
                return fmt
    return offered[0][1]


def _worker_main(conn, store_path: str) -> None:
    # Ctrl-C reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return  # the server is gone
        conn.send(answer_query(Path(store_path), request))


# --------------------------------------------------------------------------- in the server


class _Worker:
    """One worker process, answering one query at a time through a pipe."""

    def __init__(self, context, store_path: Path) -> None:
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(target=_worker_main, args=(child_conn, str(store_path)),
                                        name="kg-serve-worker", daemon=True)
        self._process.start()
        child_conn.close()
        if not self._conn.poll(WORKER_STARTUP_TIMEOUT) or self._conn.recv() != "ready":
            self.kill()
            raise UsageError("a query worker did not start")

    def answer(self, request: QueryRequest, timeout: float) -> Answer | None:
        """The worker's answer, or None when it has not answered within timeout seconds."""
        self._conn.send(request)
        if not self._conn.poll(timeout):
            return None
        return self._conn.recv()

    def kill(self) -> None:
        self._process.kill()
        self._process.join()
        self._conn.close()


class WorkerPool:
    """Worker processes shared by the HTTP threads; an overrunning worker is killed and replaced."""

    def __init__(self, store_path: Path, size: int = WORKERS) -> None:
        # spawn, not fork: forking a process that runs HTTP threads can copy a held lock
        self._context = multiprocessing.get_context("spawn")
        self._store_path = store_path
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._start_worker()

    def _start_worker(self) -> None:
        worker = _Worker(self._context, self._store_path)
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._workers.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.kill()
        try:
            self._start_worker()
        except UsageError as e:
            print(f"Error: {e}", file=sys.stderr)

    def run(self, request: QueryRequest, timeout: float) -> Answer:
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return text_answer(503, f"every query worker is busy (for over {timeout:g} s); try again later")
        try:
            answer = worker.answer(request, timeout)
        except (EOFError, OSError):
            answer = text_answer(500, "the query process died; try again")
        else:
            if answer is not None:
                self._idle.put(worker)
                return answer
            answer = text_answer(503, f"the query ran for over {timeout:g} s and was stopped "
                                      f"(this endpoint's limit, kg serve --timeout)")
        # killed and replaced in the background, so the client has its answer now
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        return answer

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, set()
        for worker in workers:
            worker.kill()


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server: the handler reads the pool and the limits from it."""

    daemon_threads = True

    def __init__(self, host: str, port: int, pool: WorkerPool | None, timeout: float, max_rows: int,
                 store_path: Path) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.pool = pool
        self.query_timeout = timeout
        self.max_rows = max_rows
        self.store_path = store_path
        super().__init__((host, port), SparqlHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up in DNS, which can hang: not needed here
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class SparqlHandler(BaseHTTPRequestHandler):
    server: SparqlServer

    def version_string(self) -> str:
        return f"confkg/{__version__}"  # the Server header, without the Python version

    def do_OPTIONS(self) -> None:
        # CORS preflight: a browser asks before a POST with a SPARQL Content-Type
        headers = {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": self.headers.get("Access-Control-Request-Headers") or "Content-Type, Accept",
            "Access-Control-Max-Age": "86400",
        }
        if self.headers.get("Access-Control-Request-Private-Network"):
            # Chrome asks this before a public page (YASGUI's own site) may call 127.0.0.1
            headers["Access-Control-Allow-Private-Network"] = "true"
        self._send(204, b"", None, headers)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            self._send(200, self._page().encode("utf-8"), "text/html; charset=utf-8",
                       {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"})
        elif url.path == "/sparql":
            self._sparql(urllib.parse.parse_qs(url.query, keep_blank_values=True))
        else:
            self._answer(text_answer(404, f"nothing at {url.path}: the SPARQL endpoint is /sparql"))

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/sparql":
            return self._answer(text_answer(404, f"nothing at {url.path}: the SPARQL endpoint is /sparql"))
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._answer(text_answer(411, "a POST needs a Content-Length"))
        if not 0 <= length <= MAX_REQUEST_BYTES:
            return self._answer(text_answer(413, f"request body over {MAX_REQUEST_BYTES:,} bytes"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        content_type = self.headers.get_content_type()
        if content_type == "application/sparql-update":
            return self._answer(_REFUSED_UPDATE)
        if content_type == "application/x-www-form-urlencoded":
            for name, values in urllib.parse.parse_qs(body, keep_blank_values=True).items():
                params.setdefault(name, []).extend(values)
        elif content_type == "application/sparql-query":
            params.setdefault("query", []).append(body)
        else:
            return self._answer(text_answer(415, f"unsupported Content-Type {content_type}: send "
                                                 "application/x-www-form-urlencoded or application/sparql-query"))
        self._sparql(params)

    def _sparql(self, params: dict[str, list[str]]) -> None:
        queries = params.get("query", [])
        if "update" in params or any(is_update(q) for q in queries):
            return self._answer(_REFUSED_UPDATE)
        if "default-graph-uri" in params or "named-graph-uri" in params:
            return self._answer(text_answer(400, "default-graph-uri and named-graph-uri are not supported: "
                                                 "use FROM and FROM NAMED in the query"))
        if len(queries) != 1 or not queries[0].strip():
            return self._answer(text_answer(400, "send one SPARQL query: GET /sparql?query=... or a POST (see /)"))
        request = QueryRequest(queries[0], self.headers.get("Accept", ""), self.server.max_rows)
        self._answer(self.server.pool.run(request, self.server.query_timeout))

    def _answer(self, answer: Answer) -> None:
        extra = {TRUNCATED_HEADER: str(answer.truncated_at)} if answer.truncated_at else {}
        self._send(answer.status, answer.body, answer.content_type, extra)

    def _send(self, status: int, body: bytes, content_type: str | None, extra: dict[str, str]) -> None:
        try:
            self.send_response(status)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", TRUNCATED_HEADER)
            self.send_header("Vary", "Accept")
            self.send_header("Cache-Control", "no-store")
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client left (a timed-out curl, a closed browser tab)

    def _page(self) -> str:
        host = self.headers.get("Host") or f"{self.server.server_name}:{self.server.server_port}"
        endpoint = html.escape(f"http://{host}/sparql")
        example = html.escape("SELECT ?tool (COUNT(DISTINCT ?talk) AS ?talks)\n"
                              "WHERE { ?talk kg:mentions ?t . ?t rdfs:label ?tool }\n"
                              "GROUP BY ?tool ORDER BY DESC(?talks) LIMIT 20")
        prefixes = html.escape(", ".join(f"{p}:" for p in DEFAULT_PREFIXES))
        return _PAGE.format(endpoint=endpoint, store=html.escape(str(self.server.store_path)), example=example,
                            prefixes=prefixes, timeout=f"{self.server.query_timeout:g}",
                            max_rows=f"{self.server.max_rows:,}", header=TRUNCATED_HEADER, version=__version__)


_REFUSED_UPDATE = text_answer(403, "this endpoint is read-only: SPARQL Update is refused "
                                   "(change the store with kg build)")

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>confkg SPARQL endpoint</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}}
code,pre,textarea{{font:14px ui-monospace,monospace}}pre{{background:#f4f4f4;padding:.5rem;overflow:auto}}
textarea{{width:100%;height:7rem}}</style></head><body>
<h1>confkg SPARQL endpoint</h1>
<p>A read-only <a href="https://www.w3.org/TR/sparql11-protocol/">SPARQL 1.1 Protocol</a> endpoint over the
knowledge graph of conference recaps in <code>{store}</code>, served by <code>kg serve</code> (confkg {version}).</p>
<p>Endpoint: <code>{endpoint}</code></p>
<ul>
<li>The default graph is the knowledge graph: every node and fact once, with the aggregates the saved
queries read. Each recap's named graph holds what that recap says, with its evidence: query it with
<code>GRAPH ?recap {{ … }}</code>. The prefixes {prefixes} are declared.</li>
<li>SELECT and ASK answer in JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle or N-Triples, as the
<code>Accept</code> header asks.</li>
<li>Updates are refused. A query stops after {timeout} s; answers hold at most {max_rows} rows (header
<code>{header}</code> when cut).</li>
</ul>
<h2>Query it</h2>
<pre>curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE {{ ?s a kg:Tool }} LIMIT 5' {endpoint}
kg query recurring-tools --endpoint {endpoint}</pre>
<p>In <a href="https://yasgui.triply.cc/">YASGUI</a>, set the endpoint to <code>{endpoint}</code>: CORS is allowed.</p>
<form action="/sparql" method="get"><textarea name="query">{example}</textarea>
<p><button type="submit">Run (JSON)</button></p></form>
</body></html>
"""


# --------------------------------------------------------------------------- entry point


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(store_path: Path, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0,
          max_rows: int = 10_000, announce: Callable[[str], None] = print) -> None:
    """Serves the store until Ctrl-C or SIGTERM; ``announce`` receives the lines for the user."""
    GraphStore.open(store_path).close()  # a missing store is a usage error before anything starts
    try:
        server = SparqlServer(host, port, None, timeout, max_rows, store_path)
    except OSError as e:
        raise UsageError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    try:
        server.pool = WorkerPool(store_path)
        bound_host, bound_port = server.server_address[:2]
        url = f"http://{f'[{bound_host}]' if ':' in bound_host else bound_host}:{bound_port}/sparql"
        if not is_loopback(host):
            announce(f"Warning: listening on {host}: anyone who can reach this machine can read the graph")
        announce(f"Serving {store_path} read-only at {url} "
                 f"(queries stop after {timeout:g} s, at most {max_rows:,} rows); Ctrl-C stops")
        signal.signal(signal.SIGTERM, _interrupt)
        server.serve_forever()
    except KeyboardInterrupt:
        announce("Stopped")
    finally:
        server.server_close()
        if server.pool:
            server.pool.close()


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # SIGTERM stops the server as Ctrl-C does
