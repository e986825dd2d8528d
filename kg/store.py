"""The persistent store: an Oxigraph database on disk plus the build manifest.

Layout of a store folder (default ``.kg/``, or ``$KG_STORE``):

- ``CURRENT``: the name of the active build's folder;
- ``build-N/``: one complete build: ``oxigraph/`` (the RDF dataset: the knowledge graph
  in the default graph, one named graph per recap), ``manifest.json`` (the recaps built into it: source path, content hash)
  and ``merges.json`` (the spellings entity resolution joined, with the reason: `kg merges`);
- ``extractions/``: what each recap says, cached by content hash, so a rebuild only
  re-reads what changed (an entry never changes once written, so every build shares it);
- ``gazetteer/``: the store's extra gazetteers (`kg gazetteer import-landscape`);
- ``build.lock``: locked while a build (or an update) writes, so a second one fails at once.

A build writes a new ``build-N/`` beside the active one, then switches ``CURRENT`` with
one atomic rename: killed at any point, the store is still the previous build, whole;
readers see the previous build or the new one, never a mix. A build starts by removing
the builds that are not active: the one the previous build replaced (kept until then
for readers that opened it just before the switch) and whatever a killed build left.
Stores written before ``CURRENT`` existed keep ``oxigraph/`` and ``manifest.json`` at
the top: they are read as they are, and their next build replaces them.

A command that only reads never creates a store.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import asdict
from itertools import islice
from pathlib import Path
from typing import Iterable

from pyoxigraph import Quad, Store

from .aggregates import add_aggregates
from .errors import StoreNotFound, UsageError

DEFAULT_STORE = ".kg"
# Oxigraph's bulk loader holds what one call gives it: 2.2M quads at once took 1.7 GB, batches of 100,000
# some 300 MB, for a few percent more time.
BULK_BATCH = 100_000
_BUILD = re.compile(r"build-(\d+)")


def default_store_path() -> Path:
    return Path(os.environ.get("KG_STORE") or DEFAULT_STORE)


class GraphStore:
    """A store folder; ``store`` is the dataset of its active build, in the folder ``data``."""

    def __init__(self, path: Path, store: Store, data: Path, lock: int | None = None) -> None:
        self.path = path
        self.store = store
        self.data = data
        self._lock = lock
        self.lock_fd: int | None = None  # the build lock's descriptor, while a build holds it

    @classmethod
    def create(cls, path: Path) -> "GraphStore":
        """The store to build into, created if needed.

        A new store starts with one empty build, which ``store`` holds open for
        writing (tests fill it from an RDF file); otherwise ``store`` is read-only.
        """
        try:
            (path / "extractions").mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UsageError(f"cannot create the store at {path}: {e.strerror or e}") from None
        fd = _lock(path)
        try:
            data = _active(path)
            if data is not None:
                return cls(path, _open(data, read_only=True), data)
            data = _new_build(path)
            store = _open(data, read_only=False)
            _switch(path, data)
            return cls(path, store, data)
        finally:
            os.close(fd)

    @classmethod
    def open(cls, path: Path, read_only: bool = True) -> "GraphStore":
        """An existing store; read_only=False (SPARQL Update) writes into its active build, holding the build lock."""
        if _active(path) is None:
            raise StoreNotFound(f"no store at {path}: run `kg build CORPUS --store {path}` first")
        lock = None if read_only else _lock(path)
        data = _active(path)  # again: a build may have switched it before the lock was ours
        return cls(path, _open(data, read_only), data, lock)

    def close(self) -> None:
        """Releases the database (pyoxigraph closes it when the last reference goes) and the lock."""
        self.store = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _use(self, data: Path) -> None:
        self.data = data
        self.store = _open(data, read_only=True)

    # -- builds ---------------------------------------------------------
    @contextmanager
    def writing(self):
        """Holds the build lock while a build runs; inside, the store is its active build as of now."""
        self.lock_fd = _lock(self.path)
        try:
            self._use(_active(self.path))
            _remove_stale(self.path, self.data)
            yield self
        finally:
            os.close(self.lock_fd)
            self.lock_fd = None

    def commit(self, quads: Iterable[Quad], manifest: dict, merges: list) -> None:
        """Makes these quads, manifest and merges the store's content, all at once.

        The quads are loaded as they come, so a large corpus is never held in memory whole.

        They go to a new build folder, which one atomic rename of CURRENT then makes
        active: a kill before the rename leaves the previous build active, after it the new one.
        """
        data = _new_build(self.path)
        store = Store(str(data / "oxigraph"))
        quads = iter(quads)
        while batch := list(islice(quads, BULK_BATCH)):
            store.bulk_extend(batch)
        add_aggregates(store)
        store.flush()
        del store  # closed before it becomes visible: readers only open complete databases
        _write_json(data / "manifest.json", manifest)
        _write_json(data / "merges.json", [asdict(m) for m in merges])
        _switch(self.path, data)
        self._use(data)

    # -- manifest, merges, extraction cache -------------------------------
    def read_manifest(self) -> dict:
        path = self.data / "manifest.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"recaps": {}}

    def read_merges(self) -> list[dict]:
        path = self.data / "merges.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []

    def extraction_path(self, content_hash: str) -> Path:
        return self.path / "extractions" / f"{content_hash}.json"

    # -- graphs ---------------------------------------------------------
    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())

    def quads(self) -> list[Quad]:
        return list(self.store.quads_for_pattern(None, None, None, None))


def _active(path: Path) -> Path | None:
    """The active build's folder: the one CURRENT names, or the store itself when it predates CURRENT."""
    try:
        name = (path / "CURRENT").read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return path if (path / "oxigraph").is_dir() else None
    except OSError as e:
        raise UsageError(f"cannot read the store at {path}: {e.strerror or e}") from None
    if not _BUILD.fullmatch(name) or not (path / name / "oxigraph").is_dir():
        raise UsageError(f"the store at {path} is damaged: CURRENT names {name!r}, which is not a build in it; "
                         f"delete the folder and run `kg build` again")
    return path / name


