"""The HTML report in a real browser: headless Chromium draws its charts and fetches nothing.

Chromium comes from the Debian packages `chromium` and `chromium-driver` (.ci/run installs
them). Name resolution is mapped to nowhere, and Chromium's net log shows every request:
the ones a page starts carry the page as initiator, the browser's own (updates, sign-in)
carry none.
"""
import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from pyoxigraph import RdfFormat

from kg.cli import cli

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed: "
                                "apt-get install -y chromium chromium-driver (.ci/run does)")

BAR_BLUE = (0x3B, 0x6E, 0xA5)  # kg.charts: the recurring-tools bars


def open_in_chromium(page, folder):
    """Screenshot (PNG path) and the URLs the page itself requested."""
    png, netlog = folder / f"{page.stem}.png", folder / f"{page.stem}.netlog.json"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={folder / 'profile'}",
                    f"--log-net-log={netlog}", f"--screenshot={png}", "--window-size=1280,9000", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requested = [e["params"]["url"] for e in log["events"]
                 if e["type"] == start and e["params"].get("initiator", "not an origin") != "not an origin"]
    return png, requested


def test_the_check_sees_what_a_page_fetches(tmp_path):
    page = tmp_path / "fetching.html"
    page.write_text('<img src="http://example.com/logo.png"><link rel="stylesheet" href="https://example.org/a.css">')
    _, requested = open_in_chromium(page, tmp_path)
    assert sorted(requested) == ["http://example.com/logo.png", "https://example.org/a.css"]


def test_report_renders_its_charts_offline(built_store, tmp_path):
    from PIL import Image

    from kg.export import export_bytes
    from kg.store import GraphStore

    store = tmp_path / "store"  # a closed store for the CLI to open (see tests/test_reports.py)
    GraphStore.create(store).store.load(export_bytes(built_store, "trig"), format=RdfFormat.TRIG)
    page = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--all", "--format", "html", "-o", str(page), "--store", str(store)])
    assert result.exit_code == 0, result.output

    png, requested = open_in_chromium(page, tmp_path)  # report.png stays in pytest's tmp folder, to look at
    assert requested == []
    pixels = Image.open(png).convert("RGB").getcolors(maxcolors=1 << 24)

    def count(colour, tolerance=12):
        return sum(n for n, px in pixels if all(abs(a - b) <= tolerance for a, b in zip(px, colour)))

    assert count(BAR_BLUE) > 20_000  # the bars of 21 recurring tools
    assert count((0x08, 0x30, 0x6B), 30) > 1_000  # the darkest cell of the event x tool heatmap (Blues)
    assert count((0xFF, 0x7F, 0x0E)) > 300  # orange: a line of tools over the years, a community of the network
    assert count((0x00, 0x44, 0x1B), 30) > 1_000  # the most similar pair of events (Greens)
