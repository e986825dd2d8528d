"""Reports printed by the CLI: the build summary, store statistics, and `kg report` rendered.

`kg report` renders kg.analytics reports as rich text tables, JSON, CSV, markdown or
one self-contained HTML page with the charts of kg.charts; rich and matplotlib are
imported only by the formats that need them.
"""
from __future__ import annotations

import csv
import io
import json

from .errors import UsageError
from .formatting import table
from .resources import queries_dir
from .sparql import bind_params, find_saved_query, run_query
from .store import GraphStore

_COUNTS = """
PREFIX kg: <https://w3id.org/confkg/ontology#>
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class
"""
_PER_RECAP = """
PREFIX kg: <https://w3id.org/confkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?file ?event (COUNT(DISTINCT ?talk) AS ?talks) (COUNT(DISTINCT ?speaker) AS ?speakers)
       (COUNT(DISTINCT ?tool) AS ?tools) WHERE {
  ?recap kg:sourceFile ?file ; kg:about ?e . ?e rdfs:label ?event .
  OPTIONAL { ?talk kg:describedIn ?recap .
             OPTIONAL { ?talk kg:speaker ?speaker } OPTIONAL { ?talk kg:mentions ?tool } }
} GROUP BY ?file ?event ORDER BY ?file
"""
CLASSES = ("Event", "Talk", "Person", "Organization", "Tool", "Recap")


def class_counts(gs: GraphStore) -> dict[str, int]:
    result = run_query(gs.store, _COUNTS)
    counts = {c: 0 for c in CLASSES}
    for cls, n in result.rows:
        name = cls.rsplit("#", 1)[-1]
        if name in counts:
            counts[name] = n
    return counts


def stats_tables(gs: GraphStore, fmt: str) -> str:
    counts = class_counts(gs)
    per_recap = run_query(gs.store, _PER_RECAP)
    if fmt == "json":
        recaps = [dict(zip(per_recap.columns, row)) for row in per_recap.rows]
        return json.dumps({"classes": counts, "recaps": recaps}, ensure_ascii=False, indent=2) + "\n"
    out = table(["class", "count"], [[c, str(n)] for c, n in counts.items()])
    out += "\n" + table(per_recap.columns, [[str(v) for v in row] for row in per_recap.rows])
    return out


