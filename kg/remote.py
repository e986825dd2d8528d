"""Remote SPARQL stores: ``kg push`` and ``kg query --endpoint``.

Pushing uses the SPARQL 1.1 Graph Store Protocol: every recap graph (the store's
named graphs) goes to the server with one ``PUT URL?graph=IRI``, then the knowledge
graph (the store's default graph) with one ``PUT URL?default``. PUT replaces the graph,
so a push is idempotent (push twice, the server holds the same triples) and a recap
rebuilt locally replaces its old version on the server. Graphs only the server holds
(a recap removed from the corpus) are left alone: PUT cannot know them. The knowledge
graph goes last: until it is replaced, queries on the server's default graph read the
previous push's.

Querying uses the SPARQL 1.1 Protocol (POST ``query=``) and turns the answer into
the same :class:`~kg.sparql.QueryResult` as a local query, so every ``--format``
renders it identically. Queries read the server's default graph, where the push put
the knowledge graph, as a local query reads the store's: a plain endpoint answers as
the local store does, with no union-default-graph setting. A server has no equivalent
of pyoxigraph's ``substitutions``, so parameters are bound by a ``VALUES`` block holding each value
as an RDF term serialized by pyoxigraph (an N-Triples term: quotes, backslashes and
line breaks escaped). The block goes at the start of the query's outermost WHERE
group: saved queries project their parameters and group by them when they
aggregate, so a value bound there reaches the projection, GROUP BY and HAVING alike
(a trailing VALUES clause would be joined after GROUP BY/HAVING and change nothing).

HTTP goes through urllib (no new dependency), with HTTP Basic or Digest
authentication when a user is given (Virtuoso's ``-auth`` endpoints use Digest) and a
timeout on every call. This module imports pyoxigraph only: the commands start fast.
"""
from __future__ import annotations

import http.client
import re
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Mapping

import pyoxigraph as ox

from .errors import BadParameter, KgError, QuerySyntaxError, UsageError
from .sparql import DEFAULT_PREFIXES, QueryResult, is_update, python_value, reads_union
from .store import GraphStore

# Seconds an HTTP call may wait for the server (to connect, or between two reads).
HTTP_TIMEOUT = 60.0
# Set by `kg serve` when it cut the results at its --max-rows.
TRUNCATED_HEADER = "X-KG-Truncated"
# What `kg query --endpoint` accepts: results for SELECT/ASK, a graph for CONSTRUCT/DESCRIBE.
_QUERY_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
# Statuses that say the URL or the credentials are wrong: every other graph would get the same.
_ENDPOINT_REFUSED = frozenset({401, 403, 404, 405})


class EndpointUnreachable(UsageError):
    """The endpoint URL is malformed, or nothing answers there."""


class EndpointError(KgError):
    """The endpoint answered with an HTTP error, gave no answer in time, or an unreadable one."""


@dataclass
class Endpoint:
    """A SPARQL server's URL, with the credentials to use there (if any)."""

    url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = HTTP_TIMEOUT

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EndpointUnreachable(f"bad endpoint URL {self.url!r}: expected http://HOST[:PORT]/PATH")
        if self.user and self.password is None:
            raise UsageError("--user needs a password: give --password or set $KG_ENDPOINT_PASSWORD")
        handlers = []
        if self.user:
            # Prior-auth manager: Basic is sent up front once the server has accepted it.
            passwords = urllib.request.HTTPPasswordMgrWithPriorAuth()
            passwords.add_password(None, self.url, self.user, self.password)
            handlers = [urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def with_params(self, **params: str | None) -> str:
        """The URL with these query parameters added to the ones it already has (None: a bare name, as ``?default``)."""
        added = "&".join(urllib.parse.quote(k, safe="-") if v is None else urllib.parse.urlencode({k: v})
                         for k, v in params.items())
        return self.url + ("&" if urllib.parse.urlsplit(self.url).query else "?") + added

    def request(self, method: str, url: str, body: bytes | None, headers: Mapping[str, str], what: str):
        """Sends one request; returns (status, headers, body).

        Raises :class:`EndpointUnreachable` when nothing answers, :class:`EndpointError`
        for a timeout, and ``urllib.error.HTTPError`` for an error status (the caller
        knows which graph or query it concerns).
        """
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
        try:
            with self._opener.open(req, timeout=self.timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError:
            raise  # an answer, not a failure to reach the server (HTTPError is a URLError)
        except TimeoutError:
            raise EndpointError(f"{self.url}: no answer within {self.timeout:g} s ({what})") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                raise EndpointError(f"{self.url}: no answer within {self.timeout:g} s ({what})") from None
            raise EndpointUnreachable(f"cannot reach {self.url}: {_reason(e.reason)}") from None
        except (ConnectionError, ssl.SSLError, http.client.HTTPException) as e:
            # a connection reset or closed mid-answer, a TLS failure
            raise EndpointUnreachable(f"cannot reach {self.url}: {_reason(e)}") from None


def _reason(reason) -> str:
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason.strerror})"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


