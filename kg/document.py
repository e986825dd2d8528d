"""Stage 1: a recap file becomes a Document.

A Document is the recap's plain text (markup removed) with its structure kept as
spans whose character offsets point into that text: blocks (headings, paragraphs,
list items, code blocks, rules) and inline marks (links, emphasis, code spans).
The format is detected from the content, not the file name: markdown (with YAML
``---`` or TOML ``+++`` front matter, or none), scraped plain text, or HTML.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml

from .errors import InputError

MAX_BYTES_DEFAULT = 5_000_000


@dataclass
class Block:
    """A block of the document: heading, paragraph, line, list_item, code_block or rule."""

    kind: str
    start: int
    end: int
    level: int = 0


@dataclass
class Inline:
    """An inline mark: link (with its url), emphasis, strong or code."""

    kind: str
    start: int
    end: int
    url: str | None = None


@dataclass
class Document:
    name: str
    format: str
    text: str
    front_matter: dict = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    inlines: list[Inline] = field(default_factory=list)

    def span(self, item: Block | Inline) -> str:
        return self.text[item.start:item.end]

    @property
    def headings(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "heading"]

    @property
    def links(self) -> list[Inline]:
        return [i for i in self.inlines if i.kind == "link"]

    @property
    def title(self) -> str | None:
        value = self.front_matter.get("title")
        return str(value).strip() if value else None

    @property
    def published(self) -> dt.date | None:
        return as_date(self.front_matter.get("date"))

    @property
    def tags(self) -> list[str]:
        tags = self.front_matter.get("tags") or []
        return [str(t) for t in tags] if isinstance(tags, list) else [str(tags)]


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value.strip())
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


# ---------------------------------------------------------------- reading

def read_bytes(path: Path, max_bytes: int = MAX_BYTES_DEFAULT) -> bytes:
    """The file's bytes, or an InputError naming the file and why it cannot be read."""
    try:
        size = path.stat().st_size
        if size <= max_bytes:
            with path.open("rb") as f:
                data = f.read(max_bytes + 1)  # a file growing while it is read still stops at the limit
            size = max(size, len(data))
    except FileNotFoundError:
        raise InputError(path, "file vanished before it could be read") from None
    except OSError as e:
        raise InputError(path, f"cannot read file: {e.strerror or e}") from None
    if size > max_bytes:
        raise InputError(path, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (raise it with --max-size)")
    return data


def decode(raw: bytes, path) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with or without BOM), else Windows-1252/latin-1; newlines normalised."""
    head = raw[:4096]
    codec = _utf16_codec(head)
    if codec is None and b"\x00" in head:
        raise InputError(path, "binary file, not text")
    try:
        text = raw.decode(codec) if codec else _decode_8bit(raw)
    except UnicodeDecodeError:
        raise InputError(path, "binary file, not text") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _controls(text[:4096]) > 0.01 * len(text[:4096]):
        raise InputError(path, "binary file, not text")
    if not text.strip():
        raise InputError(path, "empty file")
    return text


def _utf16_codec(head: bytes) -> str | None:
    """'utf-16' when a BOM says so; 'utf-16-le'/'-be' when NUL bytes fill one byte of most pairs (Latin text)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    half = len(head) // 2
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd >= 0.3 * half > 5 * even:  # an emoji or a rare letter may put a NUL on the other side
        return "utf-16-le"
    if even >= 0.3 * half > 5 * odd:
        return "utf-16-be"
    return None


