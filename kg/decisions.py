"""The user's merge and split decisions: a YAML file applied on every build.

    # kg-decisions.yaml
    merge:
      - kind: tool
        name: OpenTelemetry          # the node to keep (its label)
        same_as: [OTel, Open Telemetry]
      - kind: talk
        name: "Kubernetes sans YAML"
        same_as: ["Kubernetes sans YAML : retour d'expérience"]
    split:
      - kind: tool
        names: [Dagger, Dagger.io]   # never merged with each other

Names are compared by matching key (case, accents and punctuation ignored). A merge
wins over every automatic rule; a split forbids any rule, fuzzy or not, to join the
names it lists.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError

KINDS = ("tool", "organization", "person", "event", "talk")
DEFAULT_FILE = "kg-decisions.yaml"


@dataclass(frozen=True)
class MergeDecision:
    kind: str
    name: str
    same_as: tuple[str, ...]


@dataclass(frozen=True)
class SplitDecision:
    kind: str
    names: tuple[str, ...]


@dataclass
class Decisions:
    merges: list[MergeDecision] = field(default_factory=list)
    splits: list[SplitDecision] = field(default_factory=list)
    source: Path | None = None

    def merges_of(self, kind: str) -> list[MergeDecision]:
        return [m for m in self.merges if m.kind == kind]

    def splits_of(self, kind: str) -> list[SplitDecision]:
        return [s for s in self.splits if s.kind == kind]


def default_decisions_path() -> Path | None:
    """$KG_DECISIONS, else kg-decisions.yaml in the current folder when it exists."""
    if os.environ.get("KG_DECISIONS"):
        return Path(os.environ["KG_DECISIONS"])
    path = Path(DEFAULT_FILE)
    return path if path.is_file() else None


def load_decisions(path: Path | None) -> Decisions:
    if path is None:
        return Decisions()
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as e:
        raise UsageError(f"{path}: cannot read the decisions file ({e.strerror or e})") from None
    except yaml.YAMLError as e:
        raise UsageError(f"{path}: is not valid YAML ({_first_line(e)})") from None
    if not isinstance(data, dict) or set(data) - {"merge", "split"}:
        raise UsageError(f"{path}: expects a mapping with `merge` and/or `split` lists")
    decisions = Decisions(source=path)
    for i, item in enumerate(data.get("merge") or [], 1):
        kind = _kind(path, item, f"merge #{i}")
        name, same_as = item.get("name"), item.get("same_as")
        if not isinstance(name, str) or not _names(same_as):
            raise UsageError(f"{path}: merge #{i} needs `name` (text) and `same_as` (a list of names)")
        decisions.merges.append(MergeDecision(kind, name, tuple(same_as)))
    for i, item in enumerate(data.get("split") or [], 1):
        kind = _kind(path, item, f"split #{i}")
        names = item.get("names")
        if not _names(names) or len(names) < 2:
            raise UsageError(f"{path}: split #{i} needs `names`, a list of at least two names")
        decisions.splits.append(SplitDecision(kind, tuple(names)))
    return decisions


def _kind(path: Path, item, where: str) -> str:
    if not isinstance(item, dict) or item.get("kind") not in KINDS:
        raise UsageError(f"{path}: {where} needs `kind`, one of {', '.join(KINDS)}")
    return item["kind"]


def _names(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
