"""When things go wrong: bad input files, killed and concurrent builds, read-only queries.

Every bad input is made here (no stored binaries). Each gets one message naming the
file and the reason, no traceback; the good files are still built; the exit code is 1.
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.build as build_module
from kg.build import build, discover
from kg.cli import cli
from kg.document import parse_document
from kg.segment import segment
from kg.store import GraphStore

from conftest import CORPUS

TALKS = "SELECT ?file ?talk WHERE { ?t a kg:Talk ; rdfs:label ?talk ; kg:describedIn ?r . ?r kg:sourceFile ?file }"


def recap(title: str) -> str:
    return f"# {title}\n\nPrésenté par Benoît Durand, développeur chez Deezer. Il nous présente Falco.\n"


def kg(*args, runner=None):
    return (runner or CliRunner()).invoke(cli, [str(a) for a in args])


def talks(store) -> set[tuple[str, str]]:
    out = kg("query", "-e", TALKS, "--format", "tsv", "--store", store).output
    return {tuple(line.split("\t")) for line in out.splitlines()[1:]}


def errors(output: str) -> dict[str, str]:
    """File name -> reason, from the build's `Error: PATH: REASON` lines."""
    found = {}
    for line in output.splitlines():
        if line.startswith("Error: "):
            path, reason = line[len("Error: "):].split(": ", 1)
            assert Path(path).name not in found, f"two messages for {path}"
            found[Path(path).name] = reason
    return found


# ---------------------------------------------------------------- bad inputs

