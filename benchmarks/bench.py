"""Measures confkg's speed and memory and prints the figures (not a test: nothing here fails on a number).

Usage:
    python benchmarks/bench.py                 # throughput, rebuilds, start-up, growth at 100 and 1,000, queries
    python benchmarks/bench.py --sizes 10000 --only growth,queries   # the long run, in the background
    python benchmarks/bench.py --smoke         # every section on a few recaps: what CI runs

Where a baseline exists the figure is a ratio against it, measured in the same run on the
same machine:
- throughput: ``kg build`` against a bare ``nlp.pipe`` of the same spaCy model with all its
  components over the same texts (both load their model; words are whitespace-separated);
- rebuilds: nothing changed, one recap changed, one recap removed, against the full build;
- start-up: ``kg --help``, ``kg query``, ``kg report`` against ``python -c pass`` and
  ``import rdflib``, and whether spaCy or rdflib was imported;
- queries: recurring tools and co-mentions on the store against the same query on rdflib's
  in-memory graph holding the same knowledge graph.
Growth builds generated corpora (benchmarks/generate.py) in a separate process, sampling
the proportional memory (PSS) of the process and its workers.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from kg.build import build  # noqa: E402
from kg.extract import Extraction  # noqa: E402
from kg.nlp import pipeline  # noqa: E402
from kg.resolve import resolve  # noqa: E402
from kg.resources import queries_dir  # noqa: E402
from kg.sparql import bind_params, find_saved_query, run_query  # noqa: E402
from kg.store import GraphStore  # noqa: E402

SECTIONS = ("throughput", "rebuilds", "startup", "growth", "queries")
KG = [sys.executable, "-m", "kg"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="Every section on a few recaps (CI).")
    parser.add_argument("--recaps", type=int, default=200, help="Corpus size for throughput and rebuilds.")
    parser.add_argument("--sizes", default="100,1000", help="Corpus sizes for growth (comma-separated).")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"Sections to run, among {', '.join(SECTIONS)}.")
    parser.add_argument("--work", type=Path, default=None, help="Folder for corpora and stores (default: a temporary one).")
    args = parser.parse_args(argv)
    only = args.only.split(",")
    if unknown := set(only) - set(SECTIONS):
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    sizes = [int(s) for s in args.sizes.split(",")]
    recaps = args.recaps
    if args.smoke:
        recaps, sizes = 8, [8, 16]

    work = Path(tempfile.mkdtemp(prefix="kg-bench-")) if args.work is None else args.work
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(machine())
        corpus = corpus_of(work, recaps)
        if "throughput" in only or "rebuilds" in only:
            full = throughput(corpus, work / "throughput")
            if "rebuilds" in only:
                rebuilds(corpus, work / "throughput", full)
        if "startup" in only:
            startup(corpus, work / "throughput")
        largest = None
        if "growth" in only:
            for n in sizes:
                largest = growth(corpus_of(work, n), work / f"store-{n}")
        if "queries" in only:
            queries(largest or (work / f"store-{sizes[-1]}"))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


# ---------------------------------------------------------------- sections


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) / 2**20
    return (f"# Machine: {cpu}, {len(os.sched_getaffinity(0))} cores, {memory:.0f} GiB; "
            f"Python {platform.python_version()}; spaCy model {model_name()}; {time.strftime('%Y-%m-%d')}")


def throughput(corpus: Path, work: Path) -> float:
    """kg build against a bare nlp.pipe with all components; returns the full build's seconds."""
    import spacy

    files = sorted(corpus.iterdir())
    texts = [p.read_text(encoding="utf-8") for p in files]
    words = sum(len(t.split()) for t in texts)

    start = time.perf_counter()
    nlp = spacy.load(model_name())
    for _ in nlp.pipe(texts):
        pass
    bare = time.perf_counter() - start
    del nlp

    section(f"Build throughput: {len(files)} recaps, {words:,} words")
    rows = [(f"bare nlp.pipe, all {len(spacy.load(model_name()).pipe_names)} components", bare, words / bare, 1.0)]
    full = 0.0
    for jobs in (1, None):
        shutil.rmtree(work, ignore_errors=True)
        pipeline.cache_clear()  # each build loads its model, as the baseline did
        seconds = timed(lambda: build([corpus], GraphStore.create(work), jobs=jobs))
        rows.append((f"kg build --jobs {jobs or len(os.sched_getaffinity(0))}", seconds, words / seconds,
                     bare / seconds))
        full = seconds
    table(("", "seconds", "words/s", "× bare"), rows, "{:<60} {:>8.2f} {:>10,.0f} {:>7.1f}")
    return full


