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


def endpoint_auth_options(fn):
    """--user and --password for a SPARQL server, from the environment when not given (keeps them out of `ps`)."""
    fn = click.option("--password", envvar="KG_ENDPOINT_PASSWORD", show_envvar=True, default=None,
                      help="Password for --user (HTTP Basic or Digest).")(fn)
    return click.option("--user", envvar="KG_ENDPOINT_USER", show_envvar=True, default=None,
                        help="User name for the endpoint, if it asks for one.")(fn)


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
@click.option("--strict", is_flag=True, help="Stop at the first file that fails, leaving the store as it was.")
@click.option("--max-size", type=click.IntRange(min=1), default=5_000_000, show_default=True,
              help="Largest recap read, in bytes.")
@click.option("--quiet", "-q", is_flag=True, help="No progress and no report.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes that extract recaps in parallel (default: one per core).")
@click.option("--decisions", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Merge/split decisions (YAML) applied to entity resolution "
                   "(default: $KG_DECISIONS, else kg-decisions.yaml when present).")
@_library_errors
def build(paths, store_path, strict, max_size, quiet, jobs, decisions):
    """Read recaps (files or folders) and build their graphs into the store.

    Every recap gets its own named graph; rebuilding a recap replaces it. Ends with
    a short report. Exit code 1 when some files could not be read.
    """
    from .build import build as run_build, discover
    from .decisions import default_decisions_path, load_decisions
    from .store import GraphStore

    resolution_decisions = load_decisions(decisions or default_decisions_path())
    count = len(discover(paths))  # before the store is created: a path that does not exist is a usage error
    with GraphStore.create(_store_path(store_path)) as gs, click.progressbar(length=count, label="Reading recaps", file=sys.stderr,
                           show_pos=True, item_show_func=lambda p: p.name if p else "",
                           hidden=quiet or not sys.stderr.isatty()) as bar:
        def progress(path):
            bar.update(1, path)
        report = run_build(paths, gs, strict=strict, max_bytes=max_size, progress=progress,
                           decisions=resolution_decisions, jobs=jobs)
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
@click.option("--endpoint", metavar="URL",
              help="Run the query on this SPARQL 1.1 endpoint instead of the store "
                   "(docs/remote-stores.md: the URL for each server).")
@endpoint_auth_options
@store_option
@format_option(("table", "csv", "tsv", "json"), "table")
@_library_errors
def query(name, expression, params, allow_update, list_queries, endpoint, user, password, store_path, fmt):
    """Run a saved query (NAME or a .rq file) or a SPARQL text (-e).

    Saved queries are looked up in ./queries, then among the queries installed
    with kg. With --endpoint the query runs on a SPARQL server, its parameters
    bound as RDF terms in a VALUES block. Examples:

    \b
    kg query recurring-tools
    kg query talks-mentioning --param tool=Kubernetes
    kg query -e 'SELECT ?t WHERE { ?t a kg:Tool }' --format json
    kg query recurring-tools --endpoint http://localhost:7878/sparql
    """
    from .formatting import render
    from .resources import queries_dir
    from .sparql import SavedQuery, bind_params, find_saved_query, list_saved_queries, run_query
    from .store import GraphStore

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
    if endpoint:
        from .remote import Endpoint, query_endpoint

        if allow_update or store_path:
            raise UsageError(f"{'--allow-update' if allow_update else '--store'} applies to the local store, "
                             f"not to --endpoint")
        result = query_endpoint(Endpoint(endpoint, user, password), saved.text, substitutions)
        if result.truncated_at:
            click.echo(f"Warning: the endpoint returned only the first {result.truncated_at:,} rows", err=True)
    else:
        gs = GraphStore.open(_store_path(store_path), read_only=not allow_update)
        result = run_query(gs.store, saved.text, substitutions, allow_update=allow_update)
    click.echo(render(result, fmt), nl=False)


def _adhoc_params(given):
    from .sparql import QueryParam

    for k in given:
        yield QueryParam(name=k, type="string", default=None, description="")


