"""Saved SPARQL queries and the query runner behind ``kg query``.

A saved query is a ``.rq`` file whose leading comment block is its header::

    # Recurring tools across events
    #
    # Tools mentioned in talks of at least two distinct events, ...
    #
    # @param min_events integer default=2 Fewest distinct events a tool must appear at

Line 1 is the title, the following comment lines the description, then zero or more
``@param NAME TYPE [default=VALUE] DESCRIPTION`` lines (TYPE is ``string``,
``integer`` or ``iri``; a parameter without a default is required).  The query refers
to a parameter as the variable ``?NAME``.  Values are bound with pyoxigraph's
``substitutions`` and never pasted into the query text, so a value cannot change the
query.  pyoxigraph only substitutes variables of the top-level SELECT projection, so
a saved SELECT query projects its parameters (and groups by them when it
aggregates); :func:`run_query` drops the substituted columns from the result.

This module imports pyoxigraph only (no rdflib, no spaCy): ``kg query`` starts fast.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import pyoxigraph as ox

from kg.errors import BadParameter, QueryNotFound, QuerySyntaxError, UsageError

XSD = "http://www.w3.org/2001/XMLSchema#"

DEFAULT_PREFIXES: dict[str, str] = {
    "kg": "https://w3id.org/confkg/ontology#",
    "kgr": "https://w3id.org/confkg/resource/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": XSD,
    "foaf": "http://xmlns.com/foaf/0.1/",
    "oa": "http://www.w3.org/ns/oa#",
}

PARAM_TYPES = ("string", "integer", "iri")

_INT_TYPES = frozenset(
    XSD + t
    for t in (
        "integer", "int", "long", "short", "byte",
        "nonNegativeInteger", "nonPositiveInteger", "positiveInteger", "negativeInteger",
        "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
)
_FLOAT_TYPES = frozenset(XSD + t for t in ("decimal", "double", "float"))
_XSD_BOOLEAN = XSD + "boolean"
_XSD_DATE = XSD + "date"
_XSD_INTEGER = ox.NamedNode(XSD + "integer")

_VARNAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PARAM_LINE = re.compile(
    rf"^@param\s+(?P<name>{_VARNAME})\s+(?P<type>\S+)"
    r'(?:\s+default=(?P<default>"[^"]*"|\S+))?'
    r"(?:\s+(?P<description>.*?))?\s*$"
)
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
# scheme ":" then no character an IRIREF may not hold
_ABSOLUTE_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>"{}|\\^`]*$')
_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)


@dataclass(frozen=True)
class QueryParam:
    """One ``@param`` of a saved query."""

    name: str
    type: str
    default: str | None
    description: str

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class SavedQuery:
    """A parsed ``.rq`` file: its header and its full text (header included)."""

    name: str
    path: Path | None
    title: str
    description: str
    params: tuple[QueryParam, ...]
    text: str

    def param(self, name: str) -> QueryParam | None:
        for p in self.params:
            if p.name == name:
                return p
        return None


@dataclass
class QueryResult:
    """A query's answer as plain Python values (str, int, float, bool, date, None)."""

    columns: list[str]
    rows: list[tuple] = field(default_factory=list)


# --------------------------------------------------------------------------- header


def parse_saved_query(text: str, name: str, path: Path | None = None) -> SavedQuery:
    """Parse the comment header of a saved query.

    A file without a header is accepted (empty title and description, no params).
    A malformed ``@param`` line raises :class:`QuerySyntaxError` naming its line.
    """
    where = str(path) if path is not None else name
    header: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        body = stripped[1:]
        if body.startswith(" "):
            body = body[1:]
        header.append(body.rstrip())

    title = header[0].strip() if header else ""
    desc_lines: list[str] = []
    params: list[QueryParam] = []
    for lineno, body in enumerate(header[1:], start=2):
        content = body.strip()
        if content.startswith("@param"):
            m = _PARAM_LINE.match(content)
            if m is None:
                raise QuerySyntaxError(
                    f"{where}: line {lineno}: malformed @param line "
                    f"(expected '@param NAME TYPE [default=VALUE] DESCRIPTION'): {content}"
                )
            pname, ptype = m["name"], m["type"]
            if ptype not in PARAM_TYPES:
                raise QuerySyntaxError(
                    f"{where}: line {lineno}: parameter {pname!r} has unknown type {ptype!r} "
                    f"(expected one of {', '.join(PARAM_TYPES)})"
                )
            if any(p.name == pname for p in params):
                raise QuerySyntaxError(f"{where}: line {lineno}: parameter {pname!r} declared twice")
            default = m["default"]
            if default is not None and len(default) >= 2 and default[0] == default[-1] == '"':
                default = default[1:-1]
            if default is not None:
                try:
                    _convert_param(QueryParam(pname, ptype, default, ""), default)
                except BadParameter as exc:
                    raise QuerySyntaxError(f"{where}: line {lineno}: bad default: {exc}") from None
            params.append(QueryParam(pname, ptype, default, (m["description"] or "").strip()))
        elif params:
            # a continuation line of the previous parameter's description
            if content:
                last = params[-1]
                joined = f"{last.description} {content}".strip()
                params[-1] = QueryParam(last.name, last.type, last.default, joined)
        else:
            desc_lines.append(content)

    return SavedQuery(
        name=name,
        path=path,
        title=title,
        description=_reflow(desc_lines),
        params=tuple(params),
        text=text,
    )