def _decode_8bit(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")  # latin-1 as Windows writes it: also ’ “ ” œ …
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _controls(text: str) -> int:
    """Control characters other than white space: text has (almost) none, binary data many."""
    return sum(1 for c in text if (c < " " and c not in "\t\n\f\v") or "\x7f" <= c <= "\x9f")


def load_document(path: Path, max_bytes: int = MAX_BYTES_DEFAULT) -> Document:
    """Reads and parses one recap file; raises InputError naming the file and the reason."""
    text = decode(read_bytes(path, max_bytes), path)
    return parse_document(text, path.name, suffix=path.suffix.lower(), path=path)


def parse_document(text: str, name: str, suffix: str = "", path: Path | None = None) -> Document:
    where = path or name
    fmt = detect_format(text, suffix or Path(name).suffix.lower())
    if fmt == "html":
        try:
            doc = _parse_html(text, name)
        except AssertionError as e:  # html.parser gives up on some malformed declarations ("<![foo[")
            raise InputError(where, f"broken HTML: {e}") from None
    else:
        front, body = split_front_matter(text, where)
        doc = _parse_markdown(body, name) if fmt == "markdown" else _parse_plain(body, name)
        doc.front_matter = front
    if not doc.text.strip():
        raise InputError(where, "no text after the front matter" if fmt != "html" and doc.front_matter else "no text")
    return doc


_MD_SIGNALS = [
    re.compile(r"^#{1,6} \S", re.M),
    re.compile(r"\*\*[^*\n]+\*\*"),
    re.compile(r"\[[^\[\]\n]{1,500}\]\([^)\s]{1,2000}\)"),  # bounded: "[[[[…" must not take quadratic time
    re.compile(r"^```", re.M),
    re.compile(r"^(-{3,}|\*{3,})\s*$", re.M),
]


def detect_format(text: str, suffix: str = "") -> str:
    head = text.lstrip()[:2000].lower()
    if suffix in (".html", ".htm") or head.startswith(("<!doctype html", "<html")):
        return "html"
    if re.match(r"(---|\+\+\+)\s*\n", text.lstrip("\ufeff")):
        return "markdown"
    if suffix == ".md":
        return "markdown"
    if len(re.findall(r"</?(p|div|h[1-6]|article|section|li)\b", head)) >= 3:
        return "html"
    signals = sum(1 for rx in _MD_SIGNALS if rx.search(text))
    signals += len(_MD_SIGNALS[0].findall(text)) >= 2  # several "# heading" lines say markdown on their own
    return "markdown" if signals >= 2 else "text"


def _front_matter_error(e: Exception) -> str:
    if isinstance(e, RecursionError):
        return "nested too deeply"
    if isinstance(e, yaml.MarkedYAMLError) and e.problem_mark:
        return f"{e.problem} (line {e.problem_mark.line + 2} of the file)"  # +2: 0-based, after the opening fence
    return " ".join(str(e).split())


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML without aliases: front matter never needs them, and nested aliases make "billion laughs" bombs."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", self.peek_event().start_mark)
        return super().compose_node(parent, index)


def split_front_matter(text: str, where) -> tuple[dict, str]:
    """Returns (fields, body); the body keeps the text after the closing fence."""
    text = text.lstrip("\ufeff")
    m = re.match(r"(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(\n|$)", text, re.S)
    if not m:
        # "---" alone may be a horizontal rule; it opens front matter only before "key:"
        if re.match(r"\+\+\+[ \t]*\n", text) or re.match(r"---[ \t]*\n[\w\"']+[ \t]*:", text):
            raise InputError(where, f"front matter opened with {text[:3]} is never closed")
        return {}, text
    fence, raw = m[1], m[2]
    try:
        fields = tomllib.loads(raw) if fence == "+++" else yaml.load(raw, Loader=_FrontMatterLoader)
    except (ValueError, yaml.YAMLError, RecursionError) as e:  # ValueError: TOML errors, impossible dates
        kind = "TOML" if fence == "+++" else "YAML"
        raise InputError(where, f"broken {kind} front matter: {_front_matter_error(e)}") from None
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        raise InputError(where, "front matter is not a mapping of fields")
    return fields, text[m.end():]