@cli.command()
@click.argument("name", required=False)
@click.argument("tool_name", nargs=-1, metavar="[TOOL]")
@click.option("--all", "all_reports", is_flag=True, help="Every report but `tool`, one after the other.")
@click.option("--graph", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Report on this RDF file (turtle, trig, nt, nq, jsonld, rdf) instead of the store.")
@store_option
@format_option(("text", "json", "csv", "markdown", "html"), "text")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: stdout).")
@_library_errors
def report(name, tool_name, all_reports, graph_file, store_path, fmt, output):
    """Reports: recurring tools, trends, organisations, the tool network.

    Without NAME, lists the reports; `kg report tool NAME` profiles one tool. JSON
    gives an array of row objects, html one self-contained page with charts. Examples:

    \b
    kg report recurring-tools
    kg report tool Kubernetes --format json
    kg report --all --format html -o report.html
    """
    import shutil

    from .analytics import REPORTS, GraphData, describe, run_report
    from .export import write_atomic
    from .report import render_reports

    if not name and not all_reports:
        for n in REPORTS:
            click.echo(f"{n + (' NAME' if n == 'tool' else ''):<18} {describe(n)[0]}")
        return
    if name and all_reports:
        raise UsageError("give a report NAME or --all, not both")
    args = (" ".join(tool_name),) if tool_name else ()  # `kg report tool Google Cloud` needs no quotes
    data = GraphData.from_file(graph_file) if graph_file else GraphData(_open_store(store_path).store)
    reports = [run_report(data, n) for n in REPORTS if n != "tool"] if all_reports else [run_report(data, name, *args)]
    tty = not output and sys.stdout.isatty()
    text = render_reports(reports, fmt, data, width=shutil.get_terminal_size().columns if tty else 80, color=tty)
    if output:
        write_atomic(output, text.encode("utf-8"))
        click.echo(f"Wrote {output} ({len(text.encode('utf-8')):,} bytes, {fmt})", err=True)
    else:
        click.echo(text, nl=False)


@cli.command()
@store_option
@format_option(("turtle", "nt", "jsonld", "trig", "nquads", "graphml", "csv"), "turtle")
@click.option("--projection", type=click.Choice(("full", "tools", "people")), default="full", show_default=True,
              help="For graphml and csv: the whole graph, the tool co-mention graph or the speaker-organisation graph.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write to this file, or this folder for csv (default: stdout).")
@_library_errors
def export(store_path, fmt, projection, output):
    """Export the graph as RDF, or as a network for Gephi and Cytoscape.

    turtle, nt, jsonld (every graph merged; JSON-LD with schema.org-style keys),
    trig, nquads (named graphs kept); graphml, or csv (nodes.csv and edges.csv in the
    -o folder) for a --projection of the graph. Example:

    \b
    kg export --format graphml --projection tools -o tools.graphml
    """
    from .export import export_bytes, export_csv, write_atomic

    if projection != "full" and fmt not in ("graphml", "csv"):
        raise UsageError(f"--projection applies to graphml and csv, not {fmt}")
    if fmt == "csv":
        if not output or output.is_file():
            raise UsageError("--format csv writes nodes.csv and edges.csv: give their folder with -o DIR")
        nodes, edges = export_csv(_open_store(store_path), projection, output)
        click.echo(f"Wrote {output / 'nodes.csv'} ({nodes} nodes) and {output / 'edges.csv'} ({edges} edges)", err=True)
        return
    if output and output.is_dir():
        raise UsageError(f"{output} is a folder: give a file name with -o")
    data = export_bytes(_open_store(store_path), fmt, projection)
    if output:
        write_atomic(output, data)
        click.echo(f"Wrote {output} ({len(data):,} bytes, {fmt})", err=True)
    else:
        sys.stdout.buffer.write(data)


@cli.command()
@click.option("--kind", type=click.Choice(["tool", "organization", "person", "event", "talk"]),
              help="Only merges of this kind of entity.")
@store_option
@format_option(("table", "json"), "table")
@_library_errors
def merges(kind, store_path, fmt):
    """List the names entity resolution joined, and why.

    To undo one, add a `split` to your decisions file (kg-decisions.yaml); to join
    names it missed, add a `merge`. Both are applied on every build.
    """
    import json

    rows = [m for m in _open_store(store_path).read_merges()
            if not kind or m["kind"].lower() == kind or (kind == "event" and m["kind"] == "EventSeries")]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for m in rows:
        click.echo(f"{m['kind']:<12} {m['name']!r} -> {m['label']!r}: {m['reason']}")
    click.echo(f"{len(rows)} merges", err=True)


