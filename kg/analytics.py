"""The answers behind `kg report`: saved SPARQL queries, and NetworkX over the graph they read.

Every report reads the RDF graph through SPARQL, never the extractor's objects, so it
answers the same on any graph in the confkg vocabulary: a store, or an RDF file
(`--graph FILE.ttl`) loaded into an in-memory Oxigraph store. The queries match the
direct triples only (kg:mentions, kg:speaker, ...), so the evidence nodes
(kg:Evidence, rdf:Statement) never count.

A report is a function registered under its name, whose docstring is its title and
description; it returns its tables of rows keyed by snake_case column names (or a
whole Report when its heading depends on its argument). NetworkX is
imported only by the reports that build a network.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from .aggregates import complete_knowledge_graph
from .errors import InputError, UsageError
from .resources import queries_dir
from .sparql import bind_params, find_saved_query, run_query

_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


@dataclass
class Table:
    columns: list[str]
    rows: list[dict]
    key: str = ""  # names the table in JSON when a report has several
    title: str = ""


@dataclass
class Report:
    name: str
    title: str
    description: str
    tables: list[Table]


class GraphData:
    """A graph in the confkg vocabulary and the views several reports share, computed once."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    @classmethod
    def from_file(cls, path: Path) -> "GraphData":
        """Any RDF file Oxigraph reads, format from the extension; named graphs are kept."""
        store = ox.Store()
        try:
            store.load(path=path)
        except ValueError as e:
            raise UsageError(f"{path}: {e}") from None
        except (OSError, SyntaxError) as e:
            raise InputError(path, str(e)) from None
        complete_knowledge_graph(store)
        return cls(store)

    def query(self, name: str, **params) -> list[dict]:
        """A bundled saved query's rows (never ./queries: a local file must not change a report)."""
        saved = find_saved_query(name, [queries_dir()])
        result = run_query(self.store, saved.text, bind_params(saved, {k: str(v) for k, v in params.items()}))
        return [dict(zip(result.columns, row)) for row in result.rows]

    @cached_property
    def mentions(self) -> list[dict]:
        """tool-mentions.rq, each row with the year of its event (None when unknown)."""
        rows = self.query("tool-mentions")
        for r in rows:
            found = _YEAR.search(r["event"])
            r["year"] = r["start_date"].year if r["start_date"] else int(found.group()) if found else None
        return rows

    @cached_property
    def labels(self) -> dict[str, str]:
        return {m["tool_iri"]: m["tool"] for m in self.mentions}

    @cached_property
    def comentions(self):
        """Tools linked when a talk mentions both, weighted by the number of such talks."""
        import networkx as nx

        tools_of = defaultdict(set)
        for m in self.mentions:
            tools_of[m["talk_iri"]].add(m["tool_iri"])
        weights = Counter(pair for tools in tools_of.values() for pair in combinations(sorted(tools), 2))
        graph = nx.Graph()
        # sorted insertion: Louvain and the layout depend on node order, reports must not
        for a, b in sorted(weights):
            graph.add_edge(a, b, weight=weights[a, b])
        nx.set_node_attributes(graph, {n: self.labels[n] for n in graph}, "label")
        return graph

    @cached_property
    def communities(self) -> list[list[str]]:
        """Louvain communities of the co-mention network, largest first, tools by strength."""
        return communities(self.comentions)

    @cached_property
    def community_of(self) -> dict[str, int]:
        return {tool: i for i, members in enumerate(self.communities, 1) for tool in members}


def communities(graph) -> list[list[str]]:
    """Louvain communities (fixed seed), largest first; members by weighted degree, then label."""
    import networkx as nx

    def order(n):
        return (-graph.degree(n, weight="weight"), graph.nodes[n].get("label", n), n)

    found = nx.community.louvain_communities(graph, weight="weight", seed=0)
    return sorted((sorted(c, key=order) for c in found), key=lambda c: (-len(c), order(c[0])))


REPORTS: dict[str, Callable[..., "list[Table] | Report"]] = {}


def _report(name: str):
    def register(fn):
        REPORTS[name] = fn
        return fn
    return register


def describe(name: str) -> tuple[str, str]:
    """The title and description of a report: its function's docstring."""
    title, _, description = REPORTS[name].__doc__.partition("\n\n")
    return title.strip(), " ".join(description.split())