def http_error_message(error: urllib.error.HTTPError) -> str:
    """``HTTP 404 Not Found: <first line of the body>``, tags stripped from an HTML body."""
    try:
        text = error.read().decode("utf-8", "replace")
    except OSError:
        text = ""
    if text.lstrip().startswith("<"):
        text = re.sub(r"<[^>]*>", "\n", text)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) > 200:
        first = first[:199] + "…"
    return f"HTTP {error.code} {error.reason}" + (f": {first}" if first else "")


# --------------------------------------------------------------------------- push


# How a push names the default graph in its progress, messages and report.
DEFAULT_GRAPH_LABEL = "the knowledge graph (default graph)"


@dataclass
class PushReport:
    """What a push did: (graph, triples) pushed and (graph, message) failed.

    A graph is named by its IRI, the default graph by :data:`DEFAULT_GRAPH_LABEL`.
    ``knowledge_graph`` is False when the store had no default graph to push (a store
    of recap graphs alone, built by a kg older than the knowledge graph).
    """

    endpoint: str
    pushed: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    knowledge_graph: bool = True

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.pushed)

    def summary(self) -> str:
        """``Pushed 5 recap graphs and the knowledge graph, 15,942 triples to URL`` (triples as sent: a fact
        several recaps state is in each of their graphs and once in the knowledge graph)."""
        recaps = sum(1 for name, _ in self.pushed if name != DEFAULT_GRAPH_LABEL)
        default = any(name == DEFAULT_GRAPH_LABEL for name, _ in self.pushed)
        parts = [f"{recaps:,} recap graph{'s' if recaps != 1 else ''}"] if recaps or not default else []
        parts += ["the knowledge graph"] if default else []
        text = f"Pushed {' and '.join(parts)}, {self.triples:,} triples to {self.endpoint}"
        if self.failed:
            text += f"; {len(self.failed):,} failed"
        if not self.knowledge_graph:
            text += ("; the store has no knowledge graph (default graph), so queries on the server's default "
                     "graph find nothing: rebuild the store with kg build and push again")
        return text


def graphs_to_push(gs: GraphStore) -> list[str | None]:
    """The store's named graphs (one per recap), by IRI, then None for the default graph if it holds triples.

    ``kg build`` writes the knowledge graph into the default graph (every node and fact
    once, with the aggregates the saved queries read) and what each recap says, with
    its evidence, into the recap's named graph; no ontology graph (the saved queries
    need none). The default graph goes last, so that queries on the server read the
    previous knowledge graph until the new one replaces it in one PUT.
    """
    graphs: list[str | None] = list(gs.graph_names())
    if not reads_union(gs.store):
        graphs.append(None)
    return graphs