@cli.command()
@click.argument("term")
@click.argument("predicate", required=False)
@click.argument("other", required=False)
@click.option("--kind", type=click.Choice(["talk", "person", "tool", "organization", "event"]),
              help="When TERM names several nodes, the kind to pick.")
@store_option
@format_option(("text", "json"), "text")
@_library_errors
def explain(term, predicate, other, kind, store_path, fmt):
    """Show where each fact about a talk, person, tool or organisation was read.

    TERM is a label, another name, or an IRI. Give PREDICATE (speaker, mentions,
    worksAt, presentedAt, author) and OTHER to explain one triple:

    \b
    kg explain "Denis Germain"
    kg explain "Cloud Nord 2023" --kind event
    kg explain "Laissez tomber vos Dockerfile, adoptez un buildpack !" mentions Paketo
    """
    import json
    from dataclasses import asdict

    from .explain import explain as explain_node, find_node

    gs = _open_store(store_path)
    node = find_node(gs.store, term, kind)
    facts = explain_node(gs.store, node, predicate, find_node(gs.store, other) if other else None)
    if fmt == "json":
        click.echo(json.dumps({"node": asdict(node), "facts": [asdict(f) for f in facts]}, ensure_ascii=False, indent=2))
        return
    click.echo(f"{node.kind} {node.label} <{node.iri}>")
    if not facts:
        click.echo("  no evidence recorded for this node")
    for f in facts:
        click.echo(f"\n  {f.subject.label} --{f.predicate}--> {f.object.label}   (confidence {f.confidence:.2f})")
        for e in f.evidence:
            click.echo(f"    {e.source_file} [{e.start}:{e.end}] {e.rule} {e.confidence:.2f}")
            click.echo(f"      « {' '.join(e.quote.split())} »")


@cli.command()
@store_option
@format_option(("table", "json"), "table")
@_library_errors
def stats(store_path, fmt):
    """Counts per class and per recap."""
    from .report import stats_tables

    gs = _open_store(store_path)
    click.echo(stats_tables(gs, fmt), nl=False)


@cli.command("eval")
@click.option("--gold", "gold_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of gold YAML files, one per recap (format: ../shared/eval/GUIDELINES.md).")
@click.option("--detail", is_flag=True, help="List every false positive and negative.")
@click.option("--score-only", metavar="GLOB",
              help="Count per-recap scores only for gold sources matching GLOB; every gold file still "
                   "defines aliases, merged talks and recurring tools.")
@click.option("--graph", "graph_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Score this RDF file (turtle, trig, nt, nq, jsonld, rdf) instead of the store.")
@store_option
@format_option(("text", "json"), "text")
@_library_errors
def eval_command(gold_dir, detail, score_only, graph_file, store_path, fmt):
    """Score the graph against gold annotations: precision, recall and F1 per relation.

    Same rules as the shared scorer (../shared/eval/README.md); the last line is its
    summary line. Example:

    \b
    kg eval --gold tests/gold-dev --detail
    """
    from .evaluate import Graph, evaluate, load_gold, render_json, render_text

    golds = load_gold(gold_dir)
    graph = Graph.from_file(graph_file) if graph_file else Graph.from_store(_open_store(store_path).store)
    result = evaluate(graph, golds, score_only)
    click.echo((render_json if fmt == "json" else render_text)(result, detail), nl=False)



@cli.group("gazetteer")
def gazetteer_group():
    """Extend the gazetteers that name tools and organisations, per store.

    \b
    kg gazetteer import-landscape landscape.yml   add the CNCF landscape to the store's gazetteer
    kg gazetteer stats                            the gazetteer files a build of the store reads
    """