def _new_build(path: Path) -> Path:
    numbers = [int(m[1]) for p in path.iterdir() if (m := _BUILD.fullmatch(p.name))]
    data = path / f"build-{max(numbers, default=0) + 1}"
    data.mkdir()
    return data


def _switch(path: Path, data: Path) -> None:
    """Makes data the active build: one atomic rename, so a reader finds the old name or the new one."""
    tmp = path / "CURRENT.tmp"
    tmp.write_text(data.name + "\n", encoding="utf-8")
    os.replace(tmp, path / "CURRENT")


def _open(data: Path, read_only: bool) -> Store:
    try:
        return Store.read_only(str(data / "oxigraph")) if read_only else Store(str(data / "oxigraph"))
    except OSError as e:
        raise UsageError(f"cannot open the store at {data}: {e}") from None


def _lock(path: Path) -> int:
    """The store's build lock, as an open descriptor; flock, so a killed build leaves no stale lock behind."""
    try:
        fd = os.open(path / "build.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise UsageError(f"cannot write to the store at {path}: {e.strerror or e}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise UsageError(f"the store at {path} is being written by another kg command (a build or an update); "
                         f"run this one when it ends") from None
    return fd


def _remove_stale(path: Path, active: Path) -> None:
    """Removes the builds that are not active (the one the last build replaced, a killed build's) and half-written files."""
    for p in path.iterdir():
        if _BUILD.fullmatch(p.name) and p != active:
            shutil.rmtree(p, ignore_errors=True)
    if active != path:  # a store that predates CURRENT: its top-level build was replaced
        shutil.rmtree(path / "oxigraph", ignore_errors=True)
        for name in ("manifest.json", "merges.json"):
            (path / name).unlink(missing_ok=True)
    (path / "CURRENT.tmp").unlink(missing_ok=True)
    for p in (path / "extractions").glob("*.tmp"):
        p.unlink(missing_ok=True)


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False), encoding="utf-8")