def push_store(gs: GraphStore, endpoint: Endpoint, graph_param: str = "graph",
               progress: Callable[[str], None] | None = None) -> PushReport:
    """PUTs every graph of the store to a Graph Store Protocol endpoint, replacing it there.

    The recap graphs go first, then the knowledge graph (see :func:`graphs_to_push`).
    Each graph goes as Turtle (every server accepts it), to ``URL?graph=IRI``
    (``graph_param`` renames ``graph`` for servers that predate SPARQL 1.1, such as
    older Virtuoso's ``graph-uri``), the default graph to ``URL?default``.
    ``progress(graph)`` is called after each graph, pushed or not.

    A graph the server rejects (bad data, a server error) is recorded in the report and
    the push goes on. It stops at once with :class:`EndpointUnreachable` when nothing
    answers, :class:`UsageError` on 401/403/404/405 (wrong URL or credentials: every
    graph would get the same answer) and :class:`EndpointError` on a timeout.
    """
    graphs = graphs_to_push(gs)
    report = PushReport(endpoint.url, knowledge_graph=None in graphs)
    for graph in graphs:
        name = graph or DEFAULT_GRAPH_LABEL
        target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        triples = [q.triple for q in gs.store.quads_for_pattern(None, None, None, target)]
        body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=DEFAULT_PREFIXES)
        url = endpoint.with_params(**{graph_param: graph}) if graph else endpoint.with_params(default=None)
        try:
            endpoint.request("PUT", url, body, {"Content-Type": "text/turtle; charset=utf-8"}, f"pushing {name}")
        except urllib.error.HTTPError as e:
            message = f"{endpoint.url} refused {name}: {http_error_message(e)}"
            if e.code in _ENDPOINT_REFUSED:
                pushed = f" (after pushing {len(report.pushed)} graphs)" if report.pushed else ""
                raise UsageError(f"{message}{pushed}; check the endpoint URL and the credentials") from None
            report.failed.append((name, message))
        else:
            report.pushed.append((name, len(triples)))
        if progress:
            progress(name)
    return report


# --------------------------------------------------------------------------- query


@dataclass
class RemoteQueryResult(QueryResult):
    """A QueryResult from an endpoint; ``truncated_at`` is set when the server cut the rows there."""

    truncated_at: int | None = None


def query_endpoint(endpoint: Endpoint, text: str,
                   substitutions: Mapping[ox.Variable, ox.NamedNode | ox.Literal] | None = None) -> RemoteQueryResult:
    """Runs a SPARQL query on an endpoint (SPARQL 1.1 Protocol) and returns it as a local query would.

    Updates are refused before anything is sent: ``kg query`` never changes a store it
    reads. The parameters are bound by :func:`bind_values` and their columns dropped,
    as :func:`kg.sparql.run_query` drops substituted ones. The default prefixes of a
    local query (kg:, kgr:, rdfs:, ...) are declared when the text does not declare
    them. The saved queries read the default graph, where ``kg push`` puts the
    knowledge graph, and the evidence with ``GRAPH ?recap { }``: see
    docs/remote-stores.md for servers whose default graph also reads the named graphs.
    """
    if is_update(text):
        raise UsageError("this is a SPARQL update; kg query never changes a remote endpoint")
    subs = dict(substitutions or {})
    prologue = _missing_default_prefixes(text)
    sent = prologue + (bind_values(text, subs) if subs else text)
    body = urllib.parse.urlencode({"query": sent}).encode("utf-8")
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": _QUERY_ACCEPT}
    try:
        _, response_headers, answer = endpoint.request("POST", endpoint.url, body, headers, "running the query")
    except urllib.error.HTTPError as e:
        message = f"{endpoint.url} refused the query: {http_error_message(e)}"
        if e.code == 400 and prologue:
            message += " (line numbers count one line of PREFIX declarations kg added before the query)"
        raise (QuerySyntaxError(message) if e.code == 400 else
               UsageError(message) if e.code < 500 else EndpointError(message)) from None
    result = _result(answer, response_headers.get("Content-Type", ""), {v.value for v in subs}, endpoint.url)
    truncated = response_headers.get(TRUNCATED_HEADER)
    result.truncated_at = int(truncated) if truncated and truncated.isdigit() else None
    return result


