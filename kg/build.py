"""The build: recap files in, named graphs in the store out.

Every input file is read, segmented and extracted on its own (a failure names the
file and the reason, and the other files still build); what each recap says is
cached by content hash; then resolution runs over every recap the store holds and
all graphs are rewritten (the knowledge graph and the recap graphs, see kg/rdf.py),
so labels stay consistent across recaps. The rewritten graphs become the store's
new build in one step (see kg/store.py).
"""
from __future__ import annotations

import copy
import hashlib
import json
import multiprocessing
import os
import signal
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable

from . import __version__, gazetteer
from .decisions import Decisions
from .document import MAX_BYTES_DEFAULT, decode, parse_document, read_bytes
from .errors import InputError, UsageError
from .extract import Extraction, extract
from .nlp import pipeline
from .rdf import merged_quads, recap_quads
from .resources import ontology_dir
from .resolve import resolve
from .segment import segment
from .store import GraphStore

# Bump when extraction rules change, so cached extractions are not reused.
EXTRACTOR_VERSION = f"{__version__}-6"


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: list[InputError] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unchanged: bool = False  # nothing changed since the last build: the store was left as it was

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
          progress: Callable[[Path], None] | None = None, decisions: Decisions | None = None,
          jobs: int | None = None) -> BuildReport:
    """Builds the recaps under paths into the store, all at once: the store switches to the new build when it
    is complete. With strict, the first failure stops the build and the store is left as it was.

    progress(path) is called as each file is done. jobs: processes that extract recaps (default: one per
    core); when nothing changed (same files, same decisions, same kg) the store is left as it is.
    """
    report = BuildReport()
    files = discover(paths, report.failed)
    if strict:
        del report.failed[1:]  # listing the folders may find several problems at once: report the first
    gazetteer.use_extra_gazetteers([gs.path / "gazetteer"])  # what `kg gazetteer import-landscape` wrote there
    with gs.writing():
        previous = gs.read_manifest()
        manifest = copy.deepcopy(previous)
        recaps: dict = manifest["recaps"]
        for path, digest in _extract_all(files, gs, max_bytes, strict, jobs, report, progress):
            recaps[str(path.resolve())] = {"hash": digest, "file": path.name}
        pipeline.cache_clear()  # the model's memory goes back before resolution needs its own
        if strict and report.failed:
            return report  # the store is left as it was
        for source in sorted(recaps):
            if not Path(source).exists():
                report.dropped.append(source)
                del recaps[source]
        manifest["inputs"] = _inputs_fingerprint(decisions)
        if manifest == previous:
            report.unchanged = True  # the active build already holds this graph
            return report
        names = unique_names(list(recaps))
        extractions = []
        for source, r in sorted(recaps.items(), key=lambda kv: (kv[1]["file"], kv[0])):
            extraction = Extraction.from_dict(json.loads(gs.extraction_path(r["hash"]).read_text(encoding="utf-8")))
            extraction.source_file = names[source]  # the cache is by content: the same text may sit in two files
            extractions.append(extraction)
        resolution = resolve(extractions, decisions)
        del extractions  # what resolution keeps of them stays referenced from it
        recap_graphs = (q for r in sorted(resolution.recaps, key=lambda r: r.iri) for q in recap_quads(r, resolution))
        gs.commit(chain(merged_quads(resolution), recap_graphs), manifest, resolution.merges)
    return report


def unique_names(paths: list[str]) -> dict[str, str]:
    """Each path's file name, with as many parent folders as it takes to tell it from the other paths
    ("a/recap.md" and "b/recap.md"): the name a recap is known by, and its IRI."""
    parts = {p: Path(p).parts for p in paths}
    depth = dict.fromkeys(paths, 1)
    while True:
        names = {p: "/".join(parts[p][-depth[p]:]) for p in paths}
        taken = Counter(names.values())
        clashing = [p for p in paths if taken[names[p]] > 1 and depth[p] < len(parts[p])]
        if not clashing:
            return names
        for p in clashing:
            depth[p] += 1


def _inputs_fingerprint(decisions: Decisions | None) -> str:
    """What a build's graph depends on besides the recaps the manifest lists: the decisions, the kg code."""
    digest = hashlib.sha256(_code_fingerprint())
    digest.update(repr(decisions).encode())
    return digest.hexdigest()[:32]


@cache
def _code_fingerprint() -> bytes:
    """The source of the kg package: a new kg rebuilds the graph of an unchanged corpus."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.digest()


def _extract_all(files: list[Path], gs: GraphStore, max_bytes: int, strict: bool, jobs: int | None,
                 report: BuildReport, progress: Callable[[Path], None] | None) -> Iterable[tuple[Path, str]]:
    """(path, content hash) of each file that could be read, extracting those not cached yet.

    Extraction runs in a pool of processes forked once the model is loaded (they share
    its memory), unless there is a single recap to extract or a single job.
    """
    pending: list[tuple[Path, bytes, Path]] = []
    for path in files:
        if strict and report.failed:
            return
        try:
            data = read_bytes(path, max_bytes)
        except InputError as e:
            report.failed.append(e)
            continue
        digest = content_hash(data)
        cached = gs.extraction_path(digest)
        if cached.exists():
            report.cached.append(str(path))
            if progress:
                progress(path)
            yield path, digest
        else:
            pending.append((path, data, cached))
    jobs = min(jobs or len(os.sched_getaffinity(0)), len(pending))
    if jobs > 1:
        pipeline()  # before the fork, so every worker shares the loaded model
        pool = multiprocessing.get_context("fork").Pool(jobs, _worker_started, (gs.lock_fd,))
        outcomes = pool.imap(_extract_to_cache, pending)
    else:
        pool = None
        outcomes = map(_extract_to_cache, pending)
    try:
        for (path, _, cached), failure in zip(pending, outcomes):
            if progress:
                progress(path)
            if failure:
                report.failed.append(InputError(path, failure))
                if strict:
                    return
                continue
            report.built.append(str(path))
            yield path, cached.stem
    finally:
        if pool:
            pool.terminate()


def _worker_started(lock_fd: int) -> None:
    os.close(lock_fd)  # the build's lock is the parent's: a killed build must not leave it held by a worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which stops the workers


def _extract_to_cache(job: tuple[Path, bytes, Path]) -> str | None:
    """Extracts one recap into its cache file; returns why it failed, or None."""
    path, data, cached = job
    try:
        doc = parse_document(decode(data, path), path.name, suffix=path.suffix.lower(), path=path)
        extraction = extract(segment(doc))
    except InputError as e:
        return e.reason
    except Exception as e:  # one recap must never stop the others
        return f"could not be processed ({type(e).__name__}: {e})"
    tmp = cached.with_name(f"{cached.stem}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(extraction.to_dict(), ensure_ascii=False, sort_keys=True), encoding="utf-8")
    tmp.replace(cached)  # whole or absent: a killed build never leaves half an entry
    return None
