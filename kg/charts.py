"""Charts for the HTML report: matplotlib figures as inline SVG text.

No pyplot (no global figure state, no GUI backend): each chart is a standalone
``Figure`` saved as SVG. The output is deterministic, so the same graph gives a
byte-identical report: a fixed hash salt for the SVG ids, no date or creator in the
metadata, a seeded layout; text stays text (``svg.fonttype: none``) for the browser
to draw with its own fonts.
"""
from __future__ import annotations

import io
import re
from collections import defaultdict

from .analytics import GraphData, Report

_TOP = 20  # tools in the bar chart, heatmap and network labels: the rest is unreadable


def charts_for(report: Report, data: GraphData) -> list[tuple[str, str]]:
    """The (caption, SVG) charts of a report; none for the reports better read as a table."""
    if report.name == "recurring-tools" and report.tables[0].rows:
        rows = report.tables[0].rows[:_TOP]
        return [("Number of events mentioning each tool (talks in brackets)", _recurring_bars(rows)),
                ("Talks mentioning each recurring tool, per event", _event_tool_heatmap(rows, data))]
    if report.name == "tools-by-year":
        rows = [r for r in report.tables[0].rows if r["scope"] == "years"]
        return [("Talks mentioning the most mentioned tools, per year", _years_lines(rows))] if rows else []
    if report.name == "communities" and data.comentions.number_of_nodes():
        return [("Tool co-mention network, coloured by community", _network(data))]
    if report.name == "event-similarity" and report.tables[0].rows:
        return [("Jaccard similarity of the events' tools", _similarity_heatmap(report.tables[0].rows))]
    return []


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _svg(fig, name: str) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "confkg", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # inline: without the XML declaration and DOCTYPE
    # every chart numbers its ids from 1 (figure_1, axes_1, ...): prefixed, they stay unique in one page
    return re.sub(r'(id="|href="#|url\(#)', rf"\g<1>{name}-", text)


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)


def _recurring_bars(rows: list[dict]) -> str:
    fig, ax = _figure(7, 0.3 * len(rows) + 1)
    tools = [r["tool"] for r in rows][::-1]
    bars = ax.barh(tools, [r["event_count"] for r in rows][::-1], color="#3b6ea5")
    ax.bar_label(bars, [f" ({r['talk_count']})" for r in rows][::-1], fontsize=8)
    ax.set_xlabel("events")
    ax.xaxis.get_major_locator().set_params(integer=True)
    _style(ax)
    return _svg(fig, "recurring")


def _heatmap(ax, matrix, rows: list[str], columns: list[str], cmap: str, fmt) -> None:
    # vector cells (not imshow, whose raster the browser would blur and the page's CSP block)
    ax.pcolormesh(matrix, cmap=cmap, vmin=0, edgecolors="white", linewidth=0.5)
    ax.set_xticks([j + 0.5 for j in range(len(columns))], columns, rotation=30, ha="right")
    ax.set_yticks([i + 0.5 for i in range(len(rows))], rows)
    ax.invert_yaxis()
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    top = max((v for line in matrix for v in line), default=0)
    for i, line in enumerate(matrix):
        for j, v in enumerate(line):
            if v:
                ax.text(j + 0.5, i + 0.5, fmt(v), ha="center", va="center", fontsize=8,
                        color="white" if v > top / 2 else "black")


def _event_tool_heatmap(rows: list[dict], data: GraphData) -> str:
    talks = defaultdict(set)
    when = {}
    for m in data.mentions:
        talks[m["tool"], m["event"]].add(m["talk_iri"])
        when[m["event"]] = (m["year"] or 9999, m["event"])
    events = sorted(when, key=when.get)  # chronological, undated last
    tools = [r["tool"] for r in rows]
    matrix = [[len(talks[t, e]) for e in events] for t in tools]
    fig, ax = _figure(7, 0.3 * len(tools) + 2)
    _heatmap(ax, matrix, tools, events, "Blues", str)
    return _svg(fig, "heatmap")


def _years_lines(rows: list[dict]) -> str:
    top = sorted(rows, key=lambda r: (-sum(r["talks"].values()), r["tool"]))[:8]
    fig, ax = _figure(7, 3.5)
    for r in top:
        years = list(r["talks"])
        ax.plot(years, list(r["talks"].values()), marker="o", label=r["tool"])
    ax.set_ylabel("talks")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    _style(ax)
    return _svg(fig, "years")


def _network(data: GraphData) -> str:
    import networkx as nx
    from matplotlib import colormaps
    from matplotlib.collections import LineCollection

    g, community = data.comentions, data.community_of
    # ForceAtlas2 (Gephi's layout): its gravity keeps the small components near the large one
    pos = nx.forceatlas2_layout(g, weight="weight", seed=0, max_iter=300, strong_gravity=True, gravity=0.5,
                                node_size={n: 1 + g.degree(n) / 8 for n in g})
    colours = colormaps["tab20"]
    fig, ax = _figure(9, 7)
    ax.add_collection(LineCollection([(pos[a], pos[b]) for a, b in g.edges],
                                     linewidths=[0.4 * d["weight"] for _, _, d in g.edges(data=True)],
                                     colors="#bbbbbb", zorder=1))
    nodes = list(g)
    ax.scatter([pos[n][0] for n in nodes], [pos[n][1] for n in nodes],
               s=[12 + 4 * g.degree(n) for n in nodes], zorder=2, edgecolors="white", linewidths=0.5,
               c=[colours(community[n] - 1) if community[n] <= 20 else "#999999" for n in nodes])
    for n in [t for members in data.communities[:20] for t in members[:2]]:  # the legend's first tools
        ax.annotate(g.nodes[n]["label"], pos[n], fontsize=8, xytext=(4, 3), textcoords="offset points", zorder=3)
    for i, members in enumerate(data.communities[:20], 1):
        ax.scatter([], [], color=colours(i - 1), label=f"{i}: " + ", ".join(g.nodes[t]["label"] for t in members[:3]))
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1, 1), title="community: top tools",
              title_fontsize=8)
    ax.set_axis_off()
    return _svg(fig, "network")


def _similarity_heatmap(rows: list[dict]) -> str:
    events = sorted({r["event_a"] for r in rows} | {r["event_b"] for r in rows})
    value = {(r["event_a"], r["event_b"]): r["jaccard"] for r in rows}
    # the diagonal (always 1) stays blank: the colours span the pairs' range
    matrix = [[value.get((a, b), value.get((b, a), 0.0)) for b in events] for a in events]
    fig, ax = _figure(6, 0.45 * len(events) + 2)
    _heatmap(ax, matrix, events, events, "Greens", lambda v: f"{v:.2f}")
    return _svg(fig, "similarity")
