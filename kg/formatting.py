"""Rendering query results for people (text table) and machines (csv, tsv, json)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

from .sparql import QueryResult


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def render(result: QueryResult, fmt: str, max_width: int = 60) -> str:
    if fmt == "json":
        rows = [{c: (v.isoformat() if isinstance(v, dt.date) else v) for c, v in zip(result.columns, row)}
                for row in result.rows]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([[_cell(v) for v in row] for row in result.rows])
        return out.getvalue()
    return table(result.columns, [[_cell(v) for v in row] for row in result.rows], max_width)


def table(columns: list[str], rows: list[list[str]], max_width: int = 60) -> str:
    def clip(s: str) -> str:
        s = " ".join(s.split())
        return s if len(s) <= max_width else s[: max_width - 1] + "…"

    body = [[clip(c) for c in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in body]) for i, c in enumerate(columns)]
    numeric = [all(r[i].isdigit() for r in body if r[i]) and any(r[i] for r in body) for i in range(len(columns))]

    def line(cells):
        return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in body]
    return "\n".join(out) + "\n"