def run_report(data: GraphData, name: str, *args: str) -> Report:
    if name not in REPORTS:
        raise UsageError(f"no report named {name!r}; reports: {', '.join(REPORTS)}")
    wanted = 1 if name == "tool" else 0
    if len(args) != wanted:
        raise UsageError(f"report {name!r} takes {'a tool name' if wanted else 'no argument'}, got {len(args)}")
    result = REPORTS[name](data, *args)
    if isinstance(result, Report):
        return result
    return Report(name, *describe(name), result)


def _table(columns: str, rows: list[dict], **kw) -> Table:
    return Table(columns.split(), rows, **kw)


def _split(value: str) -> list[str]:
    # the saved queries join labels with "; " (readable in `kg query`); lists in reports
    return value.split("; ") if value else []


@_report("recurring-tools")
def recurring_tools(data: GraphData) -> list[Table]:
    """Tools that recur across events

    Tools mentioned in talks of at least two distinct events, with the events and the
    number of talks (recurring-tools.rq).
    """
    rows = [{**r, "events": _split(r["events"])} for r in data.query("recurring-tools")]
    return [_table("tool event_count events talk_count", rows)]


@_report("tools-by-year")
def tools_by_year(data: GraphData, min_talks: int = 2) -> list[Table]:
    """Tools over time

    Talks mentioning each tool per year (the event's start date, else the year in its
    name), then per edition of each series with several editions; the trend compares
    the first and the last period seen. Tools mentioned in at least two talks.
    """
    rows = _trends("years", [m for m in data.mentions if m["year"]], lambda m: (m["year"], str(m["year"])), min_talks)
    series = {m["series"] for m in data.mentions if m["series"]}
    for name in sorted(series):
        mine = [m for m in data.mentions if m["series"] == name]
        if len({m["event_iri"] for m in mine}) > 1:
            rows += _trends(name, mine, lambda m: (m["year"] or 0, m["event"]), min_talks)
    return [_table("scope tool talks change trend", rows)]


def _trends(scope: str, mentions: list[dict], period: Callable, min_talks: int) -> list[dict]:
    periods = [label for _, label in sorted({period(m) for m in mentions})]
    talks = defaultdict(lambda: defaultdict(set))
    for m in mentions:
        talks[m["tool"]][period(m)[1]].add(m["talk_iri"])
    rows = []
    for tool, per in talks.items():
        counts = {p: len(per[p]) for p in periods}
        if sum(counts.values()) >= min_talks:
            change = counts[periods[-1]] - counts[periods[0]]
            trend = "rising" if change > 0 else "falling" if change < 0 else "steady"
            rows.append({"scope": scope, "tool": tool, "talks": counts, "change": change, "trend": trend})
    return sorted(rows, key=lambda r: (-r["change"], -sum(r["talks"].values()), r["tool"]))


@_report("organizations")
def organizations(data: GraphData) -> list[Table]:
    """Organisations

    Each organisation with how many of its people spoke, their talks, and the events
    where they spoke (organizations.rq).
    """
    rows = [{**r, "events": _split(r["events"])} for r in data.query("organizations")]
    return [_table("organization speaker_count talk_count event_count events", rows)]


@_report("people")
def people(data: GraphData) -> list[Table]:
    """People who spoke at several events

    Speakers who presented at two or more distinct events, with the events and their
    talks (people-multi-event.rq).
    """
    rows = [{**r, "events": _split(r["events"]), "talks": _split(r["talks"])} for r in data.query("people-multi-event")]
    return [_table("person event_count events talks", rows)]


@_report("co-mentions")
def co_mentions(data: GraphData) -> list[Table]:
    """Tools mentioned together

    Pairs of tools mentioned in the same talks, for pairs sharing at least two talks
    (co-mentions.rq); the co-mention network of the other reports keeps every pair.
    """
    return [_table("tool_a tool_b talk_count", data.query("co-mentions", min_talks=2))]


@_report("communities")
def tool_communities(data: GraphData) -> list[Table]:
    """Communities of tools

    Groups of tools more often mentioned together than with the rest (Louvain on the
    co-mention network, edges weighted by shared talks), with their top tools by
    weighted degree. Every co-mentioned tool is in exactly one community.
    """
    g = data.comentions
    rows = [{"community": i, "size": len(members), "top_tools": [g.nodes[t]["label"] for t in members[:5]],
             "tools": sorted(g.nodes[t]["label"] for t in members)} for i, members in enumerate(data.communities, 1)]
    return [_table("community size top_tools tools", rows)]