class _Builder:
    """Accumulates text with block and inline offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []
        self.inlines: list[Inline] = []

    def write(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def block(self, kind: str, render, level: int = 0) -> None:
        """Writes one block; render(builder) writes its text."""
        if self.length:
            self.write("\n\n")
        start = self.length
        render(self)
        if self.length > start:
            self.blocks.append(Block(kind, start, self.length, level))

    def document(self, name: str, fmt: str) -> Document:
        return Document(name=name, format=fmt, text="".join(self.parts), blocks=self.blocks, inlines=self.inlines)


# ---------------------------------------------------------------- markdown

def _parse_markdown(body: str, name: str) -> Document:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(body)
    out = _Builder()
    kind_stack: list[tuple[str, int]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if t == "heading_open":
            kind_stack.append(("heading", int(tok.tag[1])))
        elif t == "list_item_open":
            kind_stack.append(("list_item", 0))
        elif t in ("heading_close", "list_item_close"):
            kind_stack.pop()
        elif t == "inline":
            kind, level = ("paragraph", 0)
            for k, lv in reversed(kind_stack):
                kind, level = k, lv
                break
            children = tok.children or []
            out.block(kind, lambda b, ch=children: _render_inline(b, ch), level)
        elif t in ("fence", "code_block"):
            content = tok.content.rstrip("\n")
            out.block("code_block", lambda b, c=content: b.write(c))
        elif t == "hr":
            out.blocks.append(Block("rule", out.length, out.length))
        elif t == "html_block":
            content = re.sub(r"<[^>]+>", " ", tok.content).strip()
            if content:
                out.block("paragraph", lambda b, c=content: b.write(c))
        i += 1
    doc = out.document(name, "markdown")
    _add_bare_urls(doc)
    return doc


def _add_bare_urls(doc: Document) -> None:
    """URLs written as plain text are links too (their text is the URL)."""
    covered = sorted((i.start, i.end) for i in doc.inlines if i.kind == "link")
    starts = [s for s, _ in covered]
    for m in _URL.finditer(doc.text):
        url = m.group(0).rstrip(".,;:")
        k = bisect.bisect_right(starts, m.start()) - 1  # the last link opening at or before the URL
        if k < 0 or m.start() >= covered[k][1]:
            doc.inlines.append(Inline("link", m.start(), m.start() + len(url), url))
    doc.inlines.sort(key=lambda i: (i.start, i.end))


def _render_inline(b: _Builder, children) -> None:
    open_marks: list[tuple[str, int, str | None]] = []
    for ch in children:
        t = ch.type
        if t == "text":
            b.write(ch.content)
        elif t in ("softbreak", "hardbreak"):
            b.write("\n")
        elif t == "code_inline":
            start = b.length
            b.write(ch.content)
            b.inlines.append(Inline("code", start, b.length))
        elif t == "link_open":
            open_marks.append(("link", b.length, ch.attrGet("href")))
        elif t == "em_open":
            open_marks.append(("emphasis", b.length, None))
        elif t == "strong_open":
            open_marks.append(("strong", b.length, None))
        elif t in ("link_close", "em_close", "strong_close"):
            if open_marks:
                kind, start, url = open_marks.pop()
                if b.length > start:
                    b.inlines.append(Inline(kind, start, b.length, url))
        elif t == "image":
            continue
        elif t == "html_inline":
            continue


# ---------------------------------------------------------------- plain text

_URL = re.compile(r"https?://[^\s)\]>\"'«»]+")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·▪◦‣–]\s+|\d+\w{0,3}\s*[-.)]\s+)")


def _parse_plain(body: str, name: str) -> Document:
    """Scraped text: every non-empty line is a block; headings are decided by segmentation."""
    blocks: list[Block] = []
    inlines: list[Inline] = []
    pos = 0
    for line in body.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + (len(line) - len(line.lstrip()))
            end = start + len(stripped)
            kind = "list_item" if _LIST_MARKER.match(line) else "line"
            blocks.append(Block(kind, start, end))
            for m in _URL.finditer(stripped):
                url = m.group(0).rstrip(".,;:")
                inlines.append(Inline("link", start + m.start(), start + m.start() + len(url), url))
        pos += len(line) + 1
    return Document(name=name, format="text", text=body, blocks=blocks, inlines=inlines)


# ---------------------------------------------------------------- HTML

_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg", "button", "iframe", "template"}
_BLOCK_TAGS = {"p": "paragraph", "li": "list_item", "pre": "code_block", "blockquote": "paragraph",
               "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading",
               "td": "paragraph", "th": "paragraph", "dt": "paragraph", "dd": "paragraph", "figcaption": "paragraph"}
_INLINE_TAGS = {"a": "link", "em": "emphasis", "i": "emphasis", "strong": "strong", "b": "strong", "code": "code"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed", "track"}


class _HtmlReader(HTMLParser):
    """Collects blocks from the main content (article or main when present)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple] = []  # ("block", kind, level, [segments]) / ("rule",)
        self.skip_depth = 0
        self.current: list | None = None
        self.meta: dict = {}
        self.in_title = False
        self.title_parts: list[str] = []
        self.main_markers: list[int] = []
        self.depth = 0
        self.main_depth: int | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in _VOID:
            self.depth += 1
        if tag == "title":
            self.in_title = True
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name") or ""
            if key in ("og:title", "article:published_time", "date", "article:tag", "author", "keywords"):
                self.meta.setdefault(key, attrs.get("content"))
            return
        if tag in _SKIP_TAGS and tag not in _VOID:
            self.skip_depth += 1
            return
        if self.skip_depth:
            return
        if tag in ("article", "main") and self.main_depth is None:
            self.main_depth = self.depth
            self.main_markers.append(len(self.items))
        if tag == "hr":
            self._close_block()
            self.items.append(("rule",))
        elif tag == "br" and self.current is not None:
            self.current[3].append(("text", "\n"))
        elif tag in _BLOCK_TAGS:
            self._close_block()
            level = int(tag[1]) if tag[0] == "h" and tag[1:].isdigit() else 0
            self.current = ["block", _BLOCK_TAGS[tag], level, []]
        elif tag in _INLINE_TAGS:
            self._ensure_block()
            self.current[3].append(("open", _INLINE_TAGS[tag], attrs.get("href")))
        elif tag in ("div", "section", "table", "tr", "ul", "ol"):
            self._close_block()

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            if tag not in _VOID:
                self.depth -= 1
            return
        if tag not in _VOID:
            if self.main_depth is not None and self.depth == self.main_depth and tag in ("article", "main"):
                self._close_block()
                self.main_markers.append(len(self.items))
                self.main_depth = -1  # closed: later content is outside the main part
            self.depth -= 1
        if self.skip_depth:
            return
        if tag in _BLOCK_TAGS:
            self._close_block()
        elif tag in _INLINE_TAGS and self.current is not None:
            self.current[3].append(("close", _INLINE_TAGS[tag], None))

    def handle_data(self, data):
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.skip_depth:
            return
        if not data.strip() and self.current is None:
            return
        self._ensure_block()
        self.current[3].append(("text", data))

    def _ensure_block(self):
        if self.current is None:
            self.current = ["block", "paragraph", 0, []]

    def _close_block(self):
        if self.current is not None:
            self.items.append(tuple(self.current))
            self.current = None

    def close(self):
        super().close()
        self._close_block()