def rebuilds(corpus: Path, store: Path, full: float) -> None:
    section("Rebuilds, against the full build above (model load included in both)")
    rows = []

    import spacy

    load = spacy.load
    loads = []

    def counted_load(*args, **kwargs):
        loads.append(args)
        return load(*args, **kwargs)

    def rebuild(label: str) -> None:
        pipeline.cache_clear()
        loads.clear()
        holder = {}
        seconds = timed(lambda: holder.update(report=build([corpus], GraphStore.create(store))))
        report = holder["report"]
        rows.append((label, seconds, seconds / full, len(report.built), len(report.dropped),
                     "yes" if loads else "no"))

    spacy.load = counted_load

    rebuild("nothing changed")
    changed = sorted(corpus.iterdir())[0]
    original = changed.read_bytes()
    changed.write_bytes(original + "\n\nUn paragraphe ajouté après coup, sur Kubernetes.\n".encode())
    rebuild("one recap changed")
    changed.write_bytes(original)
    removed = sorted(corpus.iterdir())[-1]
    kept = removed.read_bytes()
    removed.unlink()
    rebuild("one recap removed")
    removed.write_bytes(kept)
    rebuild("the removed recap back (extraction cached)")
    spacy.load = load
    table(("", "seconds", "× full", "extracted", "dropped", "model loaded"), rows,
          "{:<45} {:>8.2f} {:>7.1%} {:>9} {:>7} {:>12}")
    cli = median_seconds([*KG, "build", str(corpus), "--store", str(store), "-q"])
    print(f"`kg build` with nothing changed, whole command: {cli:.2f} s ({cli / full:.1%} of the full build)")


def startup(corpus: Path, store: Path) -> None:
    section("Start-up (median of 5 runs of the whole command)")
    baseline = median_seconds([sys.executable, "-c", "pass"])
    rdflib = median_seconds([sys.executable, "-c", "import rdflib"])
    rows = [("python -c pass", baseline, "", ""), ("python -c 'import rdflib'", rdflib, "", "")]
    for args in (["--help"], ["query", "recurring-tools", "--store", str(store)],
                 ["report", "recurring-tools", "--store", str(store)],
                 ["export", "--format", "turtle", "--store", str(store)]):
        modules = imported_modules([*KG, *args])
        rows.append(("kg " + " ".join(a for a in args if a != str(store)).replace("--store", ""),
                     median_seconds([*KG, *args]), "yes" if "spacy" in modules else "no",
                     "yes" if "rdflib" in modules else "no"))
    table(("", "seconds", "spaCy", "rdflib"), rows, "{:<40} {:>8.3f} {:>6} {:>6}")


