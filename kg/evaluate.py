"""Scoring the graph against gold annotations of recaps (``kg eval``).

Follows the rules of the shared scorer (``../shared/eval/README.md``) so the numbers
agree with it, but reads the store directly, with pyoxigraph only (no rdflib, no
spaCy), so no export is needed and the command starts fast.

- Each recap's talks are matched one to one with its gold talks by title.
- Speakers, employers and tools are compared as normalised names, through the
  ``aliases`` tables of all gold files merged.
- A tool the gold lists as optional for a talk is neither a hit nor an error.
- A talk node described by several recaps may carry what any of them says.
"""
from __future__ import annotations

import fnmatch
import itertools
import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import pyoxigraph as ox
import yaml

from .errors import InputError, UsageError
from .names import fold, key

_KG = "https://w3id.org/confkg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
TALK, PRESENTED_AT, SPEAKER, MENTIONS, DESCRIBED_IN, WORKS_AT, START_DATE, CITY, SOURCE_FILE, ABOUT = (
    ox.NamedNode(_KG + t) for t in ("Talk", "presentedAt", "speaker", "mentions", "describedIn", "worksAt",
                                    "startDate", "city", "sourceFile", "about"))
_READ = (RDF_TYPE, RDFS_LABEL, SKOS_ALT, PRESENTED_AT, SPEAKER, MENTIONS, DESCRIBED_IN, WORKS_AT,
         START_DATE, CITY, SOURCE_FILE, ABOUT)

RELATIONS = ("talks", "speakers", "worksAt", "mentions", "recurring_tools")
EVENT_FACTS = ("name", "start_date", "city")
DUPLICATE_CLASSES = (("Tool", MENTIONS), ("Person", SPEAKER), ("Organization", WORKS_AT))
TALK_MATCH = 0.8  # least title similarity for a predicted talk to be a gold talk
EVENT_MATCH = 0.9  # least similarity between the event's label and the gold name
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


# -- gold ------------------------------------------------------------------
@dataclass(frozen=True)
class GoldSpeaker:
    name: str
    affiliations: tuple[str, ...] = ()
    optional_affiliations: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoldTalk:
    titles: tuple[str, ...]  # the title, then its title_aliases
    speakers: tuple[GoldSpeaker, ...] = ()
    tools: tuple[str, ...] = ()
    optional_tools: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.titles[0]


@dataclass(frozen=True)
class GoldEvent:
    name: str | None = None
    aliases: tuple[str, ...] = ()
    start_date: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class GoldRecap:
    source: str
    event: GoldEvent
    talks: tuple[GoldTalk, ...]
    aliases: tuple[tuple[str, ...], ...]  # spelling groups, canonical name first


class _Invalid(Exception):
    """A gold file that does not follow the format; becomes an InputError naming the file."""


def load_gold(folder: Path) -> list[GoldRecap]:
    """Every ``*.yaml`` gold file of a folder, in file-name order."""
    if not folder.is_dir():
        raise UsageError(f"no gold folder at {folder}")
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise UsageError(f"no gold files (*.yaml) in {folder}")
    return [read_gold(p) for p in paths]


def read_gold(path: Path) -> GoldRecap:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise InputError(path, f"cannot read gold file: {e}") from None
    try:
        return _gold_recap(data)
    except _Invalid as e:
        raise InputError(path, f"bad gold file: {e}") from None


def _gold_recap(data) -> GoldRecap:
    if not isinstance(data, dict):
        raise _Invalid("expected a mapping with source, event and talks")
    event = _mapping(data.get("event"), "event")
    talks = []
    for i, talk in enumerate(_list(data.get("talks"), "talks")):
        where = f"talks[{i}]"
        talk = _mapping(talk, where)
        speakers = []
        for j, s in enumerate(_list(talk.get("speakers"), f"{where}.speakers")):
            sw = f"{where}.speakers[{j}]"
            s = _mapping(s, sw)
            speakers.append(GoldSpeaker(_text(s.get("name"), f"{sw}.name"),
                                        _names(s.get("affiliations"), f"{sw}.affiliations"),
                                        _names(s.get("optional_affiliations"), f"{sw}.optional_affiliations")))
        talks.append(GoldTalk((_text(talk.get("title"), f"{where}.title"),
                               *_names(talk.get("title_aliases"), f"{where}.title_aliases")),
                              tuple(speakers),
                              _names(talk.get("tools"), f"{where}.tools"),
                              _names(talk.get("optional_tools"), f"{where}.optional_tools")))
    aliases = tuple((_text(canon, "aliases"), *_names(others, f"aliases.{canon}"))
                    for canon, others in _mapping(data.get("aliases"), "aliases").items())
    return GoldRecap(
        source=_text(data.get("source"), "source"),
        event=GoldEvent(_optional(event.get("name")), _names(event.get("aliases"), "event.aliases"),
                        _optional(event.get("start_date")), _optional(event.get("city"))),
        talks=tuple(talks),
        aliases=aliases,
    )


