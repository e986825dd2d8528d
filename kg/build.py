"""The build: recap files in, named graphs in the store out.

Every input file is read, segmented and extracted on its own (a failure names the
file and the reason, and the other files still build); what each recap says is
cached by content hash; then resolution runs over every recap the store holds and
all graphs are rewritten, so labels stay consistent across recaps.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable, Iterable

from . import __version__, gazetteer
from .decisions import Decisions
from .document import MAX_BYTES_DEFAULT, decode, parse_document, read_bytes
from .errors import InputError, UsageError
from .extract import Extraction, extract
from .rdf import recap_quads
from .resources import ontology_dir
from .resolve import resolve
from .segment import segment
from .store import GraphStore

# Bump when extraction rules change, so cached extractions are not reused.
EXTRACTOR_VERSION = f"{__version__}-3"


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: list[InputError] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def discover(paths: Iterable[Path]) -> list[Path]:
    """The recap files under the given files and folders, sorted; README*, LICENSE* and hidden files are skipped."""
    found: set[Path] = set()
    for path in paths:
        if path.is_file():
            found.add(path)
        elif path.is_dir():
            for p in _walk(path, set()):
                found.add(p)
        else:
            raise UsageError(f"no such file or folder: {path}")
    return sorted(found)


def _walk(folder: Path, seen: set) -> Iterable[Path]:
    try:
        real = folder.resolve()
    except (OSError, RuntimeError):
        return
    if real in seen:
        return  # symlink loop
    seen.add(real)
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for p in entries:
        name = p.name
        if name.startswith(".") or name.upper().startswith(("README", "LICENSE")):
            continue
        if p.is_dir():
            yield from _walk(p, seen)
        elif p.is_file():
            yield p


@cache
def _rules_fingerprint(extra_gazetteers: bytes = b"") -> bytes:
    """The extractor version and the gazetteers it reads (with the store's): editing either re-extracts every recap."""
    digest = hashlib.sha256(EXTRACTOR_VERSION.encode() + extra_gazetteers)
    for folder in ("gazetteer", "lexicons"):
        for path in sorted((ontology_dir() / folder).glob("*")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(_rules_fingerprint(gazetteer.extra_digest()) + b"\0" + data).hexdigest()[:32]


def build(paths: Iterable[Path], gs: GraphStore, *, max_bytes: int = MAX_BYTES_DEFAULT, strict: bool = False,
          progress: Callable[[Path], None] | None = None, decisions: Decisions | None = None) -> BuildReport:
    files = discover(paths)
    gazetteer.use_extra_gazetteers([gs.path / "gazetteer"])  # what `kg gazetteer import-landscape` wrote there
    report = BuildReport()
    manifest = gs.read_manifest()
    recaps: dict = manifest["recaps"]
    for path in files:
        if progress:
            progress(path)
        source = str(path.resolve())
        try:
            data = read_bytes(path, max_bytes)
            digest = content_hash(data)
            cache = gs.extraction_path(digest)
            if cache.exists():
                report.cached.append(str(path))
            else:
                doc = parse_document(decode(data, path), path.name, suffix=path.suffix.lower(), path=path)
                extraction = extract(segment(doc))
                tmp = cache.with_suffix(".tmp")
                tmp.write_text(json.dumps(extraction.to_dict(), ensure_ascii=False, sort_keys=True), encoding="utf-8")
                tmp.replace(cache)
                report.built.append(str(path))
        except Exception as e:  # one recap must never stop the others
            error = e if isinstance(e, InputError) else InputError(path, f"could not be processed ({type(e).__name__}: {e})")
            report.failed.append(error)
            if strict:
                break
            continue
        recaps[source] = {"hash": digest, "file": path.name}
    for source in sorted(recaps):
        if not Path(source).exists():
            report.dropped.append(source)
            del recaps[source]
    extractions = [Extraction.from_dict(json.loads(gs.extraction_path(r["hash"]).read_text(encoding="utf-8")))
                   for _, r in sorted(recaps.items(), key=lambda kv: (kv[1]["file"], kv[0]))]
    resolution = resolve(extractions, decisions)
    graphs = {r.iri: recap_quads(r, resolution) for r in resolution.recaps}
    gs.replace_graphs(graphs)
    gs.write_merges(resolution.merges)
    gs.write_manifest(manifest)
    return report
