"""Saved queries (queries/*.rq) and the library behind `kg query` (kg/sparql.py).

The expected answers are read off tests/data/sample.trig (see its header comment):
two editions of Cloud Nord, three talks, Julie Moreau speaking at both editions and
Kubernetes the one tool mentioned at both.
"""
from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

import pytest
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.aggregates import complete_knowledge_graph  # noqa: E402
from kg.errors import BadParameter, QueryNotFound, QuerySyntaxError, UsageError  # noqa: E402
from kg.sparql import (  # noqa: E402
    DEFAULT_PREFIXES,
    QueryResult,
    SavedQuery,
    bind_params,
    find_saved_query,
    list_saved_queries,
    parse_saved_query,
    run_query,
)

QUERIES = ROOT / "queries"
FIXTURE = ROOT / "tests" / "data" / "sample.trig"
KG = "https://w3id.org/confkg/ontology#"
KGR = "https://w3id.org/confkg/resource/"

EXPECTED_COLUMNS = {
    "recurring-tools": ["tool", "event_count", "events", "talk_count"],
    "tools-by-event": ["event", "tool", "talk_count"],
    "event-talks": ["talk", "speakers", "tools"],
    "speakers": ["speaker", "organizations", "talk_count", "events"],
    "organizations": ["organization", "speaker_count", "talk_count", "event_count", "events"],
    "people-multi-event": ["person", "event_count", "events", "talks"],
    "talks-mentioning": ["talk", "event", "speakers"],
    "co-mentions": ["tool_a", "tool_b", "talk_count"],
    "events": ["event", "series", "start_date", "city", "talk_count", "recap_count"],
    "tool-categories": ["category", "tool_count", "tools"],
    "recaps": ["recap", "event", "published", "authors", "talk_count", "recap_iri"],
}
# values for the required params when a test only needs the query to run
REQUIRED_VALUES = {"event": "Cloud Nord 2023", "tool": "Kubernetes"}

T1 = "GitOps avec Argo CD sur Kubernetes"
T2 = "Observabilité de bout en bout avec OpenTelemetry"
T3 = "Migrer de Docker Compose à Kubernetes"
E23, E24 = "Cloud Nord 2023", "Cloud Nord 2024"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    s.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    complete_knowledge_graph(s)
    return s


@pytest.fixture
def fresh_store() -> ox.Store:
    """A store of its own for tests that try to change it."""
    s = ox.Store()
    s.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    complete_knowledge_graph(s)
    return s


def saved(name: str) -> SavedQuery:
    return find_saved_query(name, [QUERIES])


def run(store: ox.Store, name: str, **params: str) -> QueryResult:
    q = saved(name)
    return run_query(store, q.text, bind_params(q, params))


def as_dicts(result: QueryResult) -> list[dict]:
    return [dict(zip(result.columns, row)) for row in result.rows]


def quads(store: ox.Store) -> set:
    return set(store)


# --------------------------------------------------------------------------- every file


ALL_FILES = sorted(QUERIES.glob("*.rq"))


def test_the_saved_queries_are_there():
    names = {p.stem for p in ALL_FILES}
    assert len(names) >= 9
    assert set(EXPECTED_COLUMNS) <= names


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_header_parses(path: Path):
    q = parse_saved_query(path.read_text(encoding="utf-8"), path.stem, path)
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"# {q.title}"
    assert q.title and q.description
    assert "@param" not in q.description
    for p in q.params:
        assert p.type in ("string", "integer", "iri")
        assert p.description
        assert f"?{p.name}" in q.text
    # every prefix the text uses is declared in the file itself
    declared = set(re.findall(r"^PREFIX\s+(\w*):", q.text, re.MULTILINE))
    body = "\n".join(l for l in q.text.splitlines() if not l.lstrip().startswith("#"))
    used = set(re.findall(r"(?<![\w?<:/])([A-Za-z]\w*):[A-Za-z]", body)) - {"http", "https"}
    assert used <= declared, f"undeclared prefixes: {used - declared}"


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_every_query_runs(store: ox.Store, path: Path):
    q = find_saved_query(str(path), [])
    given = {p.name: REQUIRED_VALUES[p.name] for p in q.params if p.required}
    result = run_query(store, q.text, bind_params(q, given))
    assert result.rows, f"{q.name} gives no row on the fixture"
    for col in result.columns:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", col), col
    if q.name in EXPECTED_COLUMNS:
        assert result.columns == EXPECTED_COLUMNS[q.name]
    # parameters never show up as columns
    assert not {p.name for p in q.params} & set(result.columns)
    # every row has one value per column
    assert all(len(row) == len(result.columns) for row in result.rows)
    # rows are distinct (the union of the recap graphs holds duplicate triples)
    assert len(set(result.rows)) == len(result.rows)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_every_query_runs_without_default_prefixes(store: ox.Store, path: Path):
    """Each file declares its prefixes, so it runs in any SPARQL engine."""
    q = find_saved_query(str(path), [])
    subs = bind_params(q, {p.name: REQUIRED_VALUES[p.name] for p in q.params if p.required})
    answer = store.query(q.text, use_default_graph_as_union=True, substitutions=subs)
    assert list(answer)


