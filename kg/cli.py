"""The `kg` command line: thin commands over the library.

Output for machines goes to stdout; progress and messages go to stderr. Exit codes
come from kg.errors: 0 ok, 1 some inputs failed, 2 usage error.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import EXIT_INPUT_FAILED, KgError, UsageError


class _Failure(click.ClickException):
    """A library error at the CLI boundary: `Error: ...` on stderr and its exit code."""

    def __init__(self, error: KgError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code


def _library_errors(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KgError as e:
            raise _Failure(e) from None

    return wrapper


def store_option(fn):
    return click.option(
        "--store", "store_path", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Store folder (default: $KG_STORE, else .kg in the current folder).")(fn)


def format_option(choices, default):
    def decorator(fn):
        return click.option("--format", "-f", "fmt", type=click.Choice(choices), default=default, show_default=True,
                            help="Output format.")(fn)
    return decorator


def _store_path(path: Path | None) -> Path:
    from .store import default_store_path

    return path or default_store_path()


def _open_store(path: Path | None):
    from .store import GraphStore

    return GraphStore.open(_store_path(path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli():
    """confkg: turn French tech-conference recaps into a knowledge graph.

    \b
    kg build corpus/                 read recaps, fill the store (.kg/)
    kg query recurring-tools         run a saved query
    kg export --format turtle -o graph.ttl
    kg stats                         counts per class and per recap
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@click.option("--strict", is_flag=True, help="Stop at the first file that fails.")
@click.option("--max-size", type=int, default=5_000_000, show_default=True, help="Largest recap read, in bytes.")
@click.option("--quiet", "-q", is_flag=True, help="No progress and no report.")
@_library_errors
def build(paths, store_path, strict, max_size, quiet):
    """Read recaps (files or folders) and build their graphs into the store.

    Every recap gets its own named graph; rebuilding a recap replaces it. Ends with
    a short report. Exit code 1 when some files could not be read.
    """
    from .build import build as run_build, discover
    from .store import GraphStore

    files = discover(paths)
    with GraphStore.create(_store_path(store_path)) as gs, click.progressbar(length=len(files), label="Reading recaps", file=sys.stderr,
                           show_pos=True, item_show_func=lambda p: p.name if p else "",
                           hidden=quiet or not sys.stderr.isatty()) as bar:
        def progress(path):
            bar.update(1, path)
        report = run_build(files, gs, strict=strict, max_bytes=max_size, progress=progress)
        bar.render_finish()
        for failure in report.failed:
            click.echo(f"Error: {failure.path}: {failure.reason}", err=True)
        if not quiet:
            from .report import build_summary

            click.echo(build_summary(gs, report))
    if report.failed:
        sys.exit(EXIT_INPUT_FAILED)


@cli.command()
@click.argument("name", required=False)
@click.option("-e", "--expression", help="SPARQL text to run instead of a saved query.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable). Values are bound, never pasted into the query.")
@click.option("--allow-update", is_flag=True, help="Allow SPARQL Update (refused by default).")
@click.option("--list", "list_queries", is_flag=True, help="List the saved queries.")
@store_option
@format_option(("table", "csv", "tsv", "json"), "table")
@_library_errors
def query(name, expression, params, allow_update, list_queries, store_path, fmt):
    """Run a saved query (NAME or a .rq file) or a SPARQL text (-e).

    Saved queries are looked up in ./queries, then among the queries installed
    with kg. Examples:

    \b
    kg query recurring-tools
    kg query talks-mentioning --param tool=Kubernetes
    kg query -e 'SELECT ?t WHERE { ?t a kg:Tool }' --format json
    """
    from .formatting import render
    from .resources import queries_dir
    from .sparql import SavedQuery, bind_params, find_saved_query, list_saved_queries, run_query

    search = [Path("queries"), queries_dir()]
    if list_queries:
        for q in list_saved_queries(search):
            click.echo(f"{q.name:<22} {q.title}")
        return
    if bool(name) == bool(expression):
        raise UsageError("give a saved query NAME or -e SPARQL, not both and not neither")
    given = {}
    for p in params:
        if "=" not in p:
            raise UsageError(f"--param expects NAME=VALUE, got {p!r}")
        k, v = p.split("=", 1)
        given[k.strip()] = v
    if name:
        saved = find_saved_query(name, search)
    else:
        saved = SavedQuery(name="-e", path=None, title="", description="",
                           params=tuple(_adhoc_params(given)), text=expression)
    substitutions = bind_params(saved, given)
    gs = _open_store(store_path)
    result = run_query(gs.store, saved.text, substitutions, allow_update=allow_update)
    click.echo(render(result, fmt), nl=False)


def _adhoc_params(given):
    from .sparql import QueryParam

    for k in given:
        yield QueryParam(name=k, type="string", default=None, description="")


@cli.command()
@store_option
@format_option(("turtle", "nt", "jsonld", "trig", "nquads", "graphml"), "turtle")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (default: stdout).")
@_library_errors
def export(store_path, fmt, output):
    """Export the graph: turtle, nt, jsonld (union of recap graphs), trig, nquads (named graphs kept), graphml."""
    from .export import export_bytes, write_atomic

    data = export_bytes(_open_store(store_path), fmt)
    if output:
        write_atomic(output, data)
        click.echo(f"Wrote {output} ({len(data):,} bytes, {fmt})", err=True)
    else:
        sys.stdout.buffer.write(data)


@cli.command()
@store_option
@format_option(("table", "json"), "table")
@_library_errors
def stats(store_path, fmt):
    """Counts per class and per recap."""
    from .report import stats_tables

    gs = _open_store(store_path)
    click.echo(stats_tables(gs, fmt), nl=False)

