"""The build: recap files in, named graphs in the store out.

Every input file is read, segmented and extracted on its own (a failure names the
file and the reason, and the other files still build); what each recap says is
cached by content hash; then resolution runs over every recap the store holds and
all graphs are rewritten, so labels stay consistent across recaps. The rewritten
graphs become the store's new build in one step (see kg/store.py).
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


def discover(paths: Iterable[Path], problems: list[InputError] | None = None) -> list[Path]:
    """The recap files under the given files and folders, sorted; README*, LICENSE* and hidden files are skipped.

    Symbolic links that loop or lead nowhere and folders that cannot be listed are
    skipped, each with an InputError added to problems.
    """
    found: set[Path] = set()
    problems = [] if problems is None else problems
    for path in paths:
        if path.is_file():
            found.add(path)
        elif path.is_dir():
            found.update(_walk(path, set(), [], problems))
        elif path.is_symlink():
            problems.append(_bad_link(path))
        else:
            raise UsageError(f"no such file or folder: {path}")
    return sorted(found)


def _walk(folder: Path, seen: set[Path], ancestors: list[Path], problems: list[InputError]) -> Iterable[Path]:
    real = folder.resolve()
    if real in seen:  # reached again through a link: a loop if it contains the link, else already read
        if real in ancestors:
            problems.append(InputError(folder, "symbolic link loop (a link to a folder that contains it), not followed"))
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir())
    except OSError as e:
        problems.append(InputError(folder, f"cannot list folder: {e.strerror or e}"))
        return
    for p in entries:
        name = p.name
        if name.startswith(".") or name.upper().startswith(("README", "LICENSE")):
            continue
        if p.is_dir():
            yield from _walk(p, seen, [*ancestors, real], problems)
        elif p.is_file():
            yield p
        elif p.is_symlink():
            problems.append(_bad_link(p))


def _bad_link(path: Path) -> InputError:
    try:
        path.stat()
        reason = "not a file or folder"
    except OSError as e:
        reason = e.strerror or str(e)  # "Too many levels of symbolic links", "No such file or directory"
    return InputError(path, f"symbolic link not followed: {reason}")


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
    """Builds the recaps under paths into the store, all at once: the store switches to the new build when it
    is complete. With strict, the first failure stops the build and the store is left as it was."""
    report = BuildReport()
    files = discover(paths, report.failed)
    if strict:
        del report.failed[1:]  # listing the folders may find several problems at once: report the first
    gazetteer.use_extra_gazetteers([gs.path / "gazetteer"])  # what `kg gazetteer import-landscape` wrote there
    with gs.writing():
        manifest = gs.read_manifest()
        recaps: dict = manifest["recaps"]
        for path in files:
            if strict and report.failed:
                break
            if progress:
                progress(path)
            try:
                digest = _extract_cached(path, gs, max_bytes, report)
            except Exception as e:  # one recap must never stop the others
                report.failed.append(e if isinstance(e, InputError) else
                                     InputError(path, f"could not be processed ({type(e).__name__}: {e})"))
                continue
            recaps[str(path.resolve())] = {"hash": digest, "file": path.name}
        if strict and report.failed:
            return report  # the store is left as it was
        for source in sorted(recaps):
            if not Path(source).exists():
                report.dropped.append(source)
                del recaps[source]
        extractions = [Extraction.from_dict(json.loads(gs.extraction_path(r["hash"]).read_text(encoding="utf-8")))
                       for _, r in sorted(recaps.items(), key=lambda kv: (kv[1]["file"], kv[0]))]
        resolution = resolve(extractions, decisions)
        gs.commit({r.iri: recap_quads(r, resolution) for r in resolution.recaps}, manifest, resolution.merges)
    return report


def _extract_cached(path: Path, gs: GraphStore, max_bytes: int, report: BuildReport) -> str:
    """Extracts one recap unless its extraction is cached; returns its content hash."""
    data = read_bytes(path, max_bytes)
    digest = content_hash(data)
    cached = gs.extraction_path(digest)
    if cached.exists():
        report.cached.append(str(path))
        return digest
    doc = parse_document(decode(data, path), path.name, suffix=path.suffix.lower(), path=path)
    extraction = extract(segment(doc))
    tmp = cached.with_suffix(".tmp")
    tmp.write_text(json.dumps(extraction.to_dict(), ensure_ascii=False, sort_keys=True), encoding="utf-8")
    tmp.replace(cached)  # whole or absent: a killed build never leaves half an entry
    report.built.append(str(path))
    return digest
