"""Shared fixtures: the bundled corpus built once per test session."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = Path(__file__).resolve().parent / "gold-dev"
SCORER = ROOT.parent / "shared" / "eval" / "score.py"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def built_store(tmp_path_factory):
    """A store holding the five bundled recaps."""
    from kg.build import build
    from kg.store import GraphStore

    path = tmp_path_factory.mktemp("store") / ".kg"
    gs = GraphStore.create(path)
    report = build([CORPUS], gs)
    assert report.ok, report.failed
    gs.close()  # tests also open this store through the CLI: no read-write handle may stay open beside them
    return GraphStore.open(path)


@pytest.fixture(scope="session")
def turtle_export(built_store, tmp_path_factory) -> Path:
    from kg.export import export_bytes

    out = tmp_path_factory.mktemp("export") / "graph.ttl"
    out.write_bytes(export_bytes(built_store, "turtle"))
    return out


@pytest.fixture(scope="session")
def gold() -> list[dict]:
    import yaml

    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.yaml"))]