def build_summary(gs: GraphStore, report) -> str:
    counts = class_counts(gs)
    speakers = run_query(gs.store, "PREFIX kg: <https://w3id.org/confkg/ontology#> "
                                   "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?t kg:speaker ?p }").rows[0][0]
    lines = [
        f"Recaps read: {len(report.built) + len(report.cached)} "
        f"({len(report.built)} extracted, {len(report.cached)} unchanged)"
        + (f", {len(report.failed)} failed" if report.failed else "")
        + (f", {len(report.dropped)} dropped (source gone)" if report.dropped else "")
        + ("; nothing changed, the store is as it was" if report.unchanged else ""),
        f"Store: {counts['Recap']} recaps, {counts['Event']} events, {counts['Talk']} talks, {speakers} speakers, "
        f"{counts['Organization']} organisations, {counts['Tool']} tools",
        "",
        "Tools that recur across events:",
    ]
    saved = find_saved_query("recurring-tools", [queries_dir()])
    result = run_query(gs.store, saved.text, bind_params(saved, {}))
    rows = [[str(v) for v in row] for row in result.rows]
    lines.append(table(result.columns, rows, max_width=40).rstrip() if rows else "(none yet)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- kg report


_CSS = """
body { font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; color: #222; max-width: 72rem; margin: 2rem auto;
       padding: 0 1.5rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1rem; } p.about { color: #555; max-width: 50rem; }
nav a { margin-right: 1rem; } figure { margin: 1rem 0; } figcaption { color: #555; font-size: .9rem; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: .875rem; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .25rem .6rem; border-bottom: 1px solid #eee; }
th { border-bottom: 2px solid #ccc; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #f7f7f9; }
"""


def render_reports(reports: list, fmt: str, data=None, width: int = 80, color: bool = False) -> str:
    """Reports (kg.analytics.Report) as text (rich tables), json, csv, markdown or one HTML page.

    JSON gives a report's rows (an object of tables for a report with several), and an
    object keyed by report name for several reports. CSV holds one table only.
    """
    if fmt == "json":
        payload = {r.name: _payload(r) for r in reports} if len(reports) > 1 else _payload(reports[0])
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        if len(reports) > 1 or len(reports[0].tables) > 1:
            raise UsageError("csv holds one table: pick one report with one table, or use --format json")
        table_ = reports[0].tables[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table_.columns)
        writer.writerows([[_cell(row[c]) for c in table_.columns] for row in table_.rows])
        return out.getvalue()
    if fmt == "markdown":
        return "\n".join(_markdown(r) for r in reports)
    if fmt == "html":
        return _html(reports, data)
    return _text(reports, width, color)


def _payload(report):
    tables = report.tables
    return tables[0].rows if len(tables) == 1 else {t.key: t.rows for t in tables}


def _cell(value) -> str:
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _numeric(table_, column: str) -> bool:
    return bool(table_.rows) and all(isinstance(r[column], (int, float)) for r in table_.rows)


def _text(reports: list, width: int, color: bool) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color, no_color=not color, markup=False,
                      emoji=False, highlight=False)
    for i, report in enumerate(reports):
        if i:
            console.print()
        console.print(Text(report.title, style="bold"))
        console.print(Text(report.description, style="dim"))
        for t in report.tables:
            console.print()
            if t.title:
                console.print(Text(t.title, style="bold"))
            if not t.rows:
                console.print("(none)")
                continue
            rich_table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
            for c in t.columns:
                header = c.replace("_", " ")
                # numbers as narrow as their header's longest word ("talk count" wraps): room for the lists
                narrow = max([len(_cell(r[c])) for r in t.rows] + [len(w) for w in header.split()])
                rich_table.add_column(header, justify="right" if _numeric(t, c) else "left", overflow="fold",
                                      max_width=narrow if _numeric(t, c) else None)
            for row in t.rows:
                rich_table.add_row(*(Text(_cell(row[c])) for c in t.columns))
            console.print(rich_table)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())  # rich pads cells to the width


def _markdown(report) -> str:
    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    parts = [f"## {report.title}", "", report.description, ""]
    for t in report.tables:
        if t.title:
            parts += [f"### {t.title}", ""]
        if not t.rows:
            parts += ["(none)", ""]
            continue
        parts.append(line(t.columns))
        parts.append("| " + " | ".join("---:" if _numeric(t, c) else "---" for c in t.columns) + " |")
        parts += [line([_cell(row[c]) for c in t.columns]) for row in t.rows]
        parts.append("")
    return "\n".join(parts)


def _html(reports: list, data) -> str:
    """One self-contained page: CSS and SVG charts inline, nothing fetched (the CSP forbids it)."""
    from html import escape

    from .charts import charts_for

    title = reports[0].title if len(reports) == 1 else "confkg report"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if len(reports) > 1:
        parts.append("<nav>" + "".join(f'<a href="#{r.name}">{escape(r.title)}</a>' for r in reports) + "</nav>")
    for report in reports:
        parts.append(f'<section id="{report.name}">')
        if len(reports) > 1:
            parts.append(f"<h2>{escape(report.title)}</h2>")
        parts.append(f'<p class="about">{escape(report.description)}</p>')
        for caption, svg in charts_for(report, data):
            parts.append(f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>")
        for t in report.tables:
            if t.title:
                parts.append(f"<h3>{escape(t.title)}</h3>")
            if not t.rows:
                parts.append('<p class="about">None in this graph.</p>')
                continue
            numeric = {c for c in t.columns if _numeric(t, c)}
            cls = {c: ' class="n"' if c in numeric else "" for c in t.columns}
            parts.append("<table><thead><tr>" + "".join(f"<th{cls[c]}>{escape(c)}</th>" for c in t.columns)
                         + "</tr></thead><tbody>")
            parts += ["<tr>" + "".join(f"<td{cls[c]}>{escape(_cell(row[c]))}</td>" for c in t.columns) + "</tr>"
                      for row in t.rows]
            parts.append("</tbody></table>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