def _parse_html(text: str, name: str) -> Document:
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    items = reader.items
    if len(reader.main_markers) >= 1:
        start = reader.main_markers[0]
        end = reader.main_markers[1] if len(reader.main_markers) > 1 else len(items)
        items = items[start:end]
    out = _Builder()
    for item in items:
        if item[0] == "rule":
            out.blocks.append(Block("rule", out.length, out.length))
            continue
        _, kind, level, segments = item
        if not "".join(s[1] for s in segments if s[0] == "text").strip():
            continue

        def render(b: _Builder, segs=segments, keep_lines=(kind == "code_block")):
            stack: list[tuple[str, int, str | None]] = []
            pending_space = False
            for seg in segs:
                if seg[0] == "text":
                    s = seg[1] if keep_lines else re.sub(r"[ \t\r\f\v]+", " ", seg[1])
                    if not keep_lines:
                        s = re.sub(r"\s*\n\s*", "\n", s)
                        if b.length == block_start[0]:
                            s = s.lstrip()
                    if pending_space and s and not s[0].isspace():
                        b.write(" ")
                    pending_space = False
                    b.write(s)
                elif seg[0] == "open":
                    stack.append((seg[1], b.length, seg[2]))
                elif stack:
                    k, start, url = stack.pop()
                    if b.length > start:
                        b.inlines.append(Inline(k, start, b.length, url))

        block_start = [out.length + (2 if out.length else 0)]
        n_parts, n_blocks, n_inlines = len(out.parts), len(out.blocks), len(out.inlines)
        out.block(kind, render, level)
        if len(out.blocks) > n_blocks:  # trailing white space of a block is not content
            written = "".join(out.parts[n_parts:])  # this block only: a page of many blocks stays linear
            cut = len(written) - len(written.rstrip())
            if cut:
                out.parts[n_parts:] = [written[:-cut]]
                out.length -= cut
                out.blocks[-1].end = out.length
                out.inlines[n_inlines:] = [i for i in out.inlines[n_inlines:] if i.start < out.length]
                for i in out.inlines[n_inlines:]:
                    i.end = min(i.end, out.length)
    doc = out.document(name, "html")
    front: dict = {}
    title = reader.meta.get("og:title") or "".join(reader.title_parts).strip()
    if title:
        front["title"] = title
    if reader.meta.get("article:published_time"):
        front["date"] = reader.meta["article:published_time"]
    elif reader.meta.get("date"):
        front["date"] = reader.meta["date"]
    if reader.meta.get("keywords"):
        front["tags"] = [t.strip() for t in reader.meta["keywords"].split(",") if t.strip()]
    doc.front_matter = front
    return doc
