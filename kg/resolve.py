"""Stage 4: mentions of all recaps become resolved entities with canonical names and IRIs.

Names of one kind are clustered, in this order of authority:
1. the user's decisions (kg-decisions.yaml: merges win, splits forbid);
2. the gazetteer (a name and its aliases are one entry);
3. the matching key (case, accents, punctuation; legal suffixes for organisations);
4. former names stated in a recap ("Publicis Sapient (anciennement Xebia)");
5. domain names ("Dagger.io" is "Dagger" when both are seen);
6. typos: names one edit apart and at least 90% similar (rapidfuzz), compared
   only inside deletion-neighbourhood blocks, so cost stays near linear.

Events are one node per (series cluster, year). Two descriptions of one talk at
one event (same or close titles, from different recaps) are one talk node. People
are one node per full name; a first-name-only speaker joins a full-name speaker
of the same talk with that first name, else stays scoped to the event.

Every decision that joins two different spellings is kept as a Merge, with its
reason, for `kg merges`.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from . import gazetteer
from .decisions import Decisions
from .extract import Extraction, Mention
from .names import fold, key, slug

RES = "https://w3id.org/confkg/resource/"
KG = "https://w3id.org/confkg/ontology#"

FUZZY_MIN_LENGTH = 6  # shorter names differ by design (k3s, k8s; Argo, Ergo)
FUZZY_MIN_SCORE = 90
_MAX_BUCKET = 50  # more names one edit apart are a numbered family (tool1, tool2...), not typos
TALK_MIN_SCORE = 90  # close titles of one event
TALK_MIN_SCORE_SHARED_SPEAKER = 70
_LEGAL_SUFFIX = re.compile(r"(?:[\s,]+(?:sas|sasu|sarl|sa|inc|ltd|llc|gmbh|corp|corporation|plc|bv|ag)\.?)+$", re.I)
_DOMAIN = re.compile(r"^(?P<base>.+?)\.(?:io|dev|sh|com|org|net|ai|app|cloud|tech)$", re.I)


@dataclass
class Node:
    iri: str
    kind: str  # Tool, Organization, Person, Event, EventSeries, Talk, Recap
    label: str
    alt_labels: set[str] = field(default_factory=set)
    category: str | None = None
    homepage: str | None = None


@dataclass(frozen=True)
class Fact:
    """A direct statement and the mention it was read from."""

    subject: str
    predicate: str  # kg: term: speaker, mentions, worksAt, presentedAt, author
    object: str
    mention: Mention


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
    facts: list[Fact] = field(default_factory=list)


@dataclass(frozen=True)
class Merge:
    kind: str
    label: str  # the node's label
    name: str  # a spelling merged into that node
    reason: str


@dataclass
class Resolution:
    nodes: dict[str, Node]
    recaps: list[ResolvedRecap]
    merges: list[Merge] = field(default_factory=list)


class _Clusters:
    """Spellings of one kind of entity, clustered by union-find over matching keys."""

    def __init__(self, kind: str, gaz: gazetteer.Gazetteer | None, decisions: Decisions, *,
                 normalise=key, fuzzy: bool = True) -> None:
        self.kind, self.gaz, self.normalise, self.fuzzy = kind, gaz, normalise, fuzzy
        self.spellings: dict[str, Counter] = defaultdict(Counter)
        self.parent: dict[str, str] = {}
        self.reason: dict[str, str] = {}  # key -> why it joined its cluster
        self.forced_label: dict[str, str] = {}
        self.pending: list[tuple[str, str, str]] = []  # unions the extractor already decided
        decision_kind = kind.lower()
        self.apart = [{normalise(n) for n in s.names} for s in decisions.splits_of(decision_kind)]
        self.user_merges = decisions.merges_of(decision_kind)

    def add(self, name: str, read_as: str | None = None) -> str:
        """Records a spelling; read_as: the name the extractor already matched it to (a gazetteer label)."""
        k = self.normalise(name)
        self.spellings[k][name] += 1
        self.parent.setdefault(k, k)
        if read_as and self.normalise(read_as) != k:
            self.pending.append((self.normalise(read_as), k, f"alias in the gazetteer of {read_as}"))
        return k

    def find(self, k: str) -> str:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def _members(self, root: str) -> list[str]:
        return [k for k in self.parent if self.find(k) == root]

    def union(self, a: str, b: str, reason: str) -> None:
        self.parent.setdefault(a, a)
        self.parent.setdefault(b, b)
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.apart:
            left, right = set(self._members(ra)), set(self._members(rb))
            if any(left & group and right & group for group in self.apart):
                return
        self.parent[rb] = ra
        self.reason.setdefault(b, reason)
        self.reason.setdefault(a, reason)

    def entry(self, k: str):
        if not self.gaz:
            return None
        for name in self.spellings.get(k, ()):
            entry = self.gaz.lookup(name)
            if entry:
                return entry
        return self.gaz.by_key.get(k)

    def settle(self, former_names: list[tuple[str, str]] = ()) -> None:
        for m in self.user_merges:
            target = self.normalise(m.name)
            self.forced_label[target] = m.name
            for other in m.same_as:
                self.union(target, self.normalise(other), "your decisions file")
        for a, b, reason in self.pending:
            self.union(a, b, reason)
        for k in list(self.spellings):
            entry = self.entry(k)
            if entry and self.normalise(entry.label) != k:
                self.union(self.normalise(entry.label), k, f"alias in the gazetteer of {entry.label}")
        for current, former in former_names:
            a, b = self.normalise(current), self.normalise(former)
            if a in self.spellings or b in self.spellings:
                self.union(a, b, f"former name of {current}")
        for k, seen in list(self.spellings.items()):
            for name in seen:
                m = _DOMAIN.match(name.strip())
                if m and self.normalise(m["base"]) in self.spellings:
                    self.union(self.normalise(m["base"]), k, "domain name of the same project")
        if self.fuzzy:
            self._merge_typos()

    def _merge_typos(self) -> None:
        for a, b in _near_pairs(k for k in self.spellings if len(k) >= FUZZY_MIN_LENGTH):
            score = _typo_score(a, b)
            if score and not (self.entry(a) and self.entry(b) and self.entry(a) != self.entry(b)):
                big, small = sorted((a, b), key=lambda k: (*(-w for w in self._weight(k)), k))
                self.union(big, small, f"similar spelling ({score:.0f}%)")

    def _weight(self, k: str) -> tuple:
        root = self.find(k)
        known = any(self.entry(m) for m in self._members(root))
        return known, sum(self.spellings[k].values())

    def label(self, members: list[str]) -> str:
        for k in members:
            if k in self.forced_label:
                return self.forced_label[k]
        for k in members:
            entry = self.entry(k)
            if entry:
                return entry.label
        counts = Counter()
        for k in members:
            counts.update(self.spellings.get(k, {}))
        return sorted(counts.items(), key=lambda kv: (-kv[1], -sum(c.isupper() for c in kv[0]),
                                                      -kv[0].count(" "), kv[0]))[0][0]

    def nodes(self, prefix: str) -> tuple[dict[str, Node], list[Merge]]:
        """Node per key (keys of one cluster share the node), and the merges that formed them."""
        clusters: dict[str, list[str]] = defaultdict(list)
        for k in self.parent:
            clusters[self.find(k)].append(k)
        by_root: dict[str, Node] = {}
        merges: list[Merge] = []
        for root in sorted({self.find(k) for k in self.spellings}):
            members = sorted(clusters[root])
            label = self.label(members)
            node = Node(iri=f"{RES}{prefix}/{slug(label)}", kind=self.kind, label=label)
            for k in members:
                node.alt_labels |= {s for s in self.spellings.get(k, ()) if s != label}
                entry = self.entry(k)
                if entry:
                    node.category = node.category or entry.category
                    node.homepage = node.homepage or entry.homepage
                    node.alt_labels |= {a for a in entry.alt_labels if a != label}
                if k != self.normalise(label):
                    merges += [Merge(self.kind, label, s, self.reason.get(k, "same name"))
                               for s in sorted(self.spellings.get(k, ()))]
            by_root[root] = node
        return {k: by_root[self.find(k)] for k in self.spellings}, merges


def _typo_score(a: str, b: str) -> float:
    """Similarity of two matching keys when one looks like a typo of the other, else 0."""
    if re.sub(r"\D", "", a) != re.sub(r"\D", "", b):
        return 0  # versions and numbered names differ on purpose
    short, long = sorted((a, b), key=len)
    if long.startswith(short) and long[len(short):] != "s":
        return 0  # "terraform" / "terraformer": an extension is another name
    score = fuzz.ratio(a, b)
    return score if score >= FUZZY_MIN_SCORE else 0


def _near_pairs(keys) -> list[tuple[str, str]]:
    """Pairs of keys one edit apart (insertion, deletion, substitution or swap of neighbours).

    Blocking by deletion neighbourhood: two such keys share a key with one character
    deleted, so each key is compared only with the few keys in its buckets, never
    with all the others.
    """
    buckets: dict[str, set[str]] = defaultdict(set)
    for k in keys:
        buckets[k].add(k)
        for i in range(len(k)):
            buckets[k[:i] + k[i + 1:]].add(k)
    pairs = set()
    for members in buckets.values():
        if 1 < len(members) <= _MAX_BUCKET:
            ordered = sorted(members)
            pairs.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:])
    return sorted(pairs)


def organization_key(name: str) -> str:
    """Matching key of an organisation: its legal form ("SAS", "Inc.") does not count."""
    return key(_LEGAL_SUFFIX.sub("", name.strip())) or key(name)


def resolve(extractions: list[Extraction], decisions: Decisions | None = None) -> Resolution:
    decisions = decisions or Decisions()
    nodes: dict[str, Node] = {}
    merges: list[Merge] = []

    # Events: one per series cluster and year.
    series = _Clusters("EventSeries", gazetteer.event_series(), decisions)
    for x in extractions:
        series.add(x.event["series"])
    series.settle()
    series_nodes, series_merges = series.nodes("series")
    merges += series_merges
    event_of: dict[str, Node] = {}
    for x in extractions:
        ev = x.event
        s_node = series_nodes[series.normalise(ev["series"])]
        nodes[s_node.iri] = s_node
        name = f"{s_node.label} {ev['year']}" if ev.get("year") else s_node.label
        iri = f"{RES}event/{slug(name)}"
        node = nodes.setdefault(iri, Node(iri, "Event", name))
        if ev["name"] != name:
            node.alt_labels.add(ev["name"])
        if ev.get("year"):
            node.alt_labels |= {f"{alias} {ev['year']}" for alias in s_node.alt_labels}
        event_of[x.source_file] = node

    # Tools and organisations, clustered over every recap.
    tools = _Clusters("Tool", gazetteer.tools(), decisions)
    orgs = _Clusters("Organization", gazetteer.organizations(), decisions, normalise=organization_key)
    former: list[tuple[str, str]] = []
    for x in extractions:
        former += x.former_names
        for t in x.talks:
            for m in t.tools:
                tools.add(m.text, read_as=m.canonical)
            for s in t.speakers:
                if s.affiliation:
                    orgs.add(s.affiliation.text)
    tools.settle()
    orgs.settle(former)
    tool_nodes, tool_merges = tools.nodes("tool")
    org_nodes, org_merges = orgs.nodes("organization")
    merges += tool_merges + org_merges
    for n in (*tool_nodes.values(), *org_nodes.values()):
        nodes[n.iri] = n

    talk_groups = _group_talks(extractions, event_of, decisions)
    merges += talk_groups.merges
    people = _People(decisions)
    recaps: list[ResolvedRecap] = []
    for x in extractions:
        event = event_of[x.source_file]
        event_slug = event.iri.rsplit("/", 1)[1]
        recap_iri = f"{RES}recap/{slug(x.source_file)}"
        facts: list[Fact] = []
        author_iris = []
        for a in x.authors:
            iri = people.iri(a.text, event_slug)
            author_iris.append(iri)
            facts.append(Fact(recap_iri, "author", iri, a))
        talks: list[ResolvedTalk] = []
        works_at: set[tuple[str, str]] = set()
        for t in x.talks:
            talk = talk_groups.node_of[(x.source_file, id(t))]
            nodes[talk.iri] = talk
            facts.append(Fact(talk.iri, "presentedAt", event.iri, t.heading))
            full_names = talk_groups.full_names[talk.iri]
            speaker_iris: list[str] = []
            for s in t.speakers:
                iri = people.speaker_iri(s.text, full_names, event_slug, talk.label)
                if iri not in speaker_iris:
                    speaker_iris.append(iri)
                facts.append(Fact(talk.iri, "speaker", iri, s))
                if s.affiliation:
                    org = org_nodes[orgs.normalise(s.affiliation.text)].iri
                    works_at.add((iri, org))
                    facts.append(Fact(iri, "worksAt", org, s.affiliation))
            tool_iris = set()
            for m in t.tools:
                tool = tool_nodes[tools.normalise(m.text)].iri
                tool_iris.add(tool)
                facts.append(Fact(talk.iri, "mentions", tool, m))
            talks.append(ResolvedTalk(talk.iri, speaker_iris, sorted(tool_iris)))
        ev = x.event
        recaps.append(ResolvedRecap(
            iri=recap_iri, source_file=x.source_file, title=x.title, published=x.published, event=event.iri,
            series=series_nodes[series.normalise(ev["series"])].iri,
            start_date=ev.get("start_date"), city=ev.get("city"), authors=author_iris, talks=talks,
            works_at=sorted(works_at), facts=facts))
        nodes[recap_iri] = Node(recap_iri, "Recap", x.title or x.source_file)
    nodes.update(people.nodes)
    merges += people.merges
    return Resolution(nodes=nodes, recaps=recaps, merges=sorted(set(merges), key=lambda m: (m.kind, m.label, m.name, m.reason)))


@dataclass
class _TalkGroups:
    node_of: dict[tuple[str, int], Node]  # (recap file, id of its TalkExtraction) -> talk node
    full_names: dict[str, dict[str, str]]  # talk IRI -> folded first name -> full name of a speaker
    merges: list[Merge]


def _group_talks(extractions: list[Extraction], event_of: dict[str, Node], decisions: Decisions) -> _TalkGroups:
    """One node per talk of an event, however many recaps describe it."""
    forced = {}
    for m in decisions.merges_of("talk"):
        for name in (m.name, *m.same_as):
            forced[key(name)] = key(m.name)
    apart = [{key(n) for n in s.names} for s in decisions.splits_of("talk")]
    groups: dict[str, list[dict]] = defaultdict(list)  # event IRI -> talk groups
    by_key: dict[str, dict[str, list[dict]]] = defaultdict(dict)  # event IRI -> title key -> groups with it
    node_of: dict[tuple[str, int], Node] = {}
    merges: list[Merge] = []
    for x in extractions:
        event = event_of[x.source_file]
        for t in x.talks:
            read = _TitleRead([t.title, *t.title_aliases], {key(s.text) for s in t.speakers if " " in s.text})
            # a title already read at this event settles it at once (100, the highest score): the pairwise
            # comparisons run for new titles only
            candidates = [] if forced else sorted({g["order"]: g for k in read.keys for g in by_key[event.iri].get(k, ())}
                                                  .values(), key=lambda g: g["order"])
            best, best_score, reason = _best_group(read, x.source_file, candidates or groups[event.iri], forced, apart)
            if best is None and candidates:  # every group with this title was ruled out: compare with all
                best, best_score, reason = _best_group(read, x.source_file, groups[event.iri], forced, apart)
            if best is None:
                best = {"titles": [], "words": [], "keys": set(), "recaps": set(), "speakers": set(), "talks": [],
                        "order": len(groups[event.iri])}
                groups[event.iri].append(best)
            elif key(t.title) not in best["keys"]:
                merges.append(Merge("Talk", best["titles"][0], t.title, reason))
            new_titles = [a for a in read.titles if a not in best["titles"]]
            best["titles"] += new_titles
            best["words"] += [_title_words(a) for a in new_titles]
            best["keys"] |= read.keys
            for k in read.keys:
                by_key[event.iri].setdefault(k, []).append(best)
            best["recaps"].add(x.source_file)
            best["speakers"] |= read.speakers
            best["talks"].append((x.source_file, t))
    full_names: dict[str, dict[str, str]] = {}
    for event_iri, event_groups in groups.items():
        event_slug = event_iri.rsplit("/", 1)[1]
        used: set[str] = set()
        for group in event_groups:
            label = group["titles"][0]
            iri = f"{RES}talk/{event_slug}/{slug(label)}"
            n = 2
            while iri in used:  # two talks with one title at one event: both kept
                iri, n = f"{RES}talk/{event_slug}/{slug(label)}-{n}", n + 1
            used.add(iri)
            node = Node(iri, "Talk", label, alt_labels={a for a in group["titles"] if a != label})
            names: dict[str, str] = {}
            for source, t in group["talks"]:
                node_of[(source, id(t))] = node
                for s in t.speakers:
                    if len(s.text.split()) > 1:
                        names.setdefault(fold(s.text.split()[0]), s.text)
            full_names[iri] = names
    return _TalkGroups(node_of, full_names, merges)


@dataclass
class _TitleRead:
    """A talk as one recap heads it, in the forms the comparisons use."""

    titles: list[str]
    speakers: set[str]  # keys of its full-name speakers

    def __post_init__(self) -> None:
        self.keys = {key(a) for a in self.titles}
        self.first_key = key(self.titles[0])
        self.words = [_title_words(a) for a in self.titles]


def _best_group(read: _TitleRead, recap: str, groups: list[dict], forced: dict, apart: list[set]):
    """The group of the talk, its score and the reason; the first of the best wins ties."""
    best, best_score, reason = None, 0.0, ""
    for group in groups:
        if recap in group["recaps"] and read.first_key not in group["keys"]:
            continue  # one recap never describes one talk under two headings
        score, why = _talk_similarity(read, group, forced, apart)
        if score > best_score:
            best, best_score, reason = group, score, why
    return best, best_score, reason


def _talk_similarity(read: _TitleRead, group: dict, forced: dict, apart: list[set]) -> tuple[float, str]:
    if apart and any(read.keys & g and group["keys"] & g and not read.keys & group["keys"] for g in apart):
        return 0, ""
    if read.keys & group["keys"]:
        return 100, "same title"
    if forced and {forced.get(k) for k in read.keys} & {forced.get(k) for k in group["keys"]} - {None}:
        return 100, "your decisions file"
    score = max(fuzz.ratio(a, b) for a in read.words for b in group["words"])
    if score >= TALK_MIN_SCORE:
        return score, f"close titles at one event ({score:.0f}%)"
    shared = read.speakers & group["speakers"]
    if shared:  # a speaker rarely gives two talks at one event: words in common are enough
        score = max(score, *(fuzz.token_set_ratio(a, b) for a in read.words for b in group["words"]))
    if shared and score >= TALK_MIN_SCORE_SHARED_SPEAKER:
        return score, f"close titles and a shared speaker ({score:.0f}%)"
    if shared and _is_word_prefix(read.titles, group["titles"]):
        return TALK_MIN_SCORE_SHARED_SPEAKER, "one title opens the other, same speaker"
    return 0, ""


@lru_cache(maxsize=1 << 16)  # titles are compared again and again
def _title_words(title: str) -> str:
    return " ".join(re.findall(r"\w+", fold(title)))


def _is_word_prefix(titles: list[str], others: list[str]) -> bool:
    for a in titles:
        for b in others:
            short, long = sorted((_title_words(a), _title_words(b)), key=len)
            if len(short.split()) >= 2 and long.startswith(short + " "):
                return True
    return False


class _People:
    """Full names are global; a first name alone is scoped to its event unless its talk ties it to a full name."""

    def __init__(self, decisions: Decisions) -> None:
        self.nodes: dict[str, Node] = {}
        self.merges: list[Merge] = []
        self.forced = {key(n): m.name for m in decisions.merges_of("person") for n in m.same_as}
        self.apart = [{key(n) for n in split.names} for split in decisions.splits_of("person")]

    def iri(self, name: str, event_slug: str) -> str:
        name = self.forced.get(key(name), name)
        words = name.split()
        iri = f"{RES}person/{slug(name)}" if len(words) > 1 else f"{RES}person/{event_slug}/{slug(name)}"
        node = self.nodes.setdefault(iri, Node(iri, "Person", name))
        if name != node.label:
            node.alt_labels.add(name)
        return iri

    def speaker_iri(self, name: str, full_names: dict[str, str], event_slug: str, talk: str) -> str:
        full = full_names.get(fold(name)) if len(name.split()) == 1 and key(name) not in self.forced else None
        if full and not any({key(name), key(full)} <= group for group in self.apart):
            self.merges.append(Merge("Person", full, name, f"first name of a speaker of the same talk ({talk})"))
            return self.iri(full, event_slug)
        if key(name) in self.forced:
            self.merges.append(Merge("Person", self.forced[key(name)], name, "your decisions file"))
        return self.iri(name, event_slug)
