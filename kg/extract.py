"""Stage 3: talk Sections become Mentions of people, organisations and tools.

Every mention keeps the offsets (into the Document text) and the rule that found
it, with a confidence. Rules are general: speaker lines ("Speakers : A & B, Org",
"Présentée par X - Role chez Org"), people who are the subject of a verb in a talk's
summary, name captions; employers stated next to a name ("chez", "travaille pour",
"de Org" after a presenter); tools from the gazetteer, from context ("l'outil X",
"X, un framework"), from links, repository addresses, code spans, product-like
names ("OpenTofu", "k3s") and shell prompts, each with a confidence (MIN_TOOL_CONFIDENCE).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from . import gazetteer
from .document import Document, Inline
from .names import fold, key
from .segment import Recap, Section


@dataclass(slots=True)
class Mention:
    text: str
    start: int
    end: int
    rule: str
    confidence: float
    canonical: str | None = None  # gazetteer label, when the name is known
    # where it was read, for evidence: the words as written and the rest of their sentence
    exact: str = ""
    prefix: str = ""
    suffix: str = ""


@dataclass(slots=True)
class PersonMention(Mention):
    affiliation: Mention | None = None


@dataclass(slots=True)
class TalkExtraction:
    title: str
    title_aliases: list[str]
    start: int
    end: int
    heading: Mention  # the title as read: evidence that the talk exists
    speakers: list[PersonMention] = field(default_factory=list)
    tools: list[Mention] = field(default_factory=list)


@dataclass
class Extraction:
    """What one recap says: the unit cached per content hash and resolved across recaps."""

    source_file: str
    title: str | None
    published: str | None
    event: dict
    authors: list[Mention]
    talks: list[TalkExtraction]
    former_names: list[tuple[str, str]] = field(default_factory=list)  # (organisation, its former name)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Extraction":
        def person(d):
            aff = d.get("affiliation")
            return PersonMention(**{**d, "affiliation": Mention(**aff) if aff else None})

        talks = [TalkExtraction(title=t["title"], title_aliases=t["title_aliases"], start=t["start"], end=t["end"],
                                heading=Mention(**t["heading"]), speakers=[person(s) for s in t["speakers"]],
                                tools=[Mention(**m) for m in t["tools"]])
                 for t in data["talks"]]
        return cls(source_file=data["source_file"], title=data["title"], published=data["published"],
                   event=data["event"], authors=[Mention(**a) for a in data["authors"]], talks=talks,
                   former_names=[tuple(pair) for pair in data.get("former_names", [])])


# ---------------------------------------------------------------- names

_CAP = r"[A-ZÀ-ÖØ-Ý][a-zà-öø-ÿ]+(?:-[A-ZÀ-ÖØ-Ý][a-zà-öø-ÿ]+)?"
_UPPER = r"[A-ZÀ-ÖØ-Ý]{2,}(?:-[A-ZÀ-ÖØ-Ý]{2,})?"
_NAME = re.compile(rf"\b({_CAP})((?:[ \u00a0]+(?:{_CAP}|{_UPPER})){{0,2}})(?![\w-])")
_ORG = r"(?:[A-Z0-9À-Ý]|[a-z][A-Z])[\w&.'’+-]*(?:[ \u00a0]+(?:(?:[A-Z0-9À-Ý]|[a-z][A-Z])[\w&.'’+-]*|&))*"
# given names that are also ordinary words, when they open a sentence
_COMMON_WORD_NAMES = {"grace", "rose", "olive", "prudence", "constance", "clemence", "patience", "esperance",
                      "victoire", "aurore", "celeste", "blanche", "marine", "colombe", "ambre", "france", "lorraine",
                      "avril", "aime", "desire", "modeste", "fortune", "placide", "parfait", "honore", "gagnant",
                      "pascal", "sage", "ange", "cloud", "dominique", "benoit", "martin"}
_ROLE_WORDS = {"senior", "junior", "lead", "head", "principal", "staff", "cloud", "site", "software", "data", "devops",
               "developer", "developpeur", "developpeuse", "ingenieur", "ingenieure", "engineer", "architect",
               "architecte", "consultant", "consultante", "cto", "ceo", "cio", "vp", "directeur", "directrice",
               "product", "tech", "technical", "sre", "manager", "freelance", "independant", "fondateur",
               "fondatrice", "co-fondateur", "president", "responsable", "expert", "experte", "chef", "security",
               "platform", "backend", "frontend", "fullstack", "ops", "owner", "coach", "formateur", "formatrice",
               "dev", "ux", "ui", "designer", "researcher", "chercheur", "chercheuse", "doctorant", "etudiant",
               "engineering"}
# role words that name a field, not a job: they also end company names ("Clever Cloud", "Acme Software")
_FIELD_WORDS = {"cloud", "site", "software", "data", "devops", "product", "tech", "technical", "security", "platform",
                "backend", "frontend", "fullstack", "ops", "dev", "ux", "ui", "engineering"}
_EMPLOYER = re.compile(
    rf"(?:\bchez|\btravaill\w*\s+(?:pour|chez|à)|\bemploy\w*\s+(?:par|chez)|@|\bat)\s+(?P<org>{_ORG})")
_AUX = {"nous", "vous", "a", "ont", "avait", "avaient", "est", "sont", "était", "étaient", "sera", "seront", "va",
        "vont", "y", "lui", "leur", "se", "s'", "s’", "en", "n'a", "n’a"}
_NOT_VERB = {"de", "le", "la", "les", "que", "qui", "une", "comme", "même", "entre", "contre", "notre", "votre",
             "autre", "personne", "équipe", "type", "manière", "chaque", "cette", "celle", "elle", "quelque",
             "ensemble", "pratique", "solution", "démonstration", "présentation", "conférence", "histoire"}
_CITED_BEFORE = re.compile(
    r"(?:\bpar|\bavec|\bselon|\bd'après|\bd’après|\bde|\bdu|\bd'|\bd’|\bà|\bau|\bpour|\bsur|\bcontre|"
    r"\bauteur|\bcréateur|\bfondateur|\barticle)\s*$", re.I)
_PRESENTED_BY = re.compile(r"(pr[ée]sent[ée]e?s?|anim[ée]e?s?|donn[ée]e?s?|propos[ée]e?s?)\s+par\s*:?\s*$", re.I)
_SPEAKER_LINE = re.compile(
    r"^\s*(?:speakers?|intervenant(?:e|s|es)?|orat(?:eur|rice)s?|pr[ée]sent[ée]e?s?\s+par|anim[ée]e?s?\s+par|"
    r"par|avec)\s*:?\s+", re.I)
_FULL_NAMES = rf"{_CAP}(?:\s+(?:{_CAP}|{_UPPER})){{1,2}}(?:\s*(?:,|&|et)\s*{_CAP}(?:\s+(?:{_CAP}|{_UPPER})){{1,2}})*"
_NAME_LINE = re.compile(rf"^{_FULL_NAMES}\s*(?:[-–,@]|\()\s*{_ORG}\)?\s*$")
_BARE_NAME_LINE = re.compile(rf"^{_FULL_NAMES}$")
# words that introduce speakers ("Par X", "Présenté Par X", "Speakers X"): capitalised, never part of a name
_CUE_WORDS = {"par", "avec", "presente", "presentee", "presentes", "presentees", "anime", "animee", "animes",
              "animees", "speaker", "speakers", "intervenant", "intervenante", "intervenants", "intervenantes",
              "orateur", "oratrice", "orateurs", "oratrices"}
# what puts the next name in an organisation's slot: "chez X", "travaille pour X", "@X", "la société X"
_ORG_SLOT_BEFORE = re.compile(
    r"(?:\bchez|\btravaill\w*\s+(?:pour|chez|à)|\bemploy\w*\s+(?:par|chez)|@|\bat|\bla\s+soci[ée]t[ée]|"
    r"\bl['’]entreprise|\bla\s+start-?up|\bl['’]ESN|\ble\s+cabinet|\ble\s+groupe)\s*$", re.I)
_AUTHOR_LINE = re.compile(
    r"^\s*(?:r[ée]dig[ée]e?s?\s+par|r[ée]dact(?:eur|rice)s?|auteur|autrice|[ée]crit\s+par|article\s+de)\s*:?\s+", re.I)


def _is_person_name(first: str, rest: str, explicit: bool, known: frozenset[str]) -> bool:
    name = (first + rest).strip()
    if gazetteer.tools().lookup(name) or gazetteer.organizations().lookup(name) or key(name) in gazetteer.non_tools():
        return False
    if explicit:
        return True
    if gazetteer.is_first_name(first):
        return True
    # only the NER vouches for it: "Atelier Falco", "Sécuriser Kubernetes" are a title's words, not a person
    return " ".join(name.split()) in known and not any(gazetteer.tools().lookup(w) for w in name.split())


def _people_in(text: str, offset: int, explicit: bool = False,
               known: frozenset[str] = frozenset()) -> list[tuple[str, int, int]]:
    """(name, start, end) of the person names in text; known: full names the NER tagged as people.

    explicit (a speaker line): a capitalised name also counts when it stands in a
    person slot, at the start or after "&" / "et", even if its first name is unknown.
    """
    found = []
    previous_end = None  # where the last person name found ends
    pos = 0
    while (m := _NAME.search(text, pos)) is not None:
        first, rest = m.group(1), m.group(2) or ""
        if fold(first) in _CUE_WORDS:
            pos = m.start() + len(first)  # "Par Laurent Parent": the name starts after the cue
            continue
        # "Comme Joachim": a capitalised word that is no first name may open a sentence before a name
        pos = m.end() if not rest or gazetteer.is_first_name(first) or explicit else m.start() + len(first) + 1
        # only the text just before the name matters: looking at all of it would make long bodies quadratic
        before = text[max(0, m.start() - 200):m.start()]
        at_start = not before.strip() and not text[:m.start()].strip()
        slot = at_start or re.search(r"(&|\bet|\band|\bpar)\s*[-–]?\s*$", before)
        if explicit and not slot and not gazetteer.is_first_name(first):
            continue
        # "Engineering Manager", "Staff Engineer": a role, even when the NER tags it as a person
        if fold(first) in _ROLE_WORDS:
            continue
        if not _is_person_name(first, rest, explicit, known):
            continue
        if _ORG_SLOT_BEFORE.search(before[-30:]) or (
                previous_end is not None and _in_employer_slot(text[previous_end:m.start()], first)):
            continue
        sentence_start = at_start or re.search(r"[.!?:]\s*$", before)
        if not rest and sentence_start and fold(first) in _COMMON_WORD_NAMES:
            continue
        found.append((_normalise_person(first + rest), offset + m.start(), offset + m.end()))
        previous_end = m.end()
    return found


def _in_employer_slot(between: str, first: str) -> bool:
    """Whether a name right after a person's name is that person's employer: "A (Walmio SA)", "A de Hexanor",
    as _org_from reads them (a first name after "de" or in parentheses is rather another person)."""
    return bool(re.fullmatch(r"\s*(?:\(|de\s+|d['’]\s*)", between)) and not gazetteer.is_first_name(first)


def _normalise_person(name: str) -> str:
    """'Gabriel WESTRELIN' -> 'Gabriel Westrelin'."""
    return " ".join("-".join(p.capitalize() for p in w.split("-")) if w.isupper() and len(w) > 1 else w
                    for w in name.split())


def _org_from(attr: str, *, allow_bare: bool) -> tuple[str, int, int] | None:
    """The employer stated in the text that follows a name."""
    m = _EMPLOYER.search(attr[:160])
    if m:
        org = _trim_org(m["org"])
        if org:
            return org, m.start("org"), m.start("org") + len(org)
    m = re.match(rf"\s*\((?P<org>{_ORG})\)", attr)  # "Léa Bernard (Alan)"
    if m:
        org = _trim_org(m["org"])
        if org and (gazetteer.organizations().lookup(org) or not gazetteer.is_first_name(org.split()[0])):
            return org, m.start("org"), m.start("org") + len(org)
    m = re.match(rf"\s*(?:de|d'|d’)\s*(?P<org>{_ORG})", attr)
    if m and not gazetteer.cities().get(key(m["org"].split()[0])):
        org = _trim_org(m["org"])
        if org and not gazetteer.is_first_name(org.split()[0]):
            return org, m.start("org"), m.start("org") + len(org)
    if allow_bare:
        m = re.match(rf"\s*[,(–-]\s*(?P<org>{_ORG})\s*\)?\s*[.;]?\s*(?:,|et|&|and|[-–])?\s*$", attr)
        if m:
            org = _trim_org(m["org"])
            if org and fold(org.split()[0]) not in _ROLE_WORDS:
                return org, m.start("org"), m.start("org") + len(org)
    return None


_NOT_ORG_KINDS = {"generic", "practice", "language", "protocol", "standard", "format", "role", "certification",
                  "hardware"}


def _trim_org(org: str) -> str | None:
    org = org.strip(" .,;:'’-&")  # "Acme &" in "A, Acme & B, Other"
    words = org.split()
    # "Acme Senior Software Engineer" loses its role words; a role phrase ends with a job, so a field word
    # at the end belongs to the name ("Acme Software"), and so does a role word of a known name ("Clever Cloud")
    if words and fold(words[-1]) not in _FIELD_WORDS:
        while words and fold(words[-1]) in _ROLE_WORDS and not gazetteer.organizations().lookup(" ".join(words)):
            words.pop()
    org = " ".join(words)
    if not org or gazetteer.non_tools().get(key(org)) in _NOT_ORG_KINDS or len(org) < 2:
        return None
    return org


# ---------------------------------------------------------------- speakers

def _speaker_line_people(line_start: int, line: str, rule: str) -> list[PersonMention]:
    """Parses 'A & B, Org' / 'A - Role chez Org - et B - Role chez Org2' / 'A, Role chez Org'."""
    people = _people_in(line, line_start, explicit=True)
    mentions: list[PersonMention] = []
    attrs: list[tuple[str, int]] = []
    for i, (name, start, end) in enumerate(people):
        nxt = people[i + 1][1] - line_start if i + 1 < len(people) else len(line)
        mentions.append(PersonMention(name, start, end, rule, 0.95))
        attrs.append((line[end - line_start:nxt], end))
    _attach_affiliations(mentions, attrs, allow_bare=True)
    return mentions


def _attach_affiliations(mentions: list[PersonMention], attrs: list[tuple[str, int]], allow_bare: bool) -> None:
    """Reads each name's employer in the text after it (attrs: that text and its offset).

    A name whose attribute is empty ('A et B, Org') shares the next name's employer.
    """
    resolved: list[Mention | None] = [None] * len(mentions)
    for i in range(len(mentions) - 1, -1, -1):
        attr, base = attrs[i]
        if re.fullmatch(r"\s*(,|&|et|and)?\s*", attr) and i + 1 < len(mentions):
            resolved[i] = resolved[i + 1]
            continue
        org = _org_from(attr, allow_bare=allow_bare)
        if org:
            text, s, e = org
            resolved[i] = Mention(text, base + s, base + e, "employer-next-to-name", 0.9)
    for m, aff in zip(mentions, resolved):
        m.affiliation = aff


def _next_word_is_verb(text: str) -> bool:
    """Whether the text after a name group starts with a verb (the name is its subject)."""
    t = text
    # skip "de Company", then an apposition: ", Senior SRE chez X," or "(Principal Engineers chez Y)"
    m = re.match(rf"\s*(?:de|d'|d’)\s*{_ORG}", t)
    if m:
        t = t[m.end():]
    m = re.match(r"\s*\([^)]{0,120}\)", t) or re.match(r"\s*,[^,.;:!?]{0,120},", t)
    if m:
        t = t[m.end():]
    t = re.sub(r"^\s*,?\s*(?:le|la|les|l'|l’|lui|leur|en|y)\s+(?=[a-zà-ÿ])", " ", t)
    m = re.match(r"\s*,?\s*([a-zà-ÿ’']+(?:\s+(?:a|ont|avait))?)", t)
    if not m:
        return False
    word = m.group(1).split()[0]
    if word in _AUX or word in ("nous", "vous"):
        return True
    return word not in _NOT_VERB and len(word) > 2 and bool(re.search(r"(e|es|ent|it|ait|aient|ont|is)$", word))


def speakers_of(doc: Document, section: Section, authors: set[str],
                known: frozenset[str] = frozenset()) -> list[PersonMention]:
    found: list[PersonMention] = []
    if section.speaker_hint:
        start = doc.text.find(section.speaker_hint, section.title_start, section.title_end)
        found += _speaker_line_people(max(start, section.title_start), section.speaker_hint, "title-speakers")
    for caption in section.caption_names:
        pos = doc.text.find(caption, section.start)
        if _people_in(caption, pos, known=known):
            found.append(PersonMention(caption, pos, pos + len(caption), "name-caption", 0.6))
    body = doc.text[section.start:section.end]
    for number, m in enumerate(re.finditer(r"[^\n]+", body)):
        line, line_start = m.group(0), section.start + m.start()
        if _AUTHOR_LINE.match(line):
            continue
        head = _SPEAKER_LINE.match(line)
        if head and head.group(0).strip().lower() not in ("par", "avec") or (head and m.start() < 5):
            found += _speaker_line_people(line_start + head.end(), line[head.end():], "speaker-line")
            continue
        stripped = line.strip(" >*_")
        stripped_start = line_start + len(line) - len(line.lstrip(" >*_"))
        if number < 2 and _NAME_LINE.match(stripped):
            # "Jean Durand - Zenika", "> Alice Martin, Bob Durand (Scaleway)": a speaker line without a label
            found += _speaker_line_people(stripped_start, stripped, "name-line")
            continue
        if number < 2 and _BARE_NAME_LINE.match(stripped):
            # "Alice Martin" alone under the title, as scraped pages keep the speaker's name; without a
            # company to confirm it, each name must read as a person's (known first name or NER)
            people = _people_in(stripped, stripped_start, known=known)
            if len(people) == len(re.split(r"\s*(?:,|&|\bet\b)\s*", stripped)):
                found += [PersonMention(name, s, e, "name-line", 0.9) for name, s, e in people]
                continue
        found += _speakers_in_prose(line, line_start, known)
    return [p for p in found if key(p.text) not in authors]


# what joins two names that share a verb, after the first one's affiliation if it has its own:
# "A et B", "A (Org1) et B", "A de Org1, B", "A, Tech Lead chez Org1, et B"
_NAME_JOINER = re.compile(
    rf"(?:\s*\([^()]{{0,120}}\)|\s*(?:de|d'|d’)\s*{_ORG}|\s*,[^,.;:!?()]{{0,120}},)?\s*(?:,|&|et)\s*")


def _speakers_in_prose(line: str, line_start: int, known: frozenset[str]) -> list[PersonMention]:
    people = _people_in(line, line_start, known=known)
    if not people:
        return []
    # group names joined by "et" / "," / "&", each maybe with its affiliation: they share the verb
    groups: list[list[tuple[str, int, int]]] = []
    for p in people:
        if groups and _NAME_JOINER.fullmatch(line, groups[-1][-1][2] - line_start, p[1] - line_start):
            groups[-1].append(p)
        else:
            groups.append([p])
    out: list[PersonMention] = []
    for g in groups:
        before = line[:g[0][1] - line_start]
        after = line[g[-1][2] - line_start:]
        presented = bool(_PRESENTED_BY.search(before[-40:]))
        if not presented and _CITED_BEFORE.search(before[-25:]):
            continue
        if not presented and not _next_word_is_verb(after):
            continue
        mentions = []
        attrs = []
        later = [p[1] for p in people if p[1] > g[-1][2]]
        for i, (name, s, e) in enumerate(g):
            # the attribute of a name runs to the next name mentioned, in the group or after it
            nxt = (g[i + 1][1] if i + 1 < len(g) else (later[0] if later else line_start + len(line))) - line_start
            pm = PersonMention(name, s, e, "presented-by" if presented else "subject-of-verb",
                               0.9 if presented else 0.75)
            attr = line[e - line_start:nxt]
            # the employer is stated in the same clause, before the next sentence
            attr = re.split(r"(?<=[.!?])\s", attr)[0]
            mentions.append(pm)
            attrs.append((attr, e))
        _attach_affiliations(mentions, attrs, allow_bare=False)
        out += mentions
    return out


def authors_of(doc: Document) -> list[Mention]:
    """People named as writing the recap or a section of it ("Rédigé par", "Rédacteur")."""
    out: list[Mention] = []
    for m in re.finditer(r"[^\n]+", doc.text):
        head = _AUTHOR_LINE.match(m.group(0))
        if head:
            for name, s, e in _people_in(m.group(0)[head.end():], m.start() + head.end(), explicit=True):
                out.append(Mention(name, s, e, "author-line", 0.95))
    for value in _front_matter_authors(doc):
        out.append(Mention(value, -1, -1, "front-matter-author", 0.95))
    return out


def _front_matter_authors(doc: Document) -> list[str]:
    value = doc.front_matter.get("authors") or doc.front_matter.get("author") or []
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if isinstance(v, (str, int)) and str(v).strip()]


# ---------------------------------------------------------------- tools

_TOKEN = re.compile(r"[A-Za-zÀ-ÿ0-9_][A-Za-zÀ-ÿ0-9+#_]*(?:[.\-][A-Za-zÀ-ÿ0-9+#_]+)*")
_TOOL_CONTEXT_BEFORE = re.compile(
    r"(?:outils?|framework|librairie|biblioth[èe]que|solution|plateforme|projet|logiciel|cli|commande|plugin|"
    r"extension|moteur|service|comme|avec|via|sur|utilis\w+|tels? que|telles? que|notamment|dont|type)\W*$", re.I)
_UNKNOWN_BEFORE = re.compile(
    r"\b(?:l['’]outil|les outils|le framework|la librairie|la biblioth[èe]que|le projet|la solution|la plateforme|"
    r"le logiciel|le cli|la cli|la commande|le plugin|l['’]extension|le moteur|le service|appel[ée]e?|nomm[ée]e?|"
    r"baptis[ée]e?|gr[âa]ce [àa])\s+(?:open[- ]source\s+)?", re.I)
_COMMAND_BEFORE = re.compile(r"\b(?:l['’]outil|le cli|la cli|la commande|le binaire)\b", re.I)
_APPOSITIVE_AFTER = re.compile(
    r"^\s*(?:,|-|–|est|sont)\s*(?:un|une|le|la)\s+(?:\w+\s+)?(?:outil|framework|projet|solution|plateforme|librairie|"
    r"biblioth[èe]que|distribution|moteur|logiciel|service|cli|agent|runtime|orchestrateur|proxy|reverse proxy|"
    r"gestionnaire|syst[èe]me|produit|application|base de donn[ée]es|package manager|sdk|api|extension)\b", re.I)
_PROPER = r"[A-Z][\w+-]*(?:\.[\w+-]+)*"
_CANDIDATE_NAME = re.compile(rf"^({_PROPER}(?:[ \u00a0]+{_PROPER}){{0,3}})")
_CODE_NAME = re.compile(r"^([a-z][a-z0-9]{2,}(?:[.-][a-z0-9]+)*)\b")
_STOP = {"de", "du", "des", "le", "la", "les", "un", "une", "qui", "que", "pour", "en", "et", "à", "au", "aux", "ce",
         "cette", "son", "sa", "ses", "leur", "leurs", "open", "source", "interne", "maison", "ici", "la", "il", "elle",
         "ils", "elles", "on", "nous", "vous", "est", "sont", "plus", "très", "afin", "dans", "par", "sur", "cet",
         "ces", "mon", "ma", "mes", "notre", "nos", "votre", "vos", "the", "a", "an", "of", "to", "and", "this", "here"}
_GENERIC_ANCHOR = {"slides", "slide", "ici", "lien", "site", "site officiel", "article", "video", "vidéo", "replay",
                   "blog", "doc", "documentation", "github", "repo", "depot", "dépôt", "source", "sources", "voir",
                   "talk", "la", "le", "programme", "plus", "cette", "page", "youtube"}
_NON_TOOL_HOSTS = ("youtube.", "youtu.be", "twitter.", "x.com", "linkedin.", "speakerdeck.", "slideshare.",
                   "medium.com", "unsplash.", "docs.google.", "meetup.com", "eventbrite.", "wikipedia.")
# Rules for unknown tools give confidences from their precision with the tools gazetteer emptied
# (scripts/rule_precision.py on the dev set, all 1.0 at these levels): 0.85 for a link to the tool's own
# site or a repository the talk names, 0.8 for "l'outil X" / "X, un framework", 0.75 for a title opening
# with a name the summary repeats, 0.7 for a product-like name in a sentence about software, 0.65 for a
# code span (no code span in the dev set: kept just above the bar). Weaker cues get 0.6 (product-like
# names without a cue: 0.87 on the dev set) and are not kept.
MIN_TOOL_CONFIDENCE = 0.65
_ITEM = r"\b[A-Za-z0-9][\w+#-]*(?:\.[\w+#-]+)*"
_NAME_LIST = re.compile(rf"{_ITEM}(?:(?:\s*,\s*|\s+(?:et|ou|and|or|&)\s+){_ITEM}){{2,}}")
_LIST_ITEM = re.compile(_ITEM)
_LIST_WORDS = {"et", "ou", "and", "or"}

_REPO_URL = re.compile(r"(?:https?://)?(?:www\.)?(?P<host>github\.com|gitlab\.com|codeberg\.org|bitbucket\.org)"
                       r"/(?P<path>[\w.-]+(?:/[\w.-]+)*)", re.I)
# first path segments that are pages of the forge, not an owner
_FORGE_PAGES = {"orgs", "sponsors", "topics", "features", "marketplace", "settings", "login", "about", "collections",
                "trending", "explore", "apps", "enterprise", "pricing", "security", "customer-stories", "readme",
                "site", "users", "events", "search", "codespaces", "solutions", "resources", "groups", "dashboard"}
# path segments that name a part of a repository (an issue, a file...): the project is before them
_REPO_PARTS = {"-", "issues", "pull", "pulls", "merge_requests", "tree", "blob", "releases", "wiki", "wikis",
               "commit", "commits", "actions", "discussions", "tags", "raw", "compare", "packages", "pipelines", "src"}
# words of repository names that hold a talk's material, a demo or a list, not a tool
_NOT_TOOL_REPO_WORDS = {"hello", "demo", "demos", "example", "examples", "sample", "samples", "workshop", "workshops",
                        "talk", "talks", "slides", "tutorial", "tutorials", "lab", "labs", "poc", "playground",
                        "starter", "template", "codelab", "exercises", "training", "formation", "atelier", "conf",
                        "conference", "meetup", "awesome", "dotfiles", "blog", "website"}
_COMMAND = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # no path, flag, file name, key or snippet
# a product-like name: an inner capital ("OpenTofu", "cAdvisor"), a digit inside letters ("k3s"), a project domain
_PRODUCT_NAME = re.compile(
    r"(?<![\w./@-])(?:[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+|[a-z]+[A-Z][A-Za-z0-9]*|[A-Za-z]+[0-9]+[a-z][A-Za-z0-9]*"
    r"|[A-Za-z]+\.(?:js|io|sh|ai|dev|rs))(?![\w/@-]|\.\w)")
# a sentence that speaks of software
_SOFTWARE_CUE = re.compile(
    r"\b(?:outils?|frameworks?|librairies?|biblioth[èe]ques?|solutions?|plateformes?|projets?|logiciels?|produits?|"
    r"services?|open[- ]source|cli|plugins?|extensions?|moteurs?|versions?|install\w*|d[ée]ploy\w*|utilis\w+|"
    r"bas[ée]e?s? sur)\b", re.I)
# what names a company, a book or an event, not software ("l'agence [X](...)", "le livre X")
_NOT_TOOL_BEFORE = re.compile(
    r"\b(?:chez|l['’]agence|la soci[ée]t[ée]|l['’]entreprise|la start-?up|le cabinet|le groupe|l['’]ESN|le client|"
    r"le livre|l['’]ouvrage|l['’]article|le billet|le podcast|la conf[ée]rence|l['’][ée]v[ée]nement|le meetup|"
    r"la fondation|l['’]association|la communaut[ée]|l['’][ée]quipe)\s*$", re.I)
# what names a command ("avec `apply`" may be a sub-command: not enough)
_CODE_CONTEXT_BEFORE = re.compile(
    r"(?:\boutils?|\bcli|(?<!sous-)\bcommande|\bbinaire|\butilitaire|\bplugin|\bextension|\binstall\w*|"
    r"\blan[cç]\w*|\bex[ée]cut\w*)\W*$", re.I)


def _repo_name(url: str) -> str | None:
    """'github.com/org/name/issues/3' -> 'name'; None for an owner, a page of the forge or a demo repository."""
    m = _REPO_URL.match(url)
    if not m:
        return None
    segments = m["path"].rstrip(".").split("/")
    cut = next((i for i, s in enumerate(segments) if s.lower() in _REPO_PARTS), len(segments))
    segments = segments[:cut]
    if len(segments) < 2 or segments[0].lower() in _FORGE_PAGES:
        return None
    name = segments[-1] if m["host"].lower() == "gitlab.com" else segments[1]  # GitLab nests groups
    name = re.sub(r"\.git$", "", name)
    if (name.startswith(".") or name.lower().endswith((".github.io", ".gitlab.io"))
            or set(re.split(r"[-_.]", name.lower())) & _NOT_TOOL_REPO_WORDS):
        return None  # ".github", a user's pages, a demo
    return name


def _ordinary_word(word: str) -> bool:
    """A word of the language model's vocabulary ("sobriété", "apply"), unlike most tool names ("pulumi")."""
    from .nlp import pipeline

    return pipeline().vocab[word.lower()].has_vector