@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("bad") / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(recap("Un talk en UTF-8"), encoding="utf-8")
    (corpus / "latin1.md").write_bytes(recap("Sécurité en latin-1").encode("latin-1"))
    (corpus / "utf16-bom.md").write_bytes(recap("Sécurité en UTF-16").encode("utf-16"))
    (corpus / "utf16-le.md").write_bytes(recap("Sécurité en UTF-16 sans BOM").encode("utf-16-le"))
    (corpus / "bom.md").write_bytes(("---\ntitle: Avec BOM\n---\n" + recap("Un talk après un BOM")).encode("utf-8-sig"))
    (corpus / "nested.html").write_text(
        "<html><body><article>" + "<div>" * 10_000 + "<h2>Un talk imbriqué</h2><p>Alice Martin nous présente Kubernetes.</p>"
        + "</div>" * 10_000 + "</article></body></html>", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.dat").write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(2000))
    (corpus / "broken-yaml.md").write_text("---\ntitle: [pas fermé\n---\n" + recap("X"), encoding="utf-8")
    (corpus / "broken-toml.md").write_text('+++\ntitle = "pas fermé\n+++\n' + recap("X"), encoding="utf-8")
    (corpus / "front-only.md").write_text("---\ntitle: Rien après\n---\n", encoding="utf-8")
    with open(corpus / "huge.txt", "wb") as f:
        f.truncate(20_000_000)  # sparse: the size is checked before anything is read
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    (corpus / "self.txt").symlink_to(corpus / "self.txt")
    return corpus


@pytest.fixture(scope="module")
def bad_build(bad_corpus, tmp_path_factory):
    store = tmp_path_factory.mktemp("bad-store") / "s"
    return store, kg("build", bad_corpus, "--store", store)


@pytest.mark.parametrize("name, reason", [
    ("empty.txt", "empty file"),
    ("binary.dat", "binary file, not text"),
    ("broken-yaml.md", "broken YAML front matter: expected ',' or ']', but got '<stream end>' (line 2 of the file)"),
    ("broken-toml.md", "broken TOML front matter: Unterminated string (at end of document)"),
    ("front-only.md", "no text after the front matter"),
    ("huge.txt", "file is 20,000,000 bytes, over the 5,000,000-byte limit (raise it with --max-size)"),
    ("loop", "symbolic link loop (a link to a folder that contains it), not followed"),
    ("self.txt", "symbolic link not followed: Too many levels of symbolic links"),
])
def test_each_bad_file_gets_one_message(bad_build, name, reason):
    _, result = bad_build
    assert errors(result.output)[name] == reason


def test_bad_files_exit_1_without_traceback_and_good_files_are_built(bad_build):
    store, result = bad_build
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert len(errors(result.output)) == 8
    assert talks(store) == {
        ("good.md", "Un talk en UTF-8"), ("latin1.md", "Sécurité en latin-1"),
        ("utf16-bom.md", "Sécurité en UTF-16"), ("utf16-le.md", "Sécurité en UTF-16 sans BOM"),
        ("bom.md", "Un talk après un BOM"), ("nested.html", "Un talk imbriqué"),
    }


def test_strict_stops_at_the_first_problem_and_keeps_the_store(bad_corpus, tmp_path):
    store = tmp_path / "s"
    good = tmp_path / "good.md"
    good.write_text(recap("Déjà là"), encoding="utf-8")
    assert kg("build", good, "--store", store).exit_code == 0
    result = kg("build", bad_corpus, "--strict", "--store", store)
    assert result.exit_code == 1
    assert list(errors(result.output)) == ["loop"]  # found while listing the folder, before any file is read
    assert talks(store) == {("good.md", "Déjà là")}


def test_size_limit_can_be_raised(tmp_path):
    path = tmp_path / "recap.md"
    path.write_text(recap("Un talk de taille moyenne") + "Du texte. " * 300, encoding="utf-8")
    low = kg("build", path, "--max-size", 1000, "--store", tmp_path / "s")
    size = path.stat().st_size
    assert errors(low.output) == {"recap.md": f"file is {size:,} bytes, over the 1,000-byte limit (raise it with --max-size)"}
    assert kg("build", path, "--max-size", 4000, "--store", tmp_path / "s").exit_code == 0
    assert kg("build", path, "--max-size", 0, "--store", tmp_path / "s").exit_code == 2


def test_a_file_that_vanishes_during_the_build(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.md", "b.md"):
        (corpus / name).write_text(recap(f"Talk {name}"), encoding="utf-8")

    def listed_then_b_vanishes(paths, problems):
        files = discover(paths, problems)
        (corpus / "b.md").unlink()
        return files

    monkeypatch.setattr(build_module, "discover", listed_then_b_vanishes)
    report = build([corpus], GraphStore.create(tmp_path / "s"))
    assert [str(e) for e in report.failed] == [f"{corpus / 'b.md'}: file vanished before it could be read"]
    assert [Path(p).name for p in report.built] == ["a.md"]


def test_malformed_html_declaration_is_an_input_error(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body><![foo[bar]]><p>Texte</p></body></html>", encoding="utf-8")
    result = kg("build", path, "--store", tmp_path / "s")
    assert result.exit_code == 1
    assert errors(result.output) == {"page.html": "broken HTML: unknown status keyword 'foo' in marked section"}


@pytest.mark.parametrize("text", [
    "<html><body><article>" + "<div>" * 10_000 + "<p>x</p>" + "</div>" * 10_000 + "</article></body></html>",
    "<html><body><article>" + "<p>x" * 100_000 + "</article></body></html>",  # unclosed paragraphs
    "# T\n\n" + "[" * 100_000 + "x" + "](" * 50_000,  # unclosed links
    "# T\n\n" + "[http://x.y/a](http://x.y/a) " * 20_000,
    "# T\n\n" + "".join("  " * i + "- x\n" for i in range(2_000)),  # deeply nested lists
])
def test_pathological_markup_is_read_in_bounded_time(text):
    start = time.monotonic()
    segment(parse_document(text, "x"))
    assert time.monotonic() - start < 10


@pytest.mark.slow
def test_a_one_megabyte_line_builds_in_bounded_time(tmp_path):
    words = "le la Kubernetes Docker Alice Martin présente chez Deezer un outil pour de et nous avons vu".split()
    rng = random.Random(1)
    path = tmp_path / "line.txt"
    path.write_text(" ".join(rng.choice(words) for _ in range(200_000))[:1_000_000], encoding="utf-8")
    start = time.monotonic()
    result = kg("build", path, "--store", tmp_path / "s")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - start < 60


# ---------------------------------------------------------------- store: kills, locks, old layout

def test_a_second_build_on_a_store_being_built_fails_clearly(tmp_path):
    store = tmp_path / "s"
    good = tmp_path / "good.md"
    good.write_text(recap("Un talk"), encoding="utf-8")
    with GraphStore.create(store).writing():  # a build in progress holds the lock
        result = kg("build", good, "--store", store)
    assert result.exit_code == 2
    assert f"the store at {store} is being written by another kg command" in result.output
    assert kg("build", good, "--store", store).exit_code == 0  # the lock went with the build


def test_a_store_without_current_is_read_then_replaced(built_store, tmp_path):
    """Stores written before builds were switched atomically hold oxigraph/ and manifest.json at the top."""
    old = tmp_path / "old"
    old.mkdir()
    shutil.copytree(built_store.data / "oxigraph", old / "oxigraph")
    for name in ("manifest.json", "merges.json"):
        shutil.copy(built_store.data / name, old / name)
    shutil.copytree(built_store.path / "extractions", old / "extractions")
    expected = kg("export", "--format", "nquads", "--store", built_store.path).output
    assert kg("export", "--format", "nquads", "--store", old).output == expected
    assert "0 extracted, 5 unchanged" in kg("build", CORPUS, "--store", old).output
    assert kg("build", CORPUS, "--store", old, "-q").exit_code == 0  # nothing changed: the store stays as it is
    assert sorted(p.name for p in old.iterdir()) == ["CURRENT", "build-1", "build.lock", "extractions"]
    assert kg("export", "--format", "nquads", "--store", old).output == expected


def _kg_process(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg", *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _snapshot(store: Path) -> tuple[bytes, bytes]:
    """What a reader sees: the export and the merges (read from the build's own merges.json)."""
    export = subprocess.run([sys.executable, "-m", "kg", "export", "--format", "nquads", "--store", str(store)],
                            capture_output=True, check=True).stdout
    merges = subprocess.run([sys.executable, "-m", "kg", "merges", "--format", "json", "--store", str(store)],
                            capture_output=True, check=True).stdout
    return export, merges


@pytest.mark.slow
def test_sigkill_at_any_point_leaves_the_previous_store_or_the_new_one(tmp_path):
    subset = tmp_path / "subset"
    subset.mkdir()
    for p in sorted(CORPUS.glob("00[01]_*")):
        shutil.copy(p, subset / p.name)
    before, after = tmp_path / "before", tmp_path / "after"
    assert kg("build", subset, "--store", before, "-q").exit_code == 0
    shutil.copytree(before, after)  # the subset's recaps stay: they were built from another folder
    assert kg("build", CORPUS, "--store", after, "-q").exit_code == 0
    old, new = _snapshot(before), _snapshot(after)
    assert old != new

    store = tmp_path / "store"
    outcomes = []
    # kills spread over start-up, extraction and resolution, then over the commit, which starts when
    # the new build folder appears and takes some 60 ms here
    for delay in (0.5, 1, 2, 3, "commit+0", "commit+0.01", "commit+0.03", "commit+0.05", "commit+0.1", "commit+0.2"):
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(before, store)
        builds = set(store.glob("build-*"))
        build_process = _kg_process("build", CORPUS, "--store", store, "-q")
        if isinstance(delay, str):
            deadline = time.monotonic() + 120
            while set(store.glob("build-*")) <= builds and build_process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)
            time.sleep(float(delay.partition("+")[2]))
        else:
            time.sleep(delay)
        build_process.send_signal(signal.SIGKILL)
        build_process.wait()
        seen = _snapshot(store)
        assert seen in (old, new), f"mixed store after a kill at {delay}"
        outcomes.append("new" if seen == new else "old")
        # the next build cleans up what the killed one left, and completes
        assert kg("build", CORPUS, "--store", store, "-q").exit_code == 0
        assert _snapshot(store) == new
        # the active build and the one it replaced; none replaced when the killed build had switched already
        assert len(list(store.glob("build-*"))) == (1 if seen == new else 2)
    assert "old" in outcomes  # the kills did land before the switch


# ---------------------------------------------------------------- read-only queries

INJECTIONS = ['Kubernetes" } ; DROP ALL ; #', "Kubernetes' } } ; CLEAR ALL ; #", 'x")) } } DELETE WHERE { ?s ?p ?o } #']


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_through_param_is_a_literal_value(built_store, value):
    store = built_store.path
    before = kg("export", "--format", "nquads", "--store", store).output
    result = kg("query", "talks-mentioning", "--param", f"tool={value}", "--format", "csv", "--store", store)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["talk,event,speakers"]
    assert kg("export", "--format", "nquads", "--store", store).output == before


def test_query_refuses_updates_by_default(built_store):
    store = built_store.path
    before = kg("export", "--format", "nquads", "--store", store).output
    result = kg("query", "-e", "DROP ALL", "--store", store)
    assert result.exit_code == 2 and "refused unless updates are explicitly allowed" in result.output
    assert kg("export", "--format", "nquads", "--store", store).output == before


def test_query_allow_update_changes_the_store(tmp_path):
    good = tmp_path / "good.md"
    good.write_text(recap("Un talk"), encoding="utf-8")
    assert kg("build", good, "--store", tmp_path / "s").exit_code == 0
    result = kg("query", "--allow-update", "-e", "DROP ALL", "--store", tmp_path / "s")
    assert result.exit_code == 0, result.output
    assert talks(tmp_path / "s") == set()


# ---------------------------------------------------------------- determinism

@pytest.mark.slow
def test_the_same_corpus_gives_byte_identical_turtle(built_store, tmp_path):
    copy = tmp_path / "elsewhere" / "recaps"
    shutil.copytree(CORPUS, copy)
    assert kg("build", copy, "--store", tmp_path / "s", "-q").exit_code == 0
    first = kg("export", "--format", "turtle", "--store", built_store.path).stdout_bytes
    again = kg("export", "--format", "turtle", "--store", tmp_path / "s").stdout_bytes
    assert again == first
    assert b"_:" not in first and b"dateTime" not in first


def test_files_the_cli_writes_are_replaced_whole(built_store, tmp_path):
    out = tmp_path / "graph.ttl"
    out.write_text("previous export")
    result = kg("export", "--format", "turtle", "-o", out, "--store", built_store.path)
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"@prefix")
    assert os.listdir(tmp_path) == ["graph.ttl"]  # no temporary file left beside it
