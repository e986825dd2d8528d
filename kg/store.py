"""The persistent store: an Oxigraph database on disk plus the build manifest.

Layout of a store folder (default ``.kg/``, or ``$KG_STORE``):

- ``oxigraph/``: the RDF dataset, one named graph per recap;
- ``manifest.json``: the recaps built into it (source path, content hash, graph);
- ``extractions/``: what each recap says, cached by content hash, so a rebuild
  only re-reads what changed;
- ``merges.json``: the spellings entity resolution joined, with the reason (`kg merges`).

A command that only reads never creates a store.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from pyoxigraph import NamedNode, Quad, Store

from .errors import StoreNotFound, UsageError

DEFAULT_STORE = ".kg"


def default_store_path() -> Path:
    return Path(os.environ.get("KG_STORE") or DEFAULT_STORE)


class GraphStore:
    def __init__(self, path: Path, store: Store) -> None:
        self.path = path
        self.store = store

    @classmethod
    def create(cls, path: Path) -> "GraphStore":
        path.mkdir(parents=True, exist_ok=True)
        (path / "extractions").mkdir(exist_ok=True)
        try:
            store = Store(str(path / "oxigraph"))
        except OSError as e:
            raise UsageError(f"cannot open the store at {path}: {e}") from None
        return cls(path, store)

    @classmethod
    def open(cls, path: Path, read_only: bool = True) -> "GraphStore":
        if not (path / "oxigraph").is_dir():
            raise StoreNotFound(f"no store at {path}: run `kg build CORPUS --store {path}` first")
        try:
            store = Store.read_only(str(path / "oxigraph")) if read_only else Store(str(path / "oxigraph"))
        except OSError as e:
            raise UsageError(f"cannot open the store at {path}: {e}") from None
        return cls(path, store)

    def close(self) -> None:
        """Releases the database (pyoxigraph closes it when the last reference goes)."""
        self.store = None

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- manifest -------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def read_manifest(self) -> dict:
        if not self.manifest_path.exists():
            return {"recaps": {}}
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self, manifest: dict) -> None:
        self._write_json(self.manifest_path, manifest)

    def _write_json(self, path: Path, data) -> None:
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    def write_merges(self, merges: list) -> None:
        self._write_json(self.path / "merges.json", [asdict(m) for m in merges])

    def read_merges(self) -> list[dict]:
        path = self.path / "merges.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []

    def extraction_path(self, content_hash: str) -> Path:
        return self.path / "extractions" / f"{content_hash}.json"

    # -- graphs ---------------------------------------------------------
    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())

    def replace_graphs(self, graphs: dict[str, list[Quad]]) -> None:
        """Makes the store hold exactly these named graphs."""
        keep = set(graphs)
        for name in self.graph_names():
            if name not in keep:
                self.store.remove_graph(NamedNode(name))
        for name, quads in sorted(graphs.items()):
            g = NamedNode(name)
            if self.store.contains_named_graph(g):
                self.store.clear_graph(g)
            else:
                self.store.add_graph(g)
            self.store.extend(quads)
        self.store.flush()

    def quads(self) -> list[Quad]:
        return list(self.store.quads_for_pattern(None, None, None, None))
