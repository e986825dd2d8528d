"""Fuzzing ingestion and segmentation: random and mutated recaps raise nothing but InputError.

Reproducible (derandomize: the same examples on every run) and moderate in size; the
test that also runs extraction (spaCy) is marked slow.
"""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kg.document import decode, parse_document
from kg.errors import InputError
from kg.segment import segment

from conftest import CORPUS

RECAPS = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("0*.txt"))]
NAMES = st.sampled_from(["recap.md", "recap.txt", "page.html", "recap"])
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# any text, and text made of the characters that mean something to one of the formats
TEXT = st.one_of(st.text(max_size=2000),
                 st.text(st.sampled_from(list("#*_-+=[]()<>/!`~|:\"' \n\t\r\x00\ufeffaéZ0.&;{}")), max_size=2000))


def read(text: str, name: str):
    """The document and its recap; None when the text is refused with an InputError."""
    try:
        doc = parse_document(text, name)
    except InputError as e:
        assert name in str(e) and e.reason
        return None
    n = len(doc.text)
    assert all(0 <= b.start <= b.end <= n for b in doc.blocks)
    assert all(0 <= i.start <= i.end <= n for i in doc.inlines)
    return doc, segment(doc)


@FUZZ
@given(st.binary(max_size=3000))
def test_decode_random_bytes(raw):
    try:
        text = decode(raw, "x.bin")
    except InputError as e:
        assert e.reason in ("binary file, not text", "empty file")
        return
    assert text.strip() and "\r" not in text


@FUZZ
@given(TEXT, NAMES)
def test_random_text(text, name):
    read(text, name)


WORDS = st.sampled_from(["Kubernetes", "Docker", "Alice Martin", "chez", "Deezer", "présente", "le", "talk", "k8s",
                         "Speakers :", "Rédigé par", "Cloud Nord 2023", "Lille", "**", "`kubectl`", "&", "et", "é"])
LINE = st.lists(WORDS, max_size=12).map(" ".join)
URL = st.from_regex(r"https?://[a-z]{1,8}\.[a-z]{2,3}(/[\w\-]{0,8}){0,3}", fullmatch=True)
BLOCK = st.one_of(
    st.tuples(st.integers(1, 7), LINE).map(lambda t: "#" * t[0] + " " + t[1]),
    LINE.map(lambda s: "- " + s), LINE.map(lambda s: "1. " + s), LINE.map(lambda s: "> " + s),
    st.tuples(LINE, URL).map(lambda t: f"[{t[0]}]({t[1]})"), URL,
    LINE.map(lambda s: f"**{s}**"), LINE.map(lambda s: f"_{s}_"),
    LINE.map(lambda s: f"```\n$ {s}\n```"), LINE.map(lambda s: f"```\n{s}"),  # closed and unclosed fences
    LINE.map(lambda s: f"| {s} | x |\n|---|---|\n| a | b |"),
    LINE.map(lambda s: f"<div><p>{s}</p>"), st.just("---"), st.just(""), LINE, st.text(max_size=40),
)
FRONT_MATTER = st.one_of(
    st.just(""),
    st.lists(st.tuples(st.sampled_from(["title", "date", "tags", "author", "x"]),
                       st.one_of(LINE, st.dates().map(str), st.from_regex(r"\A\d{4}-\d\d-\d\d\Z"),  # 2023-02-30
                                 st.text(max_size=20), st.lists(WORDS, max_size=3).map(str), st.just("&a [*a]"))),
             max_size=4).map(lambda kv: "---\n" + "".join(f"{k}: {v}\n" for k, v in kv) + "---\n"),
    st.lists(st.tuples(st.sampled_from(["title", "date", "tags"]), st.one_of(LINE, st.text(max_size=20))),
             max_size=4).map(lambda kv: "+++\n" + "".join(f'{k} = "{v}"\n' for k, v in kv) + "+++\n"),
    st.text(max_size=60).map(lambda s: "---\n" + s),  # never closed, or anything at all
)


@FUZZ
@given(FRONT_MATTER, st.lists(BLOCK, max_size=30), st.sampled_from(["\n", "\n\n"]), NAMES)
def test_random_markdown(front, blocks, sep, name):
    read(front + sep.join(blocks), name)


@st.composite
def mutated_recap(draw):
    """A bundled recap with spans deleted, duplicated or replaced by random text."""
    text = draw(st.sampled_from(RECAPS))
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 2000)))
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "replace"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            noise = draw(st.one_of(st.text(max_size=50), BLOCK))
            text = text[:i] + noise + (text[i:] if op == "insert" else text[j:])
    return text


@FUZZ
@given(mutated_recap(), NAMES)
def test_mutated_recaps(text, name):
    read(text, name)


@FUZZ
@given(mutated_recap(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1"]))
def test_mutated_recaps_in_other_encodings(text, encoding):
    raw = text.encode(encoding, errors="replace")
    try:
        decoded = decode(raw, "recap.txt")
    except InputError:
        return
    read(decoded, "recap.txt")


@pytest.mark.slow
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_recap())
def test_mutated_recaps_extract(text):
    from kg.extract import extract

    result = read(text, "recap.md")
    if result:
        extract(result[1])
