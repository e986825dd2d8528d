"""Gazetteers (SKOS Turtle in ontology/gazetteer) and word lists (ontology/lexicons).

Loaded once, lazily, with pyoxigraph's parser (fast, no rdflib import). Extra
gazetteer folders (a store's `gazetteer/`, filled by `kg gazetteer import-landscape`)
add their `*tools.ttl`, `*organizations.ttl` and `*events.ttl` files to the bundled
ones, which win whenever both know a name.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import UsageError
from .names import fold, key
from .resources import ontology_dir

KG = "https://w3id.org/confkg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF = "http://xmlns.com/foaf/0.1/"


@dataclass(frozen=True)
class Entry:
    """One gazetteer concept: a tool, an organisation or an event series."""

    iri: str
    label: str
    alt_labels: tuple[str, ...] = ()
    category: str | None = None
    homepage: str | None = None
    ambiguous: bool = False
    city: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.alt_labels)


class Gazetteer:
    """Entries indexed by the matching key of every name; extra entries only add names no entry has."""

    def __init__(self, entries: list[Entry], extra: list[Entry] = ()) -> None:
        self.entries = sorted(entries, key=lambda e: e.iri) + sorted(extra, key=lambda e: e.iri)
        self.by_key: dict[str, Entry] = {}
        self.max_words = 1
        for entry in self.entries:
            for name in entry.names:
                self.by_key.setdefault(key(name), entry)
                self.max_words = max(self.max_words, len(name.split()))

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, name: str) -> Entry | None:
        return self.by_key.get(key(name))


def read_skos(path: Path) -> list[Entry]:
    from pyoxigraph import RdfFormat, parse

    fields: dict[str, dict] = {}
    for triple in parse(path=str(path), format=RdfFormat.TURTLE):
        s, p, o = triple.subject.value, triple.predicate.value, triple.object
        rec = fields.setdefault(s, {"alt": [], "types": set()})
        if p == SKOS + "prefLabel" and not getattr(o, "language", None):
            rec["label"] = o.value
        elif p == SKOS + "altLabel":
            rec["alt"].append(o.value)
        elif p == KG + "category":
            rec["category"] = o.value
        elif p == KG + "city":
            rec["city"] = o.value
        elif p == KG + "ambiguous":
            rec["ambiguous"] = o.value in ("true", "1")
        elif p == FOAF + "homepage":
            rec["homepage"] = o.value
        elif p.endswith("#type"):
            rec["types"].add(o.value)
    return [
        Entry(iri, rec["label"], tuple(sorted(set(rec["alt"]))), rec.get("category"), rec.get("homepage"),
              rec.get("ambiguous", False), rec.get("city"))
        for iri, rec in fields.items()
        if "label" in rec and SKOS + "Concept" in rec["types"]
    ]


_extra: tuple[tuple[Path, int, int], ...] = ()  # the extra gazetteer files in use, with mtime and size


def use_extra_gazetteers(folders: list[Path]) -> None:
    """Adds the gazetteer files of these folders to the bundled ones (none: bundled only).

    Reloads when the files changed since the last call; a file that does not parse is a UsageError.
    """
    global _extra
    files = [p for folder in folders for p in gazetteer_files(folder)]
    signature = tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    if signature == _extra:
        return
    _extra = signature
    for loader in (tools, organizations, event_series, extra_digest):
        loader.cache_clear()
    tools(), organizations(), event_series()


def gazetteer_files(folder: Path) -> list[Path]:
    """The gazetteer files of a folder: *tools.ttl, *organizations.ttl, *events.ttl."""
    return sorted(p for kind in ("tools", "organizations", "events") for p in folder.glob(f"*{kind}.ttl"))


@cache
def extra_digest() -> bytes:
    """A digest of the extra gazetteer files in use (empty when there are none), for cache keys."""
    digest = hashlib.sha256()
    for path, _, _ in _extra:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest() if _extra else b""


def bundled_entries(name: str) -> list[Entry]:
    """The entries of a bundled gazetteer: "tools", "organizations" or "events"."""
    path = ontology_dir() / "gazetteer" / f"{name}.ttl"
    return read_skos(path) if path.exists() else []


def _gazetteer(name: str) -> Gazetteer:
    extra = []
    for p, _, _ in _extra:
        if p.name.endswith(f"{name}.ttl"):
            try:
                extra += read_skos(p)
            except (OSError, SyntaxError) as e:
                raise UsageError(f"{p}: not a readable SKOS Turtle gazetteer ({e})") from None
    return Gazetteer(bundled_entries(name), extra)


@cache
def tools() -> Gazetteer:
    return _gazetteer("tools")


@cache
def organizations() -> Gazetteer:
    return _gazetteer("organizations")


@cache
def event_series() -> Gazetteer:
    return _gazetteer("events")


def _lexicon_path(name: str) -> Path:
    return ontology_dir() / "lexicons" / name


@cache
def first_names() -> frozenset[str]:
    """Folded given names ("benoit", "jean-pascal")."""
    path = _lexicon_path("first-names.txt")
    if not path.exists():
        return frozenset()
    return frozenset(fold(line.strip()) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@cache
def cities() -> dict[str, str]:
    """Matching key -> city name as written in the lexicon."""
    path = _lexicon_path("cities.tsv")
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as f:
        return {key(row["city"]): row["city"] for row in csv.DictReader(f, delimiter="\t") if row.get("city")}


@cache
def non_tools() -> dict[str, str]:
    """Matching key -> kind (language, protocol, generic...) of words that are never tools."""
    path = _lexicon_path("non-tools.tsv")
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as f:
        return {key(row["term"]): row["kind"] for row in csv.DictReader(f, delimiter="\t") if row.get("term")}


def is_first_name(word: str) -> bool:
    folded = fold(word)
    if folded in first_names():
        return True
    parts = folded.split("-")
    return len(parts) == 2 and all(p in first_names() for p in parts)