def _reflow(lines: list[str]) -> str:
    """Join wrapped comment lines into paragraphs separated by blank lines."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


# --------------------------------------------------------------------------- lookup


def _read_saved_query(path: Path) -> SavedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryNotFound(f"cannot read saved query {path}: {exc}") from None
    return parse_saved_query(text, path.stem, path)


def _saved_query_files(search_dirs: Sequence[Path]) -> dict[str, Path]:
    """Name -> file, the first directory holding a name winning."""
    found: dict[str, Path] = {}
    for d in search_dirs:
        d = Path(d)
        if not d.is_dir():
            continue
        for f in sorted(d.glob("*.rq")):
            if f.is_file():
                found.setdefault(f.stem, f)
    return found


def list_saved_queries(search_dirs: Sequence[Path]) -> list[SavedQuery]:
    """Every saved query of the directories, one per name (first dir wins), by name."""
    files = _saved_query_files(search_dirs)
    return [_read_saved_query(files[name]) for name in sorted(files)]


def find_saved_query(name_or_path: str, search_dirs: Sequence[Path]) -> SavedQuery:
    """A saved query by path (an existing ``.rq`` file) or by name (``DIR/NAME.rq``)."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".rq" and candidate.is_file():
        return _read_saved_query(candidate)

    name = name_or_path
    if candidate.suffix == ".rq" and candidate.name == name_or_path:
        name = candidate.stem  # "events.rq" given as a name
    files = _saved_query_files(search_dirs)
    if name in files and "/" not in name and "\\" not in name:
        return _read_saved_query(files[name])

    available = ", ".join(sorted(files)) or "none"
    if candidate.suffix == ".rq" and candidate.name != name_or_path:
        msg = f"no such query file: {name_or_path}"
    else:
        msg = f"no saved query named {name_or_path!r}"
    raise QueryNotFound(f"{msg}; available queries: {available}")


# --------------------------------------------------------------------------- params


def _convert_param(param: QueryParam, value: str) -> ox.NamedNode | ox.Literal:
    if param.type == "integer":
        v = value.strip()
        if not _INTEGER.match(v):
            raise BadParameter(f"parameter {param.name!r} must be an integer, got {value!r}")
        return ox.Literal(str(int(v)), datatype=_XSD_INTEGER)
    if param.type == "iri":
        v = value.strip()
        if v.startswith("<") and v.endswith(">"):
            v = v[1:-1]
        prefix, sep, local = v.partition(":")
        if sep and prefix in DEFAULT_PREFIXES and not local.startswith("//"):
            v = DEFAULT_PREFIXES[prefix] + local  # kgr:tool/kubernetes
        if not _ABSOLUTE_IRI.match(v):
            raise BadParameter(
                f"parameter {param.name!r} must be an absolute IRI (or a name with one of the "
                f"prefixes {', '.join(p + ':' for p in DEFAULT_PREFIXES)}), got {value!r}"
            )
        try:
            return ox.NamedNode(v)
        except ValueError as exc:
            raise BadParameter(f"parameter {param.name!r}: invalid IRI {value!r}: {exc}") from None
    return ox.Literal(value)