def test_defaults_also_hold_inside_the_query_text(store: ox.Store):
    """Run elsewhere without bindings, a parameter with a default still applies it."""
    text = saved("recurring-tools").text
    rows = list(store.query(text))
    assert [r["tool"].value for r in rows] == ["Kubernetes"]


# --------------------------------------------------------------------------- answers


def test_recurring_tools(store):
    result = run(store, "recurring-tools")
    assert result.rows == [("Kubernetes", 2, f"{E23}; {E24}", 2)]


def test_recurring_tools_min_events_1(store):
    result = run(store, "recurring-tools", min_events="1")
    assert result.rows[0] == ("Kubernetes", 2, f"{E23}; {E24}", 2)
    rest = result.rows[1:]
    # OpenTelemetry: one event, one talk (described by both recaps: counted once)
    assert ("OpenTelemetry", 1, E23, 1) in rest
    assert ("Trivy", 1, E24, 1) in rest
    assert [r[0] for r in rest] == sorted(r[0] for r in rest)
    assert len(result.rows) == 8  # every tool of the fixture


def test_recurring_tools_min_events_3(store):
    assert run(store, "recurring-tools", min_events="3").rows == []


def test_tools_by_event(store):
    rows = run(store, "tools-by-event").rows
    assert rows == [
        (E23, "Argo CD", 1),
        (E23, "Grafana", 1),
        (E23, "Helm", 1),
        (E23, "Kubernetes", 1),
        (E23, "OpenTelemetry", 1),
        (E23, "Prometheus", 1),
        (E24, "Docker", 1),
        (E24, "Kubernetes", 1),
        (E24, "Trivy", 1),
    ]


def test_event_talks(store):
    result = run(store, "event-talks", event=E23)
    assert result.columns == ["talk", "speakers", "tools"]
    assert result.rows == [
        (T1, "Julie Moreau", "Argo CD; Helm; Kubernetes"),
        (T2, "Thomas Lefebvre", "Grafana; OpenTelemetry; Prometheus"),
    ]


def test_event_talks_any_case_and_alt_label(store):
    expected = [(T3, "Julie Moreau; Louis", "Docker; Kubernetes; Trivy")]
    assert run(store, "event-talks", event="cloud nord 2024").rows == expected
    assert run(store, "event-talks", event="CLOUDNORD 2024").rows == expected  # skos:altLabel
    assert run(store, "event-talks", event="Cloud Nord").rows == []  # the series, not an event


def test_speakers(store):
    assert run(store, "speakers").rows == [
        ("Julie Moreau", "SFEIR", 2, f"{E23}; {E24}"),
        ("Louis", "Decathlon", 1, E24),
        ("Thomas Lefebvre", "OVHcloud", 1, E23),
    ]


def test_speakers_leaves_out_authors(store):
    speakers = [r[0] for r in run(store, "speakers").rows]
    assert "Claire Dubois" not in speakers


def test_organizations(store):
    assert run(store, "organizations").rows == [
        ("SFEIR", 1, 2, 2, f"{E23}; {E24}"),
        ("Decathlon", 1, 1, 1, E24),
        ("OVHcloud", 1, 1, 1, E23),
    ]