@_report("central-tools")
def central_tools(data: GraphData, top: int = 25) -> list[Table]:
    """Central and bridging tools

    The 25 tools with the highest betweenness in the co-mention network (how often a
    tool lies on the shortest path between two others), with their degree (tools
    co-mentioned), weighted degree (co-mentions counted per talk), community and the
    number of other communities their neighbours belong to.
    """
    import networkx as nx

    g, community = data.comentions, data.community_of
    betweenness = nx.betweenness_centrality(g)
    rows = [{"tool": g.nodes[t]["label"], "degree": g.degree(t), "weighted_degree": g.degree(t, weight="weight"),
             "betweenness": round(betweenness[t], 4), "community": community[t],
             "linked_communities": len({community[n] for n in g[t]} - {community[t]})} for t in g]
    rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["tool"]))
    return [_table("tool degree weighted_degree betweenness community linked_communities",
                                      rows[:top])]


@_report("event-similarity")
def event_similarity(data: GraphData) -> list[Table]:
    """Event similarity

    Each pair of events compared by the tools their talks mention: the Jaccard index
    (tools in common over tools of either) and the tools in common. Most similar first.
    """
    tools = defaultdict(set)
    for m in data.mentions:
        tools[m["event"]].add(m["tool"])
    rows = []
    for a, b in combinations(sorted(tools), 2):
        shared = tools[a] & tools[b]
        rows.append({"event_a": a, "event_b": b, "jaccard": round(jaccard(tools[a], tools[b]), 3),
                     "shared_count": len(shared), "shared_tools": sorted(shared)})
    rows.sort(key=lambda r: (-r["jaccard"], r["event_a"], r["event_b"]))
    return [_table("event_a event_b jaccard shared_count shared_tools", rows)]


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


@_report("tool")
def tool_profile(data: GraphData, name: str) -> Report:
    """One tool's profile (kg report tool NAME)

    The talks that mention the tool, its events, its speakers and the tools mentioned
    with it.
    """
    from .explain import find_node

    tool = find_node(data.store, name, "tool")
    mine = sorted((m for m in data.mentions if m["tool_iri"] == tool.iri), key=lambda m: (m["event"], m["talk"]))
    speakers_of = defaultdict(set)
    people = defaultdict(lambda: {"organizations": set(), "talks": set()})  # by IRI: two "Louis" are two people
    talk_iris = {m["talk_iri"] for m in mine}
    for r in data.query("talk-speakers"):
        if r["talk_iri"] in talk_iris:
            speakers_of[r["talk_iri"]].add(r["speaker"])
            person = people[r["speaker_iri"], r["speaker"]]
            person["talks"].add(r["talk_iri"])
            person["organizations"].update([r["organization"]] if r["organization"] else [])
    events = Counter(m["event"] for m in mine)
    g = data.comentions
    others = sorted(g[tool.iri].items() if tool.iri in g else [],
                    key=lambda x: (-x[1]["weight"], g.nodes[x[0]]["label"]))
    tables = [
        _table("talk event speakers", [{"talk": m["talk"], "event": m["event"],
                                        "speakers": sorted(speakers_of[m["talk_iri"]])} for m in mine],
               key="talks", title="Talks"),
        _table("event talk_count", [{"event": e, "talk_count": n} for e, n in
                                    sorted(events.items(), key=lambda x: (-x[1], x[0]))],
               key="events", title="Events"),
        _table("speaker organizations talk_count",
               [{"speaker": label, "organizations": sorted(p["organizations"]), "talk_count": len(p["talks"])}
                for (_, label), p in sorted(people.items(), key=lambda x: (-len(x[1]["talks"]), x[0][1], x[0][0]))],
               key="speakers", title="Speakers"),
        _table("tool talk_count", [{"tool": g.nodes[t]["label"], "talk_count": e["weight"]} for t, e in others],
               key="co_mentioned_tools", title="Tools mentioned with it"),
    ]
    summary = (f"{len(mine)} talks at {len(events)} events, {len(people)} speakers, "
               f"mentioned with {len(others)} other tools. <{tool.iri}>")
    return Report("tool", f"Tool: {tool.label}", summary, tables)