def _names_site(anchor: str, url: str) -> bool:
    """Whether a link points at the named project's own site: its host or a path segment holds the name
    ("[Krew](https://krew.sigs.k8s.io/)", "[Cloud Run](https://cloud.google.com/run)")."""
    k = key(anchor)
    host, _, path = re.sub(r"^[a-z]+://", "", url.lower()).partition("/")
    segments = [key(s) for s in re.split(r"[/?#]", path) if key(s)]
    return len(k) > 2 and (k in key(host) or any(k in s for s in segments)
                           or bool(segments) and len(segments[-1]) > 2 and segments[-1] in k)


def _written_with_symbols(surface: str, entry: gazetteer.Entry) -> bool:
    """Whether one of the entry's names has the symbols of the surface ("W & B" for "W&B")."""
    def bare(name: str) -> str:
        return "".join(fold(name).split())

    return any(bare(name) == bare(surface) for name in entry.names)


class ToolFinder:
    """Finds tool mentions in a span of a document."""

    def __init__(self, doc: Document, excluded_keys: set[str]) -> None:
        self.doc = doc
        self.excluded = excluded_keys
        self.gaz = gazetteer.tools()
        self.orgs = gazetteer.organizations()
        self.non_tools = gazetteer.non_tools()
        links = [i for i in doc.links if i.url]
        # a repository address written without a scheme ("github.com/org/name") is a link too
        links += [Inline("link", m.start(), m.start() + len(m.group(0).rstrip(".")), m.group(0).rstrip("."))
                  for m in _REPO_URL.finditer(doc.text) if not any(i.start <= m.start() < i.end for i in links)]
        self.links = sorted(links, key=lambda i: i.start)
        self.url_spans = [(i.start, i.end) for i in self.links if doc.span(i).startswith(("http", "www.", i.url))]
        self.code_blocks = [(b.start, b.end) for b in doc.blocks if b.kind == "code_block"]

    def _in(self, spans, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in spans)

    def find(self, start: int, end: int) -> list[Mention]:
        text = self.doc.text
        found: list[Mention] = []
        tokens = [(m.start() + start, m.end() + start, m.group(0)) for m in _TOKEN.finditer(text[start:end])]
        tokens = [t for t in tokens if not self._in(self.url_spans, t[0], t[1]) and not self._in(self.code_blocks, t[0], t[1])]
        i = 0
        while i < len(tokens):
            match = None
            for n in range(min(self.gaz.max_words, len(tokens) - i), 0, -1):
                window = tokens[i:i + n]
                gaps = [text[a[1]:b[0]].strip() for a, b in zip(window, window[1:])]
                if any(g not in ("", "/", "&", "+") for g in gaps):
                    continue  # names span spaces (or a slash: "anchore/syft"; "&" and "+": "Weights & Biases")
                surface = text[window[0][0]:window[-1][1]]
                entry = self.gaz.lookup(surface)
                if entry and any(g in ("&", "+") for g in gaps) and not _written_with_symbols(surface, entry):
                    continue  # matching keys drop "&": "Docker & Compose" is no "Docker Compose"
                if entry and self._accept(entry, surface, window[0][0]):
                    match = (n, Mention(surface, window[0][0], window[-1][1], "gazetteer", 0.9, entry.label))
                    break
            if match:
                found.append(match[1])
                i += match[0]
            else:
                i += 1
        found += self._from_lists(found, start, end)
        found += self._from_context(start, end)
        found += self._from_repos(start, end)
        found += self._from_links(start, end)
        found += self._from_code_spans(start, end)
        found += self._from_product_names(start, end)
        found += self._from_prompts(start, end)
        return [m for m in found if self.keep(m)]

    def _from_lists(self, known: list[Mention], start: int, end: int) -> list[Mention]:
        """"Prometheus, Zorgmon et Grafana": an unknown name listed among at least two known tools."""
        text = self.doc.text
        known_spans = {(m.start, m.end) for m in known}
        out = []
        for lst in _NAME_LIST.finditer(text, start, end):
            items = [(m.start(), m.end()) for m in _LIST_ITEM.finditer(text, lst.start(), lst.end())
                     if m.group(0) not in _LIST_WORDS]
            if sum(span in known_spans for span in items) < 2:
                continue
            for s, e in items:
                name = text[s:e]
                if any(ks <= s and e <= ke for ks, ke in known_spans):
                    continue  # a known tool or a word of one ("Weights & Biases")
                if not name[:1].isupper() or " " in name or len(name) < 3:
                    continue
                if gazetteer.is_first_name(name) or key(name) in gazetteer.cities() or _ordinary_word(name):
                    continue
                out.append(Mention(name, s, e, "tool-list", 0.7))
        return out

    def _accept(self, entry, surface: str, pos: int) -> bool:
        if key(surface) in self.non_tools and key(surface) != key(entry.label):
            return False
        if "_" in surface:
            return False
        if not entry.ambiguous:
            return True
        if surface in entry.names and surface[:1].isupper():
            return True
        if re.search(r"[.\-0-9]", surface):
            return True  # "dagger.io", "Co-pilot": not an ordinary word
        spelled_as_named = fold(surface) in {fold(n) for n in entry.names}
        if spelled_as_named and " " in surface:
            # "github copilot": its first word would be taken as a tool anyway, so the full name wins
            head = self.gaz.lookup(surface.split()[0])
            if head and not head.ambiguous:
                return True
        before = self.doc.text[max(0, pos - 40):pos]
        return spelled_as_named and bool(_TOOL_CONTEXT_BEFORE.search(before))

    def keep(self, m: Mention) -> bool:
        if m.confidence < MIN_TOOL_CONFIDENCE:
            return False
        k = key(m.canonical or m.text)
        if not k or k in self.excluded or k in self.non_tools:
            return False
        if m.canonical is None and (self.orgs.lookup(m.text) or gazetteer.event_series().lookup(m.text)):
            return False
        # an unknown name that is the plural of a non-tool ("NetworkPolicies", "Pipelines")
        return m.canonical is not None or not (k.endswith("s") and k[:-1] in self.non_tools
                                               or k.endswith("ies") and k[:-3] + "y" in self.non_tools)

    def _candidate(self, text: str, pos: int, rule: str, confidence: float, code_ok: bool = False) -> Mention | None:
        m = _CANDIDATE_NAME.match(text) or (_CODE_NAME.match(text) if code_ok else None)
        if not m:
            return None
        name = m.group(1).rstrip(".-")
        words = name.split()
        while words and fold(words[-1]) in _STOP:
            words.pop()
        name = " ".join(words)
        if not name or fold(name) in _STOP or len(name) < 2:
            return None
        entry = self.gaz.lookup(name)
        if gazetteer.is_first_name(words[0]) and len(words) <= 3 and not entry:
            return None
        return Mention(name, pos, pos + len(name), rule, confidence, entry.label if entry else None)

    def _from_context(self, start: int, end: int) -> list[Mention]:
        text = self.doc.text
        out = []
        for m in _UNKNOWN_BEFORE.finditer(text, start, end):
            code_ok = bool(_COMMAND_BEFORE.search(m.group(0)))
            cand = self._candidate(text[m.end():end], m.end(), "tool-context", 0.8, code_ok=code_ok)
            if cand:
                out.append(cand)
        # "X, un outil ...", "X est un framework ..."
        for m in re.finditer(rf"({_PROPER}(?:[ \u00a0]+{_PROPER}){{0,2}})(?=\s*(?:,|-|–|est|sont)\s)", text[start:end]):
            after = text[start + m.end():start + m.end() + 80]
            if _APPOSITIVE_AFTER.match(after):
                cand = self._candidate(m.group(1), start + m.start(), "tool-appositive", 0.8)
                if cand:
                    out.append(cand)
        return out

    def _from_repos(self, start: int, end: int) -> list[Mention]:
        """The project of a repository address: 'github.com/org/name', also in a link to one of its issues."""
        out = []
        for link in self.links:
            name = _repo_name(link.url) if start <= link.start < end else None
            if not name:
                continue
            anchor = self.doc.span(link).strip()
            if key(anchor) == key(name):  # "[Krew](https://github.com/kubernetes-sigs/krew)"
                out.append(Mention(anchor, link.start, link.end, "repo-url", 0.85))
                continue
            # the talk also writes the name ("Kata Containers" for kata-containers): the project is its subject;
            # a name that is an ordinary word ("app") must then be capitalised
            written = re.compile(r"(?<![\w/.-])" + r"[-_. ]?".join(map(re.escape, re.split(r"[-_.]", name)))
                                 + r"(?![\w/-])", re.I)
            ordinary = _ordinary_word(name)
            said = next((m for m in written.finditer(self.doc.text, start, end)
                         if not self._in(self.url_spans, m.start(), m.end())
                         and not (ordinary and m.group(0).islower())), None)
            if said:
                out.append(Mention(said.group(0), said.start(), said.end(), "repo-url", 0.85))
            else:
                out.append(Mention(name, link.start, link.end, "repo-url", 0.6))
        return out

    def _from_links(self, start: int, end: int) -> list[Mention]:
        """A link's anchor: a tool when the link points at its own site ("[Krew](https://krew.sigs.k8s.io/)")."""
        out = []
        for link in self.links:
            if not start <= link.start < end:
                continue
            anchor = self.doc.span(link).strip()
            words = anchor.split()
            if (not words or anchor.startswith(("http", "www.", link.url)) or fold(anchor) in _GENERIC_ANCHOR
                    or len(words) > 3 or any(fold(w) in _STOP for w in words) or anchor[-1] in ".,;:!?"):
                continue  # a sentence or a generic anchor ("la doc", "ici")
            if any(h in link.url for h in _NON_TOOL_HOSTS) or key(anchor) == key(_repo_name(link.url) or ""):
                continue
            if self.gaz.lookup(anchor):
                continue  # already found by the gazetteer
            if (gazetteer.is_first_name(words[0]) or self.orgs.lookup(anchor)
                    or _NOT_TOOL_BEFORE.search(self.doc.text[max(0, link.start - 30):link.start])):
                continue
            out.append(Mention(anchor, link.start, link.end, "link-anchor",
                               0.85 if _names_site(anchor, link.url) else 0.6))
        return out

    def _from_code_spans(self, start: int, end: int) -> list[Mention]:
        """`k9s`: a code span holding one command-like word, after a tool cue ("l'outil", "installer") or
        typed at a shell prompt in the talk's code blocks."""
        typed = {m.group(1) for s, e in self.code_blocks if start <= s < end
                 for m in re.finditer(r"^\s*[$>%]\s+([a-z][\w-]*)", self.doc.text[s:e], re.M)}
        out = []
        for code in self.doc.inlines:
            word = self.doc.span(code)
            if code.kind != "code" or not start <= code.start < end or len(word) < 2 or not _COMMAND.fullmatch(word):
                continue
            if self.gaz.lookup(word):
                continue  # the gazetteer finds it
            cue = _CODE_CONTEXT_BEFORE.search(self.doc.text[max(0, code.start - 30):code.start])
            if (word in typed or cue) and not _ordinary_word(word):
                out.append(Mention(word, code.start, code.end, "code-span", 0.65))
        return out

    def _from_product_names(self, start: int, end: int) -> list[Mention]:
        """'OpenTofu', 'k3s', 'Node.js' in a sentence that speaks of software."""
        text = self.doc.text
        out = []
        for m in _PRODUCT_NAME.finditer(text, start, end):
            if (self.gaz.lookup(m.group(0)) or self._in(self.url_spans, m.start(), m.end())
                    or self._in(self.code_blocks, m.start(), m.end())
                    or _NOT_TOOL_BEFORE.search(text[max(0, m.start() - 30):m.start()])):
                continue
            before = re.split(r"[.!?]\s|\n", text[max(start, m.start() - 200):m.start()])[-1]
            after = re.split(r"[.!?]\s|\n", text[m.end():min(end, m.end() + 200)])[0]
            cue = _SOFTWARE_CUE.search(before) or _SOFTWARE_CUE.search(after)
            out.append(Mention(m.group(0), m.start(), m.end(), "product-name", 0.7 if cue else 0.6))
        return out

    def _from_prompts(self, start: int, end: int) -> list[Mention]:
        """The command typed at a shell prompt in a code block ("$ kubectl get pods")."""
        out = []
        for s, e in self.code_blocks:
            if not (start <= s < end):
                continue
            for m in re.finditer(r"^\s*[$>%#]\s+([a-z][\w.-]*)", self.doc.text[s:e], re.M):
                entry = self.gaz.lookup(m.group(1))
                if entry:
                    pos = s + m.start(1)
                    out.append(Mention(m.group(1), pos, pos + len(m.group(1)), "shell-prompt", 0.85, entry.label))
        return out