def test_people_multi_event(store):
    assert run(store, "people-multi-event").rows == [
        ("Julie Moreau", 2, f"{E23}; {E24}", f"{T1}; {T3}"),
    ]


def test_people_multi_event_min_1(store):
    rows = as_dicts(run(store, "people-multi-event", min_events="1"))
    assert [r["person"] for r in rows] == ["Julie Moreau", "Louis", "Thomas Lefebvre"]
    assert rows[2] == {"person": "Thomas Lefebvre", "event_count": 1, "events": E23, "talks": T2}


def test_talks_mentioning(store):
    result = run(store, "talks-mentioning", tool="Kubernetes")
    assert result.columns == ["talk", "event", "speakers"]
    assert result.rows == [(T1, E23, "Julie Moreau"), (T3, E24, "Julie Moreau; Louis")]


@pytest.mark.parametrize("spelling", ["kubernetes", "KUBERNETES", "k8s", "K8S"])
def test_talks_mentioning_any_case_and_alt_label(store, spelling):
    rows = run(store, "talks-mentioning", tool=spelling).rows
    assert [r[0] for r in rows] == [T1, T3]


def test_talks_mentioning_alt_label_other_tool(store):
    # OTel is an altLabel of OpenTelemetry; the talk is described by both recaps
    assert run(store, "talks-mentioning", tool="otel").rows == [(T2, E23, "Thomas Lefebvre")]


def test_talks_mentioning_unknown_tool(store):
    assert run(store, "talks-mentioning", tool="Jenkins").rows == []
    assert run(store, "talks-mentioning", tool="").rows == []


def test_co_mentions(store):
    rows = run(store, "co-mentions").rows
    assert len(rows) == 9  # three talks, three tools each
    assert ("Argo CD", "Kubernetes", 1) in rows
    assert ("Docker", "Kubernetes", 1) in rows
    assert ("Grafana", "OpenTelemetry", 1) in rows
    assert all(a < b for a, b, _ in rows)
    assert rows == sorted(rows, key=lambda r: (-r[2], r[0], r[1]))
    assert ("Docker", "Helm", 1) not in rows  # never in the same talk


def test_co_mentions_min_talks(store):
    assert run(store, "co-mentions", min_talks="2").rows == []
    assert len(run(store, "co-mentions", min_talks="1").rows) == 9


def test_events(store):
    assert run(store, "events").rows == [
        (E23, "Cloud Nord", datetime.date(2023, 10, 12), "Lille", 2, 1),
        (E24, "Cloud Nord", datetime.date(2024, 10, 17), "Lille", 1, 1),
    ]


def test_tool_categories(store):
    rows = run(store, "tool-categories").rows
    assert rows[0] == ("observability", 3, "Grafana; OpenTelemetry; Prometheus")
    assert ("gitops", 1, "Argo CD") in rows
    assert ("continuous-delivery", 1, "Argo CD") in rows
    assert len(rows) == 7


def test_recaps(store):
    assert run(store, "recaps").rows == [
        ("000_cloud_nord_2023.txt", E23, datetime.date(2023, 10, 31), "Claire Dubois", 2,
         KGR + "recap/000-cloud-nord-2023-txt"),
        ("001_cloud_nord_2024.txt", E24, datetime.date(2024, 10, 25), "Claire Dubois", 2,
         KGR + "recap/001-cloud-nord-2024-txt"),
    ]


# --------------------------------------------------------------------------- header grammar


HEADER = """\
# Some title
#
# First line of the description
# wrapped on a second line.
#
# A second paragraph.
#
# @param tool string Label of the tool
# @param n integer default=3 How many
#   to keep at most
# @param who iri default=kgr:person/julie-moreau A person
# @param label string default="two words" Quoted default

SELECT ?tool ?n ?who ?label WHERE {}
"""


def test_parse_header():
    q = parse_saved_query(HEADER, "demo")
    assert q.name == "demo" and q.path is None
    assert q.title == "Some title"
    assert q.description == (
        "First line of the description wrapped on a second line.\n\nA second paragraph."
    )
    assert [(p.name, p.type, p.default) for p in q.params] == [
        ("tool", "string", None),
        ("n", "integer", "3"),
        ("who", "iri", "kgr:person/julie-moreau"),
        ("label", "string", "two words"),
    ]
    assert q.params[0].required and not q.params[1].required
    assert q.params[1].description == "How many to keep at most"
    assert q.text == HEADER


