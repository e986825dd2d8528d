"""Name normalisation shared by matching, resolution and IRI minting."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_EDGE_SYMBOLS = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)


@lru_cache(maxsize=1 << 16)  # extraction looks up the same words and word runs again and again
def fold(text: str) -> str:
    """Case-folded text without accents."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1 << 16)
def key(text: str) -> str:
    """Matching key: folded, with everything but letters and digits removed ("Red Hat" = "redhat")."""
    return _NON_ALNUM.sub("", fold(text))


def slug(text: str) -> str:
    """IRI segment: folded, runs of other characters turned into one "-"."""
    return _NON_ALNUM.sub("-", fold(text)).strip("-") or "unnamed"


def strip_symbols(text: str) -> str:
    """Removes emoji and decorative symbols around a title ("☁️ Titre ☁️" -> "Titre")."""
    def is_decoration(ch: str) -> bool:
        cat = unicodedata.category(ch)
        return cat in ("So", "Sk", "Cs", "Co", "Mn", "Cf") or ch in "\ufe0f\u200d*#_|>"

    text = text.strip()
    while text and (is_decoration(text[0]) or text[0].isspace()):
        text = text[1:]
    while text and (is_decoration(text[-1]) or text[-1].isspace()):
        text = text[:-1]
    return text