_OWN_TALK = re.compile(
    r"\b(?:mon (?:talk|lab|atelier|workshop|quickie|lightning talk|intervention)|"
    r"ma (?:conf[ée]rence|pr[ée]sentation|session|keynote)|"
    r"j['’]ai (?:eu (?:la chance|le plaisir|l['’]occasion) de |pu )?(?:pr[ée]sent[ée]r?|anim[ée]r?|donn[ée]r? (?:un|mon|ce|le|cet))|"
    r"je (?:pr[ée]sentais|pr[ée]sente|donnais|animais))\b", re.I)


def _author_own_talk(doc: Document, section: Section, authors: list[Mention]) -> list[PersonMention]:
    """"Mon talk : ...", "J'ai présenté ...": the recap's author speaks; the cue is the evidence."""
    named = [a for a in authors if len(a.text.split()) > 1]
    text = doc.text[section.title_start:min(section.end, section.start + 400)]
    m = _OWN_TALK.search(text)
    if not named or not m:
        return []
    start = section.title_start + m.start()
    return [PersonMention(a.text, start, start + len(m.group(0)), "author-own-talk", 0.7) for a in named]


def _title_tool(section: Section, doc: Document, finder: ToolFinder) -> list[Mention]:
    """'Mimir', 'Falco: le pack ...', 'Pulumi - Infra as true Code': the name that opens a title."""
    m = re.match(r"^([A-Z][\w.+-]*)(?:\s*(?:[:,]|\s[-–])\s|$)", section.title)
    if not m:
        return []
    name = m.group(1)
    if gazetteer.tools().lookup(name) or gazetteer.is_first_name(name) or len(name) < 3:
        return []
    pos = doc.text.find(name, section.title_start)
    # a name the summary writes again with its capital inside a sentence is its subject, unless it is an
    # ordinary word ("Sobriété : ...")
    again = re.search(rf"(?:(?<=[^\s.!?:]\s)|(?<=['’(])){re.escape(name)}(?![\w-])",
                      doc.text[section.start:section.end])
    return [Mention(name, pos, pos + len(name), "title-name", 0.75 if again and not _ordinary_word(name) else 0.6)]


