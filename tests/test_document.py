"""Ingestion: each format becomes a Document with offsets into its text."""
from pathlib import Path

import pytest

from kg.document import detect_format, load_document, parse_document
from kg.errors import InputError

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.mark.parametrize("name, fmt", [
    ("000_094c22312ca10bac.txt", "markdown"),
    ("001_129189646c371e8d.txt", "text"),
    ("002_f42b10d9959cafb4.txt", "markdown"),
    ("003_436ab6586ba55c7e.txt", "text"),
    ("004_4d3956dbccdced9c.txt", "text"),
])
def test_bundled_formats_are_detected_from_content(name, fmt):
    assert load_document(CORPUS / name).format == fmt


def test_yaml_front_matter_fields():
    doc = load_document(CORPUS / "000_094c22312ca10bac.txt")
    assert doc.title == "Cloud Nord 2023"
    assert doc.published.isoformat() == "2023-10-31"
    assert "Lille" in doc.tags
    assert not doc.text.startswith("---")


def test_toml_front_matter_fields():
    doc = load_document(CORPUS / "002_f42b10d9959cafb4.txt")
    assert doc.title == "Review de la conférence Paris Containers Day 2021"
    assert doc.published.isoformat() == "2021-06-04"


def test_markdown_structure_has_offsets_into_plain_text():
    text = "# Un titre\n\nPrésenté par **Alice Martin**, voir [Krew](https://krew.sigs.k8s.io/) et `kubectl`.\n\n---\n\n## Suite\n"
    doc = parse_document(text, "x.md")
    assert [(h.level, doc.span(h)) for h in doc.headings] == [(1, "Un titre"), (2, "Suite")]
    kinds = {(i.kind, doc.span(i)) for i in doc.inlines}
    assert ("strong", "Alice Martin") in kinds and ("code", "kubectl") in kinds
    link = next(i for i in doc.inlines if i.kind == "link")
    assert doc.span(link) == "Krew" and link.url == "https://krew.sigs.k8s.io/"
    assert any(b.kind == "rule" for b in doc.blocks)
    assert "**" not in doc.text


def test_plain_text_keeps_lines_and_bare_urls():
    doc = parse_document("Titre\nUne phrase avec https://github.com/anchore/syft dedans.\n- un item\n", "x.txt")
    assert doc.format == "text"
    assert [b.kind for b in doc.blocks] == ["line", "line", "list_item"]
    assert [doc.span(i) for i in doc.links] == ["https://github.com/anchore/syft"]


def test_html_main_content_headings_links_and_no_navigation():
    html = """<html><head><title>Retour sur Devoxx France 2024</title>
    <meta property="article:published_time" content="2024-04-20T10:00:00Z"></head>
    <body><nav><a href="/">Accueil</a></nav><article><h1>Retour sur Devoxx France 2024</h1>
    <h2>Un talk sur <em>Kubernetes</em></h2><p>Présenté par <strong>Alice Martin</strong> avec
    <a href="https://helm.sh">Helm</a>.</p><ul><li>premier point</li></ul></article>
    <footer>Mentions légales</footer></body></html>"""
    doc = parse_document(html, "page.html", suffix=".html")
    assert doc.format == "html"
    assert doc.title == "Retour sur Devoxx France 2024"
    assert doc.published.isoformat() == "2024-04-20"
    assert [doc.span(h) for h in doc.headings] == ["Retour sur Devoxx France 2024", "Un talk sur Kubernetes"]
    assert "Accueil" not in doc.text and "Mentions" not in doc.text
    assert [(doc.span(i), i.url) for i in doc.links] == [("Helm", "https://helm.sh")]
    assert any(b.kind == "list_item" for b in doc.blocks)


def test_format_detection_does_not_trust_extension():
    assert detect_format("---\ntitle: x\n---\nTexte", ".txt") == "markdown"
    assert detect_format("Une ligne\nUne autre ligne.", ".md") == "markdown"
    assert detect_format("Une ligne\nUne autre ligne.", ".txt") == "text"
    assert detect_format("<html><body><p>x</p></body></html>", ".txt") == "html"


@pytest.mark.parametrize("content, reason", [
    (b"", "empty file"),
    (b"   \n\n", "empty file"),
    (b"\x00\x01\x02binary\x00", "binary file"),
    (b"---\ntitle: [unclosed\n---\nTexte", "broken YAML front matter"),
    (b'+++\ntitle = "x\n+++\nTexte', "broken TOML front matter"),
    (b"---\ntitle: x\n---\n", "no text after the front matter"),
    (b"+++\ntitle = 'x'\nTexte sans fin", "never closed"),
])
def test_bad_input_names_the_file_and_the_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        load_document(path)
    assert reason in str(err.value) and "bad.txt" in str(err.value)


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "utf-8-sig"])
def test_other_encodings_are_read(tmp_path, encoding):
    path = tmp_path / "enc.txt"
    path.write_bytes("Conférence à Lille : présentée par Benoît".encode(encoding))
    assert "Conférence à Lille" in load_document(path).text


def test_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("x" * 2000)
    with pytest.raises(InputError, match="over the 1,000-byte limit"):
        load_document(path, max_bytes=1000)