def _mapping(value, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Invalid(f"{where} must be a mapping")
    return value


def _list(value, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid(f"{where} must be a list")
    return value


def _text(value, where: str) -> str:
    if value is None or isinstance(value, (dict, list)) or not str(value).strip():
        raise _Invalid(f"{where} is missing")
    return str(value)  # YAML reads some names as numbers or dates ("2048", 2023-10-12)


def _optional(value) -> str | None:
    return None if value is None else str(value)


def _names(value, where: str) -> tuple[str, ...]:
    return tuple(_text(v, where) for v in _list(value, where))


# -- names -----------------------------------------------------------------
class Aliases:
    """Maps a spelling to the key of its alias group; groups that share a spelling merge.

    A group's key is its smallest normalised spelling, so the result does not depend
    on the order the gold files are read in.
    """

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def _root(self, k: str) -> str:
        while (up := self._parent.get(k, k)) != k:
            k = up
        return k

    def add(self, names) -> None:
        roots = {self._root(key(str(n))) for n in names}
        keep = min(roots)
        for r in roots:
            self._parent[r] = keep

    def __call__(self, name: str) -> str:
        return self._root(key(str(name)))


def title_key(text: str) -> str:
    """Folded title, runs of punctuation turned into one space."""
    return " ".join(_NON_ALNUM.sub(" ", fold(text)).split())


def title_similarity(a: str, b: str) -> float:
    a, b = title_key(a), title_key(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = sorted((a, b), key=len)
    # one title holding the other whole ("REX : Talos Linux en prod" vs "Talos Linux en prod")
    if len(short) >= 12 and short in long_ and len(short) / len(long_) >= 0.5:
        return 0.9
    return SequenceMatcher(None, a, b).ratio()


# -- graph -----------------------------------------------------------------
class Graph:
    """The triples the scorer reads, merged over all named graphs."""

    def __init__(self, triples) -> None:
        self._objects: dict[tuple, list] = defaultdict(list)
        self._subjects: dict[tuple, list] = defaultdict(list)
        for s, p, o in set(triples):
            self._objects[s, p].append(o)
            self._subjects[p, o].append(s)

    @classmethod
    def from_store(cls, store: ox.Store) -> "Graph":
        return cls((q.subject, q.predicate, q.object)
                   for p in _READ for q in store.quads_for_pattern(None, p, None, None))

    @classmethod
    def from_file(cls, path: Path) -> "Graph":
        """Any RDF file pyoxigraph reads, format from the extension; named graphs merged."""
        try:
            return cls((q.subject, q.predicate, q.object) for q in ox.parse(path=path) if q.predicate in _READ)
        except ValueError as e:
            raise UsageError(f"{path}: {e}") from None
        except (OSError, SyntaxError) as e:
            raise InputError(path, str(e)) from None

    def objects(self, s, p) -> list:
        return self._objects.get((s, p), [])

    def subjects(self, p, o) -> list:
        return self._subjects.get((p, o), [])

    def pairs(self, p) -> list[tuple]:
        return [(s, o) for (q, o), subjects in self._subjects.items() if q == p for s in subjects]

    def labels(self, node) -> list[str]:
        return [o.value for o in self.objects(node, RDFS_LABEL)]

    def names(self, node) -> list[str]:
        return self.labels(node) + [o.value for o in self.objects(node, SKOS_ALT)]

    def label(self, node) -> str:
        return max(self.labels(node), key=len, default=node.value)


# -- results ---------------------------------------------------------------
@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Error:
    """One thing the graph gets wrong.

    relation: one of RELATIONS, ``event.<fact>`` or ``duplicates.<class>``; kind: FP, FN
    (or ``duplicate``); recap: the gold source file, "" for corpus-wide checks; found:
    what the graph says instead (event facts) or the nodes sharing a name (duplicates).
    """

    relation: str
    kind: str
    value: str
    recap: str = ""
    talk: str = ""
    found: tuple[str, ...] | None = None


@dataclass
class Fact:
    correct: int = 0
    of: int = 0


@dataclass
class Duplicates:
    nodes: int = 0
    duplicates: int = 0


@dataclass
class Evaluation:
    documents: int
    relations: dict[str, Counts] = field(default_factory=lambda: {r: Counts() for r in RELATIONS})
    recurring_gold: int = 0
    recurring_predicted: int = 0
    event: dict[str, Fact] = field(default_factory=lambda: {f: Fact() for f in EVENT_FACTS})
    duplicates: dict[str, Duplicates] = field(default_factory=dict)
    errors: list[Error] = field(default_factory=list)

    def summary(self) -> str:
        """The last line the shared scorer prints, for comparing runs."""
        f1 = {r: self.relations[r].f1 for r in RELATIONS}
        return ("summary: " + " ".join(f"{r}_f1={f1[r]:.3f}" for r in RELATIONS[:-1])
                + f" recurring_f1={f1['recurring_tools']:.3f}")


# -- scoring ---------------------------------------------------------------
@dataclass
class _Recap:
    gold: GoldRecap
    nodes: list  # the recap nodes whose kg:sourceFile is the gold source
    talks: list  # predicted talk nodes, by label
    matches: dict  # talk node -> index of its gold talk


_NO_TALK = GoldTalk(("",))  # what a predicted talk matching no gold talk is held to: no speakers, no tools


def evaluate(graph: Graph, golds: list[GoldRecap], score_only: str | None = None) -> Evaluation:
    """Scores the graph. With score_only (a glob), only gold sources matching it are counted
    per recap; every gold file still defines aliases, merged talks and recurring tools."""
    return _Scorer(graph, golds).run(score_only)


class _Scorer:
    def __init__(self, graph: Graph, golds: list[GoldRecap]) -> None:
        self.graph = graph
        self.golds = golds
        self.names = Aliases()
        for gold in golds:
            for group in gold.aliases:
                self.names.add(group)
        self.result = Evaluation(documents=len(golds))

    def run(self, score_only: str | None) -> Evaluation:
        g, names = self.graph, self.names
        by_file = defaultdict(list)
        for recap, source in g.pairs(SOURCE_FILE):
            by_file[Path(source.value).name].append(recap)  # a path ending in the file name is fine
        recaps = [self._match(gold, by_file[gold.source]) for gold in self.golds]

        # Every recap is matched before any is counted: a talk node several recaps
        # describe may carry the speakers and tools of all the gold talks it matched.
        self.ok_speakers, self.ok_tools = defaultdict(set), defaultdict(set)
        for r in recaps:
            for node, j in r.matches.items():
                talk = r.gold.talks[j]
                self.ok_speakers[node] |= {names(s.name) for s in talk.speakers}
                self.ok_tools[node] |= {names(t) for t in talk.tools + talk.optional_tools}
        self.ok_jobs = {(names(s.name), names(org)) for gold in self.golds for t in gold.talks for s in t.speakers
                        for org in s.affiliations + s.optional_affiliations}

        scored = [r for r in recaps if not score_only or fnmatch.fnmatch(r.gold.source, score_only)]
        if not scored:
            raise UsageError(f"no gold source matches {score_only!r}")
        for r in scored:
            self._score_recap(r)
        self._score_recurring(recaps)
        self._count_duplicates()
        return self.result

    def _match(self, gold: GoldRecap, nodes: list) -> _Recap:
        """Greedy one-to-one matching of the recap's talks with gold talks, best titles first."""
        g = self.graph
        talks = sorted({t for r in nodes for t in g.subjects(DESCRIBED_IN, r) if TALK in g.objects(t, RDF_TYPE)},
                       key=lambda t: (g.label(t), t.value))
        pairs = []
        for i, node in enumerate(talks):
            said = g.names(node) or [node.value]
            for j, talk in enumerate(gold.talks):
                sim = max(title_similarity(p, t) for p in said for t in talk.titles)
                if sim >= TALK_MATCH:
                    pairs.append((sim, i, j))
        matches, used = {}, set()
        for _, i, j in sorted(pairs, reverse=True):
            if talks[i] not in matches and j not in used:
                matches[talks[i]] = j
                used.add(j)
        return _Recap(gold, nodes, talks, matches)

    def _compare(self, relation: str, predicted: dict, gold: dict, allowed, recap: str = "", talk: str = "") -> None:
        """Counts predicted against gold keys (both map a key to its display name); a
        predicted key in allowed is no error."""
        fp = sorted(predicted[k] for k in predicted.keys() - gold.keys() - allowed)
        fn = sorted(gold[k] for k in gold.keys() - predicted.keys())
        self.result.relations[relation].add(len(predicted.keys() & gold.keys()), len(fp), len(fn))
        self.result.errors += [Error(relation, "FP", v, recap, talk) for v in fp]
        self.result.errors += [Error(relation, "FN", v, recap, talk) for v in fn]

    def _score_recap(self, r: _Recap) -> None:
        g, names, src = self.graph, self.names, r.gold.source
        matched = set(r.matches.values())
        self.result.relations["talks"].add(len(matched), len(r.talks) - len(matched), len(r.gold.talks) - len(matched))
        self.result.errors += [Error("talks", "FP", g.label(t), src) for t in r.talks if t not in r.matches]
        for j, talk in enumerate(r.gold.talks):
            if j not in matched:
                self.result.errors.append(Error("talks", "FN", talk.title, src))
                self._compare("speakers", {}, {names(s.name): s.name for s in talk.speakers}, set(), src, talk.title)
                self._compare("mentions", {}, {names(t): t for t in talk.tools}, set(), src, talk.title)

        people = set()
        for node in r.talks:
            title = g.label(node)
            talk = r.gold.talks[r.matches[node]] if node in r.matches else _NO_TALK
            speakers = g.objects(node, SPEAKER)
            people.update(speakers)
            self._compare("speakers", {names(g.label(p)): g.label(p) for p in speakers},
                          {names(s.name): s.name for s in talk.speakers}, self.ok_speakers[node], src, title)
            self._compare("mentions", {names(g.label(t)): g.label(t) for t in g.objects(node, MENTIONS)},
                          {names(t): t for t in talk.tools}, self.ok_tools[node], src, title)

        # worksAt over the people speaking in this recap's talks; a pair any gold file
        # states or allows is no error
        jobs = {(names(g.label(p)), names(g.label(o))): f"{g.label(p)} -> {g.label(o)}"
                for p in people for o in g.objects(p, WORKS_AT)}
        gold_jobs = {(names(s.name), names(org)): f"{s.name} -> {org}"
                     for t in r.gold.talks for s in t.speakers for org in s.affiliations}
        self._compare("worksAt", jobs, gold_jobs, self.ok_jobs, src)
        self._score_event(r)

    def _events(self, r: _Recap) -> set:
        g = self.graph
        return ({e for t in r.talks for e in g.objects(t, PRESENTED_AT)}
                | {e for n in r.nodes for e in g.objects(n, ABOUT)})

    def _score_event(self, r: _Recap) -> None:
        g, gold = self.graph, r.gold.event
        events = self._events(r)
        labels = sorted(label for e in events for label in g.labels(e))
        wanted = [key(n) for n in (gold.name, *gold.aliases) if n]
        named = any(SequenceMatcher(None, key(lb), n).ratio() >= EVENT_MATCH for lb in labels for n in wanted)
        self._fact("name", named, gold.name or "", labels, r)
        if gold.start_date:
            dates = sorted({d.value[:10] for e in events for d in g.objects(e, START_DATE)})
            self._fact("start_date", gold.start_date in dates, gold.start_date, dates, r)
        if gold.city:
            # a city is a literal or a place node with a label
            cities = sorted({g.label(c) for e in events for c in g.objects(e, CITY)})
            self._fact("city", key(gold.city) in {key(c) for c in cities}, gold.city, cities, r)

    def _fact(self, name: str, correct: bool, gold: str, found: list[str], r: _Recap) -> None:
        fact = self.result.event[name]
        fact.of += 1
        fact.correct += correct
        if not correct:
            self.result.errors.append(Error(f"event.{name}", "FN", gold, r.gold.source, found=tuple(found)))

    def _score_recurring(self, recaps: list[_Recap]) -> None:
        """Tools mentioned in talks of at least two distinct events, over all gold recaps.

        Only required tools make the gold list; a predicted tool that recurs once
        optional tools count is no error.
        """
        g, names = self.graph, self.names
        editions = Aliases()
        for gold in self.golds:
            editions.add((gold.event.name or gold.source, *gold.event.aliases))
        required, allowed, spelling = defaultdict(set), defaultdict(set), {}
        for r in recaps:
            event = editions(r.gold.event.name or r.gold.source)
            for talk in r.gold.talks:
                for tool in talk.tools:
                    required[names(tool)].add(event)
                for tool in talk.tools + talk.optional_tools:
                    allowed[names(tool)].add(event)
                    spelling.setdefault(names(tool), tool)
        predicted = defaultdict(set)
        for event in set().union(*(self._events(r) for r in recaps)):
            for talk in g.subjects(PRESENTED_AT, event):
                for tool in g.objects(talk, MENTIONS):
                    k = names(g.label(tool))
                    predicted[k].add(event)
                    spelling[k] = min(spelling.get(k, g.label(tool)), g.label(tool))
        recurring = {k: spelling[k] for k, events in predicted.items() if len(events) >= 2}
        gold = {k: spelling[k] for k, events in required.items() if len(events) >= 2}
        self._compare("recurring_tools", recurring, gold, {k for k, events in allowed.items() if len(events) >= 2})
        self.result.recurring_gold, self.result.recurring_predicted = len(gold), len(recurring)

    def _count_duplicates(self) -> None:
        """Nodes in use whose labels resolve to one name."""
        g = self.graph
        for cls, predicate in DUPLICATE_CLASSES:
            groups = defaultdict(list)
            for node in {o for _, o in g.pairs(predicate)}:
                name = g.label(node)
                if cls == "Person" and len(name.split()) < 2:
                    continue  # first-name-only people stay scoped to their event
                groups[self.names(name)].append(node)
            self.result.duplicates[cls] = Duplicates(sum(map(len, groups.values())),
                                                     sum(len(v) - 1 for v in groups.values()))
            for nodes in sorted(groups.values(), key=lambda v: g.label(v[0])):
                if len(nodes) > 1:
                    self.result.errors.append(Error(f"duplicates.{cls}", "duplicate", g.label(nodes[0]),
                                                    found=tuple(sorted(n.value for n in nodes))))


# -- output ----------------------------------------------------------------
def render_text(result: Evaluation, detail: bool = False) -> str:
    lines = []
    if detail:
        for recap, errors in itertools.groupby(result.errors, key=lambda e: e.recap):
            lines.append(f"== {recap or 'all recaps'}")
            for e in errors:
                where = f"[{e.talk[:60]}] " if e.talk else ""
                found = "" if e.found is None else f"  (graph: {', '.join(e.found) or 'nothing'})"
                lines.append(f"   {e.kind:<3} {e.relation:<16} {where}{e.value}{found}")
        lines.append("")
    lines.append(f"{'relation':<16}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}")
    for name in RELATIONS:
        c = result.relations[name]
        lines.append(f"{name:<16}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}{c.tp:>6}{c.fp:>6}{c.fn:>6}")
    lines[-1] += f"   gold={result.recurring_gold} predicted={result.recurring_predicted}"
    for name, fact in result.event.items():
        lines.append(f"event {name:<10} {fact.correct}/{fact.of}")
    for cls, d in result.duplicates.items():
        lines.append(f"duplicate {cls:<13} {d.duplicates} of {d.nodes} nodes")
    lines.append(result.summary())
    return "\n".join(lines) + "\n"


def render_json(result: Evaluation, detail: bool = False) -> str:
    def scores(c: Counts) -> dict:
        return {"precision": c.precision, "recall": c.recall, "f1": c.f1, "tp": c.tp, "fp": c.fp, "fn": c.fn}

    out = {"documents": result.documents}
    out |= {_snake(r): scores(result.relations[r]) for r in RELATIONS}
    out["recurring_tools"] |= {"gold": result.recurring_gold, "predicted": result.recurring_predicted}
    out["event"] = {name: asdict(f) for name, f in result.event.items()}
    out["duplicates"] = {cls.lower(): asdict(d) for cls, d in result.duplicates.items()}
    if detail:
        out["errors"] = [asdict(e) for e in result.errors]
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z])([A-Z])", r"_\1", name).lower()