def _name_spans(text: str, start: int, end: int, known: frozenset[str]) -> list[tuple[int, int]]:
    """Where people are named in a span (first-name lexicon or NER), whatever their role."""
    return [(s, e) for _, s, e in _people_in(text[start:end], start, known=known) if " " in text[s:e]]


def extract(recap: Recap, use_ner: bool = True) -> Extraction:
    doc = recap.document
    known: frozenset[str] = frozenset()
    if use_ner and recap.talks:
        from .nlp import person_names

        known = frozenset(person_names([doc.text[s.title_start:s.end] for s in recap.talks]))
    authors = authors_of(doc)
    author_keys = {key(a.text) for a in authors}
    speakers_by_talk = [speakers_of(doc, section, author_keys, known) for section in recap.talks]
    # the NER also tags companies as people: one the recap states as someone's employer is no person anywhere
    employers = {key(p.affiliation.text) for found in speakers_by_talk for p in found if p.affiliation}
    if any(key(name) in employers for name in known):
        known = frozenset(name for name in known if key(name) not in employers)
        speakers_by_talk = [speakers_of(doc, section, author_keys, known) for section in recap.talks]
    event_keys = {key(recap.event.series), key(recap.event.name)}
    finder = ToolFinder(doc, excluded_keys=event_keys)
    talks: list[TalkExtraction] = []
    for section, found in zip(recap.talks, speakers_by_talk):
        speakers = found + _author_own_talk(doc, section, authors)
        speaker_keys = {key(s.text) for s in speakers} | {key(s.affiliation.text) for s in speakers if s.affiliation}
        tools = finder.find(section.title_start, section.title_end) + finder.find(section.start, section.end)
        tools += [t for t in _title_tool(section, doc, finder) if finder.keep(t)]
        # a tool name inside a person's name ("Hugo" in "Hugo Lebaron") is not a tool
        names = [(s.start, s.end) for s in speakers] + _name_spans(doc.text, section.title_start, section.end, known)
        tools = [t for t in tools if key(t.text) not in speaker_keys and key(t.canonical or "") not in speaker_keys
                 and not any(s < t.end and t.start < e for s, e in names)]
        heading = Mention(section.title, section.title_start, section.title_end, "talk-heading", 0.9)
        talks.append(TalkExtraction(section.title, section.title_aliases, section.title_start, section.end,
                                    heading, speakers, tools))
    ev = recap.event
    event = {"name": ev.name, "series": ev.series, "year": ev.year,
             "start_date": ev.start_date.isoformat() if ev.start_date else None, "city": ev.city}
    for talk in talks:
        for m in (talk.heading, *talk.tools, *talk.speakers, *(s.affiliation for s in talk.speakers if s.affiliation)):
            _quote(doc.text, m)
    for m in authors:
        if m.start >= 0:
            _quote(doc.text, m)
    return Extraction(source_file=doc.name, title=recap.title,
                      published=recap.published.isoformat() if recap.published else None,
                      event=event, authors=authors, talks=talks, former_names=former_names(doc.text))


