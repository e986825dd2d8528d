"""Stage 4: mentions of all recaps become resolved entities with canonical names and IRIs.

- tools and organisations: the gazetteer's label when the name (or an alias) is
  known, else the most frequent spelling; one node per matching key;
- events: one node per (series, year), however the series is spelled;
- people: one node per full name; a first-name-only person joins a full-name
  speaker of the same talk with that first name, else stays scoped to the event;
- talks: one node per (event, title).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from . import gazetteer
from .extract import Extraction
from .names import key, slug

RES = "https://w3id.org/confkg/resource/"


@dataclass
class Node:
    iri: str
    kind: str  # Tool, Organization, Person, Event, EventSeries, Talk, Recap
    label: str
    alt_labels: set[str] = field(default_factory=set)
    category: str | None = None
    homepage: str | None = None


@dataclass
class ResolvedTalk:
    iri: str
    speakers: list[str]
    tools: list[str]


@dataclass
class ResolvedRecap:
    iri: str
    source_file: str
    title: str | None
    published: str | None
    event: str
    series: str | None
    start_date: str | None
    city: str | None
    authors: list[str]
    talks: list[ResolvedTalk]
    works_at: list[tuple[str, str]]


@dataclass
class Resolution:
    nodes: dict[str, Node]
    recaps: list[ResolvedRecap]


class _Names:
    """Collects the spellings seen for one kind of entity, keyed by matching key."""

    def __init__(self, kind: str, gaz: gazetteer.Gazetteer | None) -> None:
        self.kind = kind
        self.gaz = gaz
        self.spellings: dict[str, Counter] = defaultdict(Counter)

    def key_of(self, name: str) -> str:
        entry = self.gaz.lookup(name) if self.gaz else None
        return key(entry.label) if entry else key(name)

    def add(self, name: str) -> str:
        k = self.key_of(name)
        self.spellings[k][name] += 1
        return k

    def node(self, k: str, prefix: str) -> Node:
        seen = self.spellings[k]
        best = sorted(seen.items(), key=lambda kv: (-kv[1], -sum(c.isupper() for c in kv[0]), kv[0]))[0][0]
        entry = self.gaz.lookup(best) if self.gaz else None
        label = entry.label if entry else best
        node = Node(iri=f"{RES}{prefix}/{slug(label)}", kind=self.kind, label=label,
                    alt_labels={s for s in seen if s != label})
        if entry:
            node.category, node.homepage = entry.category, entry.homepage
            node.alt_labels |= {a for a in entry.alt_labels if a != label}
        return node


def resolve(extractions: list[Extraction]) -> Resolution:
    tools = _Names("Tool", gazetteer.tools())
    orgs = _Names("Organization", gazetteer.organizations())
    nodes: dict[str, Node] = {}

    # Events: one per series and year.
    event_of: dict[str, str] = {}
    series_of: dict[str, str] = {}
    for x in extractions:
        ev = x.event
        series_entry = gazetteer.event_series().lookup(ev["series"])
        series = series_entry.label if series_entry else ev["series"]
        name = f"{series} {ev['year']}" if ev.get("year") else series
        iri = f"{RES}event/{slug(name)}"
        node = nodes.setdefault(iri, Node(iri, "Event", name))
        if ev["name"] != name:
            node.alt_labels.add(ev["name"])
        if series_entry and ev.get("year"):
            node.alt_labels |= {f"{alias} {ev['year']}" for alias in series_entry.alt_labels}
        series_iri = f"{RES}series/{slug(series)}"
        nodes.setdefault(series_iri, Node(series_iri, "EventSeries", series))
        event_of[x.source_file] = iri
        series_of[x.source_file] = series_iri

    # First pass: spellings of tools and organisations across every recap.
    for x in extractions:
        for t in x.talks:
            for m in t.tools:
                tools.add(m.canonical or m.text)
            for s in t.speakers:
                if s.affiliation:
                    orgs.add(s.affiliation.text)
    tool_nodes = {k: tools.node(k, "tool") for k in tools.spellings}
    org_nodes = {k: orgs.node(k, "organization") for k in orgs.spellings}
    for n in (*tool_nodes.values(), *org_nodes.values()):
        nodes[n.iri] = n

    people: dict[str, Node] = {}
    recaps: list[ResolvedRecap] = []
    for x in extractions:
        event_iri = event_of[x.source_file]
        event_slug = event_iri.rsplit("/", 1)[1]
        recap_iri = f"{RES}recap/{slug(x.source_file)}"
        author_iris = [_person(people, a.text, event_slug) for a in x.authors]
        talks: list[ResolvedTalk] = []
        works_at: set[tuple[str, str]] = set()
        for t in x.talks:
            talk_iri = f"{RES}talk/{event_slug}/{slug(t.title)}"
            talk = nodes.setdefault(talk_iri, Node(talk_iri, "Talk", t.title))
            talk.alt_labels.update(a for a in t.title_aliases if a != talk.label)
            full_names = {s.text.split()[0]: s.text for s in t.speakers if len(s.text.split()) > 1}
            speaker_iris: list[str] = []
            for s in t.speakers:
                name = full_names.get(s.text, s.text) if len(s.text.split()) == 1 else s.text
                iri = _person(people, name, event_slug)
                if iri not in speaker_iris:
                    speaker_iris.append(iri)
                if s.affiliation:
                    works_at.add((iri, org_nodes[orgs.key_of(s.affiliation.text)].iri))
            tool_iris = sorted({tool_nodes[tools.key_of(m.canonical or m.text)].iri for m in t.tools})
            talks.append(ResolvedTalk(talk_iri, speaker_iris, tool_iris))
        ev = x.event
        recaps.append(ResolvedRecap(
            iri=recap_iri, source_file=x.source_file, title=x.title, published=x.published, event=event_iri,
            series=series_of[x.source_file],
            start_date=ev.get("start_date"), city=ev.get("city"), authors=author_iris, talks=talks,
            works_at=sorted(works_at)))
        nodes[recap_iri] = Node(recap_iri, "Recap", x.title or x.source_file)
    nodes.update(people)
    return Resolution(nodes=nodes, recaps=recaps)


def _person(people: dict[str, Node], name: str, event_slug: str) -> str:
    """Full names are global; a first name alone is scoped to its event."""
    words = name.split()
    iri = f"{RES}person/{slug(name)}" if len(words) > 1 else f"{RES}person/{event_slug}/{slug(name)}"
    node = people.setdefault(iri, Node(iri, "Person", name))
    if name != node.label:
        node.alt_labels.add(name)
    return iri