@gazetteer_group.command("import-landscape")
@click.argument("file", type=click.Path(path_type=Path))
@store_option
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the gazetteer files to this folder instead of the store's gazetteer/ folder.")
@_library_errors
def import_landscape(file, store_path, out_dir):
    """Add the tools and organisations of a CNCF landscape.yml to the store's gazetteer.

    Tools get their "Category / Subcategory" and homepage; CNCF members and certified
    providers become organisations. Names the bundled gazetteer knows are left to it.
    The next `kg build` of the store re-extracts every recap with them. Example:

    \b
    kg gazetteer import-landscape ../shared/data/cncf-landscape.yml --store .kg
    """
    from .landscape import read_landscape, write_landscape

    if not file.is_file():
        raise UsageError(f"no such file: {file}")
    landscape = read_landscape(file)
    folder = out_dir or _store_path(store_path) / "gazetteer"
    write_landscape(landscape, file, folder)
    click.echo(f"Imported {len(landscape.tools)} tools ({sum(e.ambiguous for e in landscape.tools)} ambiguous) and "
               f"{len(landscape.organizations)} organisations from {file} into {folder}\n"
               f"Left out: {landscape.known} names the bundled gazetteer or lexicons already know, "
               f"{landscape.ordinary} names that are ordinary words")


@gazetteer_group.command("stats")
@store_option
@_library_errors
def gazetteer_stats(store_path):
    """The gazetteer files a build of the store reads, bundled first, with their entry counts."""
    from .gazetteer import gazetteer_files, read_skos
    from .resources import ontology_dir

    for path in gazetteer_files(ontology_dir() / "gazetteer") + gazetteer_files(_store_path(store_path) / "gazetteer"):
        entries = read_skos(path)
        click.echo(f"{len(entries):>6} entries {sum(e.ambiguous for e in entries):>5} ambiguous  {path}")


@cli.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol URL: Oxigraph http://HOST:7878/store, Fuseki http://HOST:3030/DATASET/data, "
                   "GraphDB http://HOST:7200/repositories/REPO/rdf-graphs/service, "
                   "Virtuoso http://HOST:8890/sparql-graph-crud-auth.")
@click.option("--graph-param", default="graph", show_default=True,
              help="URL parameter naming the graph (graph-uri for Virtuoso versions that predate SPARQL 1.1).")
@endpoint_auth_options
@store_option
@click.option("--quiet", "-q", is_flag=True, help="No progress and no summary.")
@_library_errors
def push(endpoint, graph_param, user, password, store_path, quiet):
    """Copy the store's graphs to a SPARQL server, replacing them there.

    Each recap's named graph, then the knowledge graph (the default graph), goes with
    one HTTP PUT (SPARQL 1.1 Graph Store Protocol), which replaces the graph on the
    server: pushing twice changes nothing.
    Exit code 1 when the server refused some graphs, 2 when it cannot be reached.
    Example:

    \b
    kg push --endpoint http://localhost:7878/store
    """
    from .remote import Endpoint, graphs_to_push, push_store

    gs = _open_store(store_path)
    target = Endpoint(endpoint, user, password)
    with click.progressbar(length=len(graphs_to_push(gs)), label="Pushing graphs", file=sys.stderr, show_pos=True,
                           item_show_func=lambda name: name.rsplit("/", 1)[-1] if name else "",
                           hidden=quiet or not sys.stderr.isatty()) as bar:
        report = push_store(gs, target, graph_param, progress=lambda name: bar.update(1, name))
    for _, message in report.failed:
        click.echo(f"Error: {message}", err=True)
    if not quiet:
        click.echo(report.summary())
    if report.failed:
        sys.exit(EXIT_INPUT_FAILED)


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but a loopback address lets other machines read the graph.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port (0: any free one).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a query may run before it is stopped (503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Most solutions or triples in one answer (the rest is cut, header X-KG-Truncated).")
@_library_errors
def serve(store_path, host, port, timeout, max_rows):
    """Serve the store as a read-only SPARQL endpoint (for YASGUI and other clients).

    SPARQL 1.1 Protocol at /sparql, a page saying how to query it at /. The default
    graph is the knowledge graph, as for `kg query`; the recap graphs and their
    evidence are named graphs (GRAPH ?recap). Updates are refused.
    Ctrl-C stops. Example:

    \b
    kg serve --port 7878      # then: kg query recurring-tools --endpoint http://127.0.0.1:7878/sparql
    """
    from .serve import serve as run_server

    run_server(_store_path(store_path), host, port, timeout, max_rows, announce=lambda line: click.echo(line, err=True))