def _result(answer: bytes, content_type: str, hidden: set[str], url: str) -> RemoteQueryResult:
    """Results (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE) as the columns and values of kg.sparql.run_query."""
    media_type = content_type.split(";")[0].strip()
    results_format = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
    graph_format = None if results_format else ox.RdfFormat.from_media_type(media_type) if media_type else None
    try:
        if graph_format:
            triples = [q.triple for q in ox.parse(answer, format=graph_format)]
            return RemoteQueryResult(columns=["subject", "predicate", "object"],
                                     rows=[(str(t.subject), str(t.predicate), str(t.object)) for t in triples])
        parsed = ox.parse_query_results(answer, results_format or ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as e:
        raise EndpointError(f"{url} answered something that is not SPARQL results "
                            f"({content_type or 'no Content-Type'}): {e}") from None
    if isinstance(parsed, ox.QueryBoolean):
        return RemoteQueryResult(columns=["result"], rows=[(bool(parsed),)])
    variables = parsed.variables
    keep = [i for i, v in enumerate(variables) if v.value not in hidden]
    rows = [tuple(python_value(values[i]) for i in keep) for values in map(list, parsed)]
    return RemoteQueryResult(columns=[variables[i].value for i in keep], rows=rows)


def _missing_default_prefixes(text: str) -> str:
    """One line declaring the default prefixes the text does not declare itself ("" when it declares them all)."""
    declared = {m.group(1) for m in re.finditer(r"PREFIX\s+([^\s:]*):", text, re.IGNORECASE)}
    missing = [f"PREFIX {p}: <{iri}>" for p, iri in DEFAULT_PREFIXES.items() if p not in declared]
    return " ".join(missing) + "\n" if missing else ""


# --------------------------------------------------------------------------- VALUES binding

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[\w?$:.\-]+")
_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})


def bind_values(text: str, substitutions: Mapping[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """The query with ``VALUES (?a ?b) { (term term) }`` at the start of its outermost WHERE group.

    Each term is ``str()`` of a pyoxigraph term: an N-Triples IRI or literal, escaped by
    pyoxigraph, so a value can only ever be one RDF term. Raises :class:`BadParameter`
    when the query has no group to put it in (``DESCRIBE <iri>``, ``CONSTRUCT WHERE``).
    """
    at = _where_group_start(text)
    variables = " ".join(str(v) for v in substitutions)
    terms = " ".join(str(t) for t in substitutions.values())
    return f"{text[:at + 1]} VALUES ({variables}) {{ ({terms}) }}{text[at + 1:]}"


def _where_group_start(text: str) -> int:
    """Offset of the ``{`` opening the query's outermost WHERE group.

    A small scanner: it skips comments, strings and IRIs (a ``<`` that does not open an
    IRI is the less-than operator, as in SPARQL's own grammar) and follows the nesting of
    braces and parentheses. The group is the first top-level ``{`` after a top-level
    WHERE keyword; without that keyword (it is optional) the first top-level ``{``, or the
    second for CONSTRUCT, whose first is the template. Braces inside parentheses belong to
    an expression (``EXISTS { }`` in a projection).
    """
    form, saw_where, groups = None, False, 0
    depth = parens = 0
    pos, n = 0, len(text)
    while pos < n:
        ch = text[pos]
        if ch == "#":
            end = text.find("\n", pos)
            pos = n if end < 0 else end + 1
            continue
        if ch in "\"'":
            pos = _skip_string(text, pos)
            continue
        if ch == "<" and (iri := _IRIREF.match(text, pos)):
            pos = iri.end()
            continue
        if ch in "(":
            parens += 1
        elif ch == ")":
            parens = max(parens - 1, 0)
        elif ch == "{":
            if depth == 0 and parens == 0:
                groups += 1
                if form == "CONSTRUCT" and saw_where and groups == 1:
                    raise BadParameter("parameters cannot be bound in a CONSTRUCT WHERE { } short form on an "
                                       "endpoint; write CONSTRUCT { template } WHERE { pattern }")
                if saw_where or form != "CONSTRUCT" or groups == 2:
                    return pos
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and parens == 0 and (word := _WORD.match(text, pos)):
            token = word.group(0).upper()
            if form is None and token in _FORMS:
                form = token
            saw_where = saw_where or (form is not None and token == "WHERE")
            pos = word.end()
            continue
        pos += 1
    raise BadParameter("parameters cannot be bound: the query has no WHERE group to bind them in")


def _skip_string(text: str, pos: int) -> int:
    """The offset just after the string literal starting at pos (short or long form, with escapes)."""
    quote = text[pos] * 3 if text.startswith(text[pos] * 3, pos) else text[pos]
    i = pos + len(quote)
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(quote, i):
            return i + len(quote)
        else:
            i += 1
    return len(text)