def test_parse_without_header():
    q = parse_saved_query("SELECT * WHERE { ?s ?p ?o }", "bare")
    assert (q.title, q.description, q.params) == ("", "", ())


@pytest.mark.parametrize(
    "line",
    [
        "# @param",
        "# @param 1x string Bad name",
        "# @param x float Unknown type",
        "# @param x integer default=abc Bad default",
    ],
)
def test_parse_bad_param_line(line):
    with pytest.raises(QuerySyntaxError, match="line 3"):
        parse_saved_query(f"# T\n#\n{line}\nSELECT * {{}}\n", "bad")


def test_parse_duplicate_param():
    with pytest.raises(QuerySyntaxError, match="twice"):
        parse_saved_query("# T\n# @param x string A\n# @param x string B\nASK {}\n", "dup")


# --------------------------------------------------------------------------- bind_params


def test_bind_params_types_and_defaults():
    q = parse_saved_query(HEADER, "demo")
    bound = bind_params(q, {"tool": "Kubernetes"})
    assert bound[ox.Variable("tool")] == ox.Literal("Kubernetes")
    assert bound[ox.Variable("n")] == ox.Literal("3", datatype=ox.NamedNode(DEFAULT_PREFIXES["xsd"] + "integer"))
    assert bound[ox.Variable("who")] == ox.NamedNode(KGR + "person/julie-moreau")
    assert bound[ox.Variable("label")] == ox.Literal("two words")

    bound = bind_params(q, {"tool": "x", "n": " -12 ", "who": "<https://example.org/p#1>"})
    assert bound[ox.Variable("n")].value == "-12"
    assert bound[ox.Variable("who")] == ox.NamedNode("https://example.org/p#1")


def test_bind_params_unknown_lists_known():
    with pytest.raises(BadParameter) as err:
        bind_params(saved("recurring-tools"), {"min_event": "2"})
    assert "min_event" in str(err.value)
    assert "min_events" in str(err.value.args[0].split("parameters:")[1])


def test_bind_params_unknown_on_query_without_params():
    with pytest.raises(BadParameter, match="none"):
        bind_params(saved("events"), {"x": "1"})


def test_bind_params_missing_required():
    with pytest.raises(BadParameter, match="tool"):
        bind_params(saved("talks-mentioning"), {})


@pytest.mark.parametrize("value", ["two", "2.5", "", "1e3", "0x10"])
def test_bind_params_bad_integer(value):
    with pytest.raises(BadParameter, match="integer"):
        bind_params(saved("recurring-tools"), {"min_events": value})


@pytest.mark.parametrize("value", ["not an iri", "julie-moreau", "http://a b", "<>", "x:<y>"])
def test_bind_params_bad_iri(value):
    q = parse_saved_query("# T\n# @param who iri A person\nSELECT ?who {}\n", "t")
    with pytest.raises(BadParameter, match="IRI"):
        bind_params(q, {"who": value})


def test_errors_are_usage_errors():
    assert issubclass(BadParameter, UsageError)
    assert issubclass(QuerySyntaxError, UsageError)
    assert issubclass(QueryNotFound, UsageError)


# --------------------------------------------------------------------------- injection