def bind_params(query: SavedQuery, given: Mapping[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """Check the given values against the query's params and turn them into RDF terms.

    Defaults fill the params not given.  Raises :class:`BadParameter` for an unknown
    name, a missing required param or a value of the wrong type.
    """
    known = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        listing = ", ".join(
            f"{p.name} ({p.type}{', required' if p.required else f', default {p.default}'})"
            for p in query.params
        ) or "none"
        raise BadParameter(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"for query {query.name!r}; its parameters: {listing}"
        )
    bound: dict[ox.Variable, ox.NamedNode | ox.Literal] = {}
    for p in query.params:
        value = given.get(p.name, p.default)
        if value is None:
            raise BadParameter(
                f"query {query.name!r} needs parameter {p.name!r} ({p.type}): "
                f"{p.description or 'no description'}"
            )
        bound[ox.Variable(p.name)] = _convert_param(p, value)
    return bound


# --------------------------------------------------------------------------- running


def _first_keyword(text: str) -> str:
    """The first keyword after the prologue (comments, PREFIX and BASE declarations)."""
    pos, n = 0, len(text)
    while pos < n:
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif ch == "#":
            end = text.find("\n", pos)
            pos = n if end < 0 else end + 1
        else:
            m = re.compile(r"[A-Za-z]+").match(text, pos)
            if m is None:
                return ""
            word = m.group(0).upper()
            if word == "PREFIX":
                decl = re.compile(r"PREFIX\s*[^\s:]*:\s*<[^>]*>", re.IGNORECASE).match(text, pos)
                if decl is None:
                    return word
                pos = decl.end()
            elif word == "BASE":
                decl = re.compile(r"BASE\s*<[^>]*>", re.IGNORECASE).match(text, pos)
                if decl is None:
                    return word
                pos = decl.end()
            else:
                return word
    return ""


def is_update(text: str) -> bool:
    """Whether the text reads as a SPARQL update (INSERT, DELETE, LOAD, CLEAR, ...)."""
    return _first_keyword(text) in _UPDATE_KEYWORDS


def python_value(term) -> object:
    """An RDF term as the Python value results carry (int, float, bool, date, str, None)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        value = term.value
        try:
            if dt in _INT_TYPES:
                return int(value)
            if dt in _FLOAT_TYPES:
                return float(value)
            if dt == _XSD_BOOLEAN:
                if value in ("true", "1"):
                    return True
                if value in ("false", "0"):
                    return False
                return value
            if dt == _XSD_DATE:
                return datetime.date.fromisoformat(value)
        except ValueError:
            return value  # ill-typed literal: keep its lexical form
        return value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)  # blank node ("_:b0"), quoted triple


def _syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    msg = str(exc.args[0]) if exc.args else str(exc)
    return QuerySyntaxError(f"SPARQL syntax error: {msg}")


def reads_union(store: ox.Store) -> bool:
    """Whether queries read the union of the named graphs rather than the default graph.

    kg build writes the knowledge graph into the default graph (every fact once, see
    kg/rdf.py); a dataset of recap graphs alone (a TriG file, an older store) is read
    as the union of its graphs.
    """
    return next(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is None


def run_query(
    store: ox.Store,
    text: str,
    substitutions: Mapping[ox.Variable, object] | None = None,
    *,
    allow_update: bool = False,
) -> QueryResult:
    """Run a SPARQL query (or, if allowed, an update) and return plain Python values.

    SELECT gives its projection minus the substituted variables; ASK one column
    ``result``; CONSTRUCT and DESCRIBE the columns subject, predicate, object as
    N-Triples terms.  An update is refused with :class:`UsageError` unless
    ``allow_update``; then it runs through ``store.update`` and yields an empty result.
    """
    subs = dict(substitutions) if substitutions else None
    try:
        answer = store.query(
            text,
            prefixes=DEFAULT_PREFIXES,
            use_default_graph_as_union=reads_union(store),
            substitutions=subs,
        )
    except SyntaxError as query_error:
        if not is_update(text):
            raise _syntax_error(query_error) from None
        if not allow_update:
            raise UsageError(
                "this is a SPARQL update, which would change the store; "
                "it is refused unless updates are explicitly allowed"
            ) from None
        if subs:
            raise BadParameter("parameters cannot be bound in a SPARQL update") from None
        try:
            store.update(text, prefixes=DEFAULT_PREFIXES)
        except SyntaxError as update_error:
            raise _syntax_error(update_error) from None
        return QueryResult(columns=[], rows=[])
    except RuntimeError as exc:
        if "projection" in str(exc):
            # pyoxigraph substitutes only variables the SELECT projects
            raise BadParameter(f"cannot bind parameter: {exc}") from None
        raise

    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(columns=["result"], rows=[(bool(answer),)])
    if isinstance(answer, ox.QuerySolutions):
        hidden = {v.value for v in subs} if subs else set()
        variables = answer.variables
        keep = [i for i, v in enumerate(variables) if v.value not in hidden]
        columns = [variables[i].value for i in keep]
        rows = []
        for solution in answer:
            values = list(solution)
            rows.append(tuple(python_value(values[i]) for i in keep))
        return QueryResult(columns=columns, rows=rows)
    # CONSTRUCT / DESCRIBE
    rows = [(str(t.subject), str(t.predicate), str(t.object)) for t in answer]
    return QueryResult(columns=["subject", "predicate", "object"], rows=rows)


__all__ = [
    "DEFAULT_PREFIXES",
    "QueryParam",
    "QueryResult",
    "SavedQuery",
    "bind_params",
    "find_saved_query",
    "is_update",
    "list_saved_queries",
    "parse_saved_query",
    "python_value",
    "reads_union",
    "run_query",
]
