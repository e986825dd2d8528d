"""The kg command line, as a user runs it."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "store"
    result = CliRunner().invoke(cli, ["build", str(CORPUS), "--store", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_every_command_has_help(runner):
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and command.help, name


def test_help_does_not_import_spacy_or_rdflib():
    code = "import sys; from kg.cli import cli; sys.argv=['kg','--help']\ntry: cli()\nexcept SystemExit: pass\n" \
           "print(sorted(m for m in ('spacy','rdflib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_build_prints_report(store, runner, tmp_path):
    result = runner.invoke(cli, ["build", str(CORPUS), "--store", str(tmp_path / "s")])
    assert result.exit_code == 0
    assert "Recaps read: 5" in result.output
    assert "Tools that recur across events" in result.output
    assert "Kubernetes" in result.output


def test_rebuild_gives_the_same_graph(store, runner):
    first = runner.invoke(cli, ["export", "--store", str(store), "--format", "nquads"]).output
    again = runner.invoke(cli, ["build", str(CORPUS), "--store", str(store), "-q"])
    assert again.exit_code == 0
    assert runner.invoke(cli, ["export", "--store", str(store), "--format", "nquads"]).output == first


def test_bad_file_exit_1_others_still_built(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text("# Un talk\n\nAlice Martin nous présente Kubernetes.\n", encoding="utf-8")
    (corpus / "empty.txt").write_text("")
    (corpus / "README.md").write_text("# not a recap\n")
    result = runner.invoke(cli, ["build", str(corpus), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "empty.txt: empty file" in result.output
    assert "Traceback" not in result.output
    out = runner.invoke(cli, ["query", "-e", "SELECT ?f WHERE { ?r <https://w3id.org/confkg/ontology#sourceFile> ?f }",
                              "--store", str(tmp_path / "s"), "--format", "csv"])
    assert out.output.split() == ["f", "good.md"]


def test_query_saved_with_param_as_json(store, runner):
    result = runner.invoke(cli, ["query", "talks-mentioning", "--param", "tool=kubernetes", "--store", str(store),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and set(rows[0]) == {"talk", "event", "speakers"}
    assert {r["event"] for r in rows} >= {"Cloud Nord 2023", "Paris Containers Day 2021"}


def test_query_csv_and_query_file(store, runner):
    path = Path(__file__).resolve().parent.parent / "queries" / "events.rq"
    result = runner.invoke(cli, ["query", str(path), "--store", str(store), "--format", "csv"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "event,series,start_date,city,talk_count,recap_count"


@pytest.mark.parametrize("args, message", [
    (["query", "-e", "SELECT ?x WHERE { ?x ?y }"], "error at"),
    (["query", "no-such-query"], "no saved query"),
    (["query", "-e", "DELETE WHERE { ?s ?p ?o }"], "update"),
    (["query", "talks-mentioning"], "tool"),
])
def test_usage_errors_exit_2(store, runner, args, message):
    result = runner.invoke(cli, args + ["--store", str(store)])
    assert result.exit_code == 2, result.output
    assert message in result.output.lower() or message in result.output
    assert "Traceback" not in result.output


def test_missing_store_is_a_usage_error_and_not_created(runner, tmp_path):
    missing = tmp_path / "nowhere"
    result = runner.invoke(cli, ["query", "recurring-tools", "--store", str(missing)])
    assert result.exit_code == 2
    assert "kg build" in result.output
    assert not missing.exists()


def test_store_from_environment(store, runner):
    result = runner.invoke(cli, ["stats"], env={"KG_STORE": str(store)})
    assert result.exit_code == 0
    assert "Talk" in result.output and "000_094c22312ca10bac.txt" in result.output


@pytest.mark.parametrize("fmt, marker", [
    ("turtle", b"@prefix kg:"), ("nt", b"<https://w3id.org/confkg/"), ("jsonld", b"@"),
    ("trig", b"> {"), ("nquads", b"> .\n"), ("graphml", b"<graphml"),
])
def test_export_formats(store, runner, tmp_path, fmt, marker):
    out = tmp_path / f"graph.{fmt}"
    result = runner.invoke(cli, ["export", "--store", str(store), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert marker in data or marker.lower() in data.lower()