INJECTIONS = [
    'Kubernetes" } ; DROP ALL ; #',
    "Kubernetes' } ; DROP ALL ; #",
    'Kubernetes")) } } DELETE WHERE { ?s ?p ?o } #',
    "Kubernetes\n} ; CLEAR ALL",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_through_string_param(fresh_store, value):
    before = quads(fresh_store)
    assert run(fresh_store, "talks-mentioning", tool=value).rows == []
    assert run(fresh_store, "event-talks", event=value).rows == []
    assert quads(fresh_store) == before
    # the store still answers normally
    assert len(run(fresh_store, "talks-mentioning", tool="Kubernetes").rows) == 2


def test_injection_through_integer_param_is_refused(fresh_store):
    before = quads(fresh_store)
    with pytest.raises(BadParameter):
        bind_params(saved("recurring-tools"), {"min_events": "1) } ; DROP ALL ; #"})
    assert quads(fresh_store) == before


# --------------------------------------------------------------------------- run_query


@pytest.mark.parametrize(
    "update",
    [
        "DROP ALL",
        "CLEAR DEFAULT",
        "DELETE WHERE { ?s ?p ?o }",
        "PREFIX kg: <https://w3id.org/confkg/ontology#>\n# a comment <with # inside>\n"
        "INSERT DATA { GRAPH <urn:g> { <urn:a> kg:mentions <urn:b> } }",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "LOAD <http://localhost:9/nothing.ttl>",
    ],
)
def test_update_refused(fresh_store, update):
    before = quads(fresh_store)
    with pytest.raises(UsageError) as err:
        run_query(fresh_store, update)
    assert not isinstance(err.value, QuerySyntaxError)
    assert "update" in str(err.value)
    assert quads(fresh_store) == before


def test_update_allowed(fresh_store):
    n = len(fresh_store)
    result = run_query(
        fresh_store,
        "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> <urn:b> } }",
        allow_update=True,
    )
    assert result.columns == [] and result.rows == []
    assert len(fresh_store) == n + 1
    run_query(fresh_store, "DROP ALL", allow_update=True)
    assert len(fresh_store) == 0


def test_update_allowed_with_default_prefixes(fresh_store):
    # an update changes the knowledge graph (the default graph), which queries read
    run_query(fresh_store, "DELETE WHERE { ?t kg:mentions ?tool }", allow_update=True)
    assert run(fresh_store, "talks-mentioning", tool="Kubernetes").rows == []


def test_bad_update_is_a_syntax_error(fresh_store):
    with pytest.raises(QuerySyntaxError, match=r"\d+:\d+"):
        run_query(fresh_store, "INSERT DATA { <urn:a> }", allow_update=True)


def test_syntax_error_carries_position(store):
    with pytest.raises(QuerySyntaxError) as err:
        run_query(store, "SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(\n}")
    assert re.search(r"\b4:\d+", str(err.value)), str(err.value)


def test_syntax_error_one_line(store):
    with pytest.raises(QuerySyntaxError, match=r"1:\d+"):
        run_query(store, "SELECT ?x WHERE { ?x ?y }")


def test_syntax_error_unknown_prefix(store):
    with pytest.raises(QuerySyntaxError):
        run_query(store, "SELECT ?x WHERE { ?x nope:thing ?y }")


def test_select_converts_values(store):
    result = run_query(
        store,
        """SELECT ?i ?d ?f ?b ?date ?s ?lang ?iri ?unbound ?bad WHERE {
             BIND(42 AS ?i) BIND(1.5 AS ?d) BIND("2.5e0"^^xsd:double AS ?f)
             BIND(true AS ?b) BIND("2024-10-17"^^xsd:date AS ?date) BIND("x" AS ?s)
             BIND("chat"@fr AS ?lang) BIND(kgr:tool\\/kubernetes AS ?iri)
             BIND("abc"^^xsd:integer AS ?bad)
           }""",
    )
    assert result.columns == ["i", "d", "f", "b", "date", "s", "lang", "iri", "unbound", "bad"]
    row = result.rows[0]
    assert row == (42, 1.5, 2.5, True, datetime.date(2024, 10, 17), "x", "chat",
                   KGR + "tool/kubernetes", None, "abc")
    assert type(row[0]) is int and type(row[1]) is float and type(row[3]) is bool


def test_select_uses_union_of_graphs(store):
    result = run_query(store, "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a kg:Talk }")
    assert result.rows == [(3,)]


def test_ask(store):
    assert run_query(store, "ASK { ?t kg:mentions kgr:tool\\/trivy }") == QueryResult(["result"], [(True,)])
    assert run_query(store, "ASK { ?t kg:mentions kgr:tool\\/jenkins }").rows == [(False,)]


def test_ask_with_substitution(store):
    subs = {ox.Variable("t"): ox.NamedNode(KGR + "tool/helm")}
    assert run_query(store, "ASK { ?x kg:mentions ?t }", subs).rows == [(True,)]


def test_construct(store):
    result = run_query(
        store, "CONSTRUCT { ?t rdfs:label ?l } WHERE { ?t a kg:Tool ; rdfs:label ?l } "
    )
    assert result.columns == ["subject", "predicate", "object"]
    assert (
        f"<{KGR}tool/trivy>",
        "<http://www.w3.org/2000/01/rdf-schema#label>",
        '"Trivy"',
    ) in result.rows


def test_describe(store):
    result = run_query(store, "DESCRIBE kgr:tool\\/trivy")
    assert result.columns == ["subject", "predicate", "object"]
    assert any(r[2] == '"security"' for r in result.rows)


def test_substituted_columns_are_hidden(store):
    result = run_query(
        store,
        "SELECT ?l ?x WHERE { ?t a kg:Tool ; rdfs:label ?l FILTER(LCASE(?l) = ?x) }",
        {ox.Variable("x"): ox.Literal("helm")},
    )
    assert result.columns == ["l"]
    assert result.rows == [("Helm",)]


def test_substitution_of_unprojected_variable_is_bad_parameter(store):
    with pytest.raises(BadParameter):
        run_query(store, "SELECT ?s WHERE { ?s ?p ?x }", {ox.Variable("x"): ox.Literal("a")})


# --------------------------------------------------------------------------- finding queries


def test_find_by_name():
    q = find_saved_query("recurring-tools", [QUERIES])
    assert q.name == "recurring-tools"
    assert q.path == QUERIES / "recurring-tools.rq"
    assert q.title == "Recurring tools across events"
    assert [(p.name, p.type, p.default) for p in q.params] == [("min_events", "integer", "2")]


def test_find_by_name_with_extension():
    assert find_saved_query("events.rq", [QUERIES]).path == QUERIES / "events.rq"


def test_find_by_path(tmp_path):
    f = tmp_path / "mine.rq"
    f.write_text("# Mine\n#\n# Mine only.\nASK {}\n", encoding="utf-8")
    q = find_saved_query(str(f), [QUERIES])
    assert (q.name, q.title, q.description, q.path) == ("mine", "Mine", "Mine only.", f)
    # a path needs no search dirs
    assert find_saved_query(str(f), []).name == "mine"


def test_first_dir_wins(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "events.rq").write_text("# Mine first\nASK {}\n", encoding="utf-8")
    (b / "other.rq").write_text("# Other\nASK {}\n", encoding="utf-8")
    dirs = [a, QUERIES, b, tmp_path / "missing"]
    assert find_saved_query("events", dirs).title == "Mine first"
    assert find_saved_query("events", [QUERIES, a]).title == "Events"
    assert find_saved_query("other", dirs).title == "Other"

    listed = list_saved_queries(dirs)
    names = [q.name for q in listed]
    assert names == sorted(names) and len(names) == len(set(names))
    assert {"events", "other", "recurring-tools"} <= set(names)
    assert next(q for q in listed if q.name == "events").title == "Mine first"


def test_not_found_lists_names(tmp_path):
    with pytest.raises(QueryNotFound) as err:
        find_saved_query("recurring-tool", [QUERIES])
    message = str(err.value)
    assert "recurring-tool" in message
    for name in ("events", "recurring-tools", "talks-mentioning"):
        assert name in message


def test_not_found_missing_path(tmp_path):
    with pytest.raises(QueryNotFound, match="no such"):
        find_saved_query(str(tmp_path / "nope.rq"), [QUERIES])


def test_name_cannot_escape_search_dirs(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "secret.rq").write_text("# Secret\nASK {}\n", encoding="utf-8")
    with pytest.raises(QueryNotFound):
        find_saved_query("../secret", [inner])


def test_not_found_in_empty_dirs(tmp_path):
    with pytest.raises(QueryNotFound, match="none"):
        find_saved_query("events", [tmp_path])


def test_list_saved_queries():
    listed = list_saved_queries([QUERIES])
    assert [q.name for q in listed] == sorted(p.stem for p in ALL_FILES)
    assert all(q.title for q in listed)


def test_module_stays_light():
    """kg.sparql must not drag in rdflib or spaCy (kg query starts fast)."""
    import subprocess

    code = (
        "import sys; sys.path.insert(0, %r); import kg.sparql; "
        "bad = [m for m in ('rdflib', 'spacy') if m in sys.modules]; "
        "sys.exit(1 if bad else 0)" % str(ROOT)
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