def growth(corpus: Path, store: Path) -> Path:
    n = len(list(corpus.iterdir()))
    shutil.rmtree(store, ignore_errors=True)
    seconds, peak = peak_memory([*KG, "build", str(corpus), "--store", str(store), "-q"])
    with GraphStore.open(store) as gs:
        triples = run_query(gs.store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0]
        merged = run_query(gs.store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
        extractions = [Extraction.from_dict(json.loads(gs.extraction_path(r["hash"]).read_text(encoding="utf-8")))
                       for r in gs.read_manifest()["recaps"].values()]
    resolution_seconds = timed(lambda: resolve(extractions))
    section(f"Growth: {n:,} recaps")
    table(("", "value"), [
        ("cold build, whole command", f"{seconds:.1f} s"),
        ("per recap", f"{seconds / n * 1000:.0f} ms"),
        ("peak memory (PSS, with workers)", f"{peak:,.0f} MB"),
        ("entity resolution alone", f"{resolution_seconds:.2f} s ({resolution_seconds / n * 1000:.1f} ms per recap)"),
        ("quads in recap graphs / in the knowledge graph", f"{triples:,} / {merged:,}"),
    ], "{:<50} {:>32}")
    return store


def queries(store: Path) -> None:
    import rdflib

    with GraphStore.open(store) as gs:
        quads = len(gs.store)
        triples = [(q.subject, q.predicate, q.object)
                   for q in gs.store.quads_for_pattern(None, None, None, ox.DefaultGraph())]
        graph = rdflib.Graph()
        for s, p, o in triples:
            graph.add((_to_rdflib(s), _to_rdflib(p), _to_rdflib(o)))
        section(f"Queries on a store of {quads:,} quads ({len(triples):,} in the knowledge graph); median of 5")
        rows = []
        for name in ("recurring-tools", "co-mentions"):
            saved = find_saved_query(name, [queries_dir()])
            substitutions = bind_params(saved, {})
            count = len(run_query(gs.store, saved.text, substitutions).rows)
            ours = statistics.median(timed(lambda: run_query(gs.store, saved.text, substitutions)) for _ in range(5))
            bindings = {v.value: rdflib.Literal(int(t.value)) for v, t in substitutions.items()}
            theirs = statistics.median(timed(lambda: list(graph.query(saved.text, initBindings=bindings)))
                                       for _ in range(2))
            rows.append((name, count, ours, theirs, theirs / ours))
    table(("", "rows", "kg s", "rdflib s", "× faster"), rows, "{:<20} {:>7,} {:>8.3f} {:>9.3f} {:>9.0f}")


# ---------------------------------------------------------------- helpers


def corpus_of(work: Path, n: int) -> Path:
    corpus = work / f"corpus-{n}"
    if not corpus.is_dir():
        generate(n, corpus, seed=0)
    return corpus


def model_name() -> str:
    return pipeline().meta["lang"] + "_" + pipeline().meta["name"]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_seconds(command: list[str], runs: int = 5) -> float:
    def run():
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return statistics.median(timed(run) for _ in range(runs))


def imported_modules(command: list[str]) -> set[str]:
    """Top-level modules a command imports (python -X importtime)."""
    done = subprocess.run([command[0], "-X", "importtime", *command[1:]], capture_output=True, text=True)
    return {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines()
            if line.startswith("import time:")}


def peak_memory(command: list[str]) -> tuple[float, float]:
    """Seconds and peak PSS (MB) of a command and all its descendants, sampled every 50 ms."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0.0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(_pss_kb(p) for p in _tree(process.pid)) / 1024)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = process.wait()
    done.set()
    sampler.join()
    if code:
        raise SystemExit(f"{' '.join(command)} exited with {code}")
    return time.perf_counter() - start, peak


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for p in pids:
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return pids


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _to_rdflib(term):
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    return rdflib.Literal(term.value, lang=term.language,
                          datatype=None if term.language else rdflib.URIRef(term.datatype.value))


def section(title: str) -> None:
    print(f"\n## {title}\n")


def table(header: tuple, rows: list[tuple], row_format: str) -> None:
    """Rows in row_format; the header in the same widths, without the number formats."""
    print(re.sub(r"(\{:[<>^]?\d*)[^}]*\}", r"\1}", row_format).format(*header))
    for row in rows:
        print(row_format.format(*row))


if __name__ == "__main__":
    sys.exit(main())