_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
_QUOTE_WIDTH = 120


def _quote(text: str, m: Mention) -> None:
    m.exact = text[m.start:m.end]
    m.prefix, m.suffix = _sentence_around(text, m.start, m.end)


def _sentence_around(text: str, start: int, end: int) -> tuple[str, str]:
    """The rest of the sentence before and after a mention (at most _QUOTE_WIDTH characters each way)."""
    lo = max(0, start - _QUOTE_WIDTH)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, lo, start)]
    before = text[ends[-1] if ends else lo:start]
    if not ends and lo > 0:
        before = before[before.find(" ") + 1:]  # cut at a word boundary
    after_end = _SENTENCE_END.search(text, end, min(len(text), end + _QUOTE_WIDTH))
    after = text[end:after_end.end() if after_end else end + _QUOTE_WIDTH]
    if not after_end and end + _QUOTE_WIDTH < len(text):
        after = after[:after.rfind(" ")] if " " in after else after
    return before.lstrip(), after.rstrip()


_FORMER_NAME = re.compile(
    rf"(?P<org>{_ORG})\s*(?:\(\s*|,\s*)(?i:anciennement|ex-|ex\s|formerly|pr[ée]c[ée]demment|autrefois)\s*(?P<former>{_ORG})")


def former_names(text: str) -> list[tuple[str, str]]:
    """'Publicis Sapient (anciennement Xebia)': an organisation and the name it had before."""
    pairs = {(re.split(r"[.!?:]\s+", m["org"])[-1].strip(), m["former"].strip()) for m in _FORMER_NAME.finditer(text)}
    return sorted((org, former) for org, former in pairs if org and not org[0].isdigit())
