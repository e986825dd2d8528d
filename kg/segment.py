"""Stage 2: a Document becomes a Recap: event metadata and the talk Sections.

General rules, written for recaps by any author:
- heading candidates are the document's headings, or in scraped text the short
  standalone lines (no final full stop, not a list item, not a "Key : value" line);
- a table of contents (a run of headings with no text between them, or what follows
  "Sommaire" / "Table des matières") is not talks, but confirms the titles it lists;
- category headings (a heading directly followed by another one) group talks;
- introductions, conclusions and what follows a conclusion (related posts, stands,
  share buttons) are not talks, nor is a heading that names the event itself;
- a heading whose text reads as the continuation of the current talk (no sign of a
  presentation: no speaker, no "présente", "talk", "conférence"...) is a sub-heading
  of that talk, unless a table of contents lists it.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from . import gazetteer
from .document import Block, Document
from .names import fold, key, strip_symbols


@dataclass
class Section:
    """One talk: its title and where its title and body sit in the document text."""

    title: str
    title_start: int
    title_end: int
    start: int
    end: int
    title_aliases: list[str] = field(default_factory=list)
    speaker_hint: str | None = None  # "- Speaker A, Speaker B" cut from the title
    caption_names: list[str] = field(default_factory=list)  # standalone name lines inside the section


@dataclass
class EventInfo:
    name: str
    series: str
    year: int | None = None
    start_date: dt.date | None = None
    city: str | None = None


@dataclass
class Recap:
    document: Document
    title: str | None
    published: dt.date | None
    event: EventInfo
    talks: list[Section]


@dataclass
class _Candidate:
    title: str
    block: Block
    level: int
    body_start: int = 0
    body_end: int = 0
    role: str = "talk"  # talk, sub, toc, group, excluded, title, caption, event, footer


_EXCLUDED = [
    "introduction", "intro", "en introduction", "preambule", "avant-propos", "contexte general",
    "conclusion", "conclusions", "en conclusion", "pour conclure", "pour finir", "le mot de la fin",
    "mot de la fin", "recapitulatif", "recap de la journee", "resume de la journee", "en resume",
    "bilan", "bilan de la journee", "remerciements", "merci", "sommaire", "table des matieres",
    "au programme", "programme", "a propos", "liens", "liens utiles", "ressources", "references",
    "sources", "articles similaires", "articles lies", "a lire aussi", "lire aussi", "sur le meme sujet",
    "partager", "partager cet article", "commentaires", "laisser un commentaire", "newsletter",
    "dernier", "derniers articles", "articles recents", "tags", "categories", "aller au contenu",
    "passer au contenu", "skip to content", "menu", "rechercher", "navigation", "et ensuite",
    "pour aller plus loin", "en bref", "la journee", "le lieu", "l organisation", "organisation",
]
_END_MARKERS = ("conclusion", "en conclusion", "pour conclure", "le mot de la fin", "mot de la fin",
                "recapitulatif", "bilan", "remerciements", "en resume", "articles similaires",
                "a lire aussi", "sur le meme sujet", "derniers articles", "laisser un commentaire")
_TOC_WORDS = ("sommaire", "table des matieres", "au programme", "programme de la journee")
_META_LINE = re.compile(
    r"^(r[ée]dig[ée]e?s? par|r[ée]dacteur|r[ée]dactrice|auteur|autrice|[ée]crit par|speakers?|intervenants?|"
    r"orat(eur|rice)s?|pr[ée]sent[ée]e?s? par|anim[ée]e?s? par|par|date|lieu|dur[ée]e|slides|vid[ée]o|tags?|"
    r"cat[ée]gories?|niveau|format|salle|track|publi[ée] le|mis à jour le)\s*:", re.I)
_CUE = re.compile(
    r"\b(pr[ée]sent(e|é|ée|és|ées|ent|er|ation|ations|ait|aient)\b|talk|conf[ée]rence|session|slot|"
    r"speakers?|intervenant\w*|orat\w+|keynote|rex\b|"
    r"retour d.exp[ée]rience|atelier|hands-on|d[ée]mo\w*|quickie|table ronde|sur sc[èe]ne|"
    r"slides|cet article|intervention|nous (a|ont|avait|avaient)\b|nous \w+(ent|e|er)\b|"
    r"(a|ont) (parl[ée]|expliqu[ée]|montr[ée]|abord[ée]|introduit)|"
    r"animée? par|propos[ée]e? par)", re.I)


_BOILERPLATE = ("aller au contenu", "passer au contenu", "skip to content", "menu", "accueil", "rechercher",
                "navigation", "fermer", "close")


def norm(text: str) -> str:
    """Folded words: "Table des matières" -> "table des matieres"."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def _excluded(normalised_title: str) -> bool:
    """Intro, conclusion, day summary, navigation: headings that are never talks."""
    n = normalised_title
    words = n.split(" ")
    return n in _EXCLUDED or (words[0] in ("introduction", "conclusion", "recapitulatif", "sommaire") and len(words) <= 4) \
        or n.startswith(("resume de la journee", "bilan de", "table des matieres", "le mot de la fin"))


def heading_candidates(doc: Document) -> list[_Candidate]:
    blocks = doc.blocks
    cands: list[_Candidate] = []
    seen_titles: set[str] = set()
    for b in blocks:
        if b.kind == "heading":
            cands.append(_Candidate(_clean_title(doc.span(b)), b, b.level or 1))
        elif doc.format == "text" and b.kind == "line":
            line = doc.span(b)
            title = _clean_title(line)
            # a line ending with a full stop is a title when a table of contents listed it before
            if _looks_like_title_line(line) or (key(title) in seen_titles and len(title) <= 150):
                cands.append(_Candidate(title, b, 1))
                seen_titles.add(key(title))
    for i, c in enumerate(cands):
        c.body_start = c.block.end
        c.body_end = cands[i + 1].block.start if i + 1 < len(cands) else len(doc.text)
    return [c for c in cands if c.title]


# "Publié le 20 octobre 2023", "Mis à jour le ...", "Posted on ...": when the page was written, not the event
_PUBLICATION = re.compile(r"^\W*(?:publi[ée]e?|post[ée]e?|mis à jour|mise à jour|modifi[ée]e?|[ée]crit|r[ée]dig[ée]e?)"
                          r"(?:\s+par\s+[^,]+,)?\s+(?:le|on)\b|^\W*(?:posted|published|updated)\s+on\b", re.I)


def _looks_like_title_line(line: str) -> bool:
    s = line.strip()
    if not (2 <= len(s) <= 150) or len(s.split()) > 22:
        return False
    if s.endswith((":", ";", ",")) or (s.endswith(".") and not s.endswith("...")):
        return False
    if _META_LINE.match(s) or _PUBLICATION.match(s) or re.match(r"^https?://", s):
        return False
    if re.search(r"[.!] +[A-ZÀ-Ý]", s):  # two sentences: prose, not a title
        return False
    return bool(re.search(r"[A-Za-zÀ-ÿ]", s))


def _clean_title(text: str) -> str:
    text = strip_symbols(" ".join(text.split()))
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text


def _first_paragraphs(doc: Document, start: int, end: int, count: int = 2) -> str:
    paras = [doc.span(b) for b in doc.blocks if start <= b.start < end and b.kind != "heading"]
    return "\n".join(paras[:count])


def _is_person_line(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and gazetteer.is_first_name(words[0]) and all(w[:1].isupper() for w in words)


_CAPWORD = r"[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?"
# the separator is a dash between spaces; a hyphen inside a word ("Jean-Baptiste") is none
_TITLE_SPEAKERS = re.compile(r"\s+[-–—|]\s+(?P<names>(?:[^-–—|]|(?<=\S)[-–—](?=\S))+)$")


def _split_title_speakers(title: str) -> tuple[str, str | None]:
    """'Titre – Alice Martin, Bob Durand' -> ('Titre', 'Alice Martin, Bob Durand')."""
    m = _TITLE_SPEAKERS.search(title)
    if not m:
        return title, None
    names = [n.strip() for n in re.split(r",|&|\bet\b|\band\b|\(|\)", m["names"]) if n.strip()]

    def is_person(n: str) -> bool:
        words = n.split()
        return bool(words) and gazetteer.is_first_name(words[0]) and len(words) <= 4 and all(w[:1].isupper() for w in words)

    # "Alice Martin, Bob Durand" or, with their company last, "Inès Moreau, Leboncoin" / "Inès Moreau (Leboncoin)"
    people = names if names and is_person(names[-1]) else names[:-1]
    if people and all(is_person(n) for n in people) and (people == names or _looks_like_org(names[-1])):
        return title[: m.start()].rstrip(), m["names"].strip()
    return title, None


def _looks_like_org(name: str) -> bool:
    words = name.split()
    return 1 <= len(words) <= 4 and (words[0][:1].isupper() or words[0][:1].isdigit())


def segment(doc: Document) -> Recap:
    cands = heading_candidates(doc)

    # Document title: front matter, else a leading heading before any paragraph text.
    title = doc.title
    first_text = next((b for b in doc.blocks if b.kind in ("paragraph", "line") and not any(
        c.block is b for c in cands)), None)
    leading = [c for c in cands if first_text is None or c.block.start < first_text.start]
    while leading and norm(leading[0].title) in _BOILERPLATE:
        leading.pop(0)
    if leading and _excluded(norm(leading[0].title)):
        leading = []
    top_is_title = bool(leading) and leading[0].level == 1 and sum(1 for c in cands if c.level == 1) == 1 \
        and any(c.level > 1 for c in cands)
    if doc.format == "text" and leading and not title:
        leading[0].role = "title"
        title = leading[0].title
    elif doc.format != "text" and top_is_title:
        leading[0].role = "title"
        title = title or leading[0].title

    event = event_info(doc, title, cands)
    series_key = key(event.series)

    # Table of contents: after a TOC word, and any run of >= 3 headings with no body.
    toc_titles: set[str] = set()
    i = 0
    while i < len(cands):
        c = cands[i]
        if c.role != "talk":
            i += 1
            continue
        empty = lambda x: not doc.text[x.body_start:x.body_end].strip()  # noqa: E731
        run = [c]
        j = i + 1
        if empty(c):
            while j < len(cands) and empty(cands[j - 1]):
                run.append(cands[j])
                j += 1
        is_toc_word = norm(c.title) in _TOC_WORDS
        if (is_toc_word and len(run) > 1) or len([r for r in run if empty(r)]) >= 3:
            entries = run[1:] if is_toc_word else run
            if not empty(run[-1]):  # the run ends on the first heading that has text under it
                entries = entries[:-1]
            for r in (run[:1] if is_toc_word else []) + entries:
                r.role = "toc"
            toc_titles.update(norm(r.title) for r in entries)
            i += len(entries) + (1 if is_toc_word else 0)
            continue
        i += 1

    # Exclusions, captions, group headings, the event's own heading, the footer.
    talks_seen = False
    ended = False
    for idx, c in enumerate(cands):
        if c.role != "talk":
            continue
        n = norm(c.title)
        body = doc.text[c.body_start:c.body_end].strip()
        if ended:
            c.role = "footer"
        elif _excluded(n) or n in _BOILERPLATE:
            c.role = "excluded"
            if talks_seen and (n.startswith(_END_MARKERS)):
                ended = True
        elif n in toc_titles:
            talks_seen = True
        elif doc.format == "text" and _is_person_line(c.title):
            c.role = "caption"
        elif series_key and series_key in key(c.title) and not talks_seen:
            c.role = "event"
        elif series_key and series_key in key(c.title) and talks_seen and len(body) < 40:
            c.role = "footer"
            ended = True
        elif doc.format == "text" and len(body) < 25 and re.fullmatch(rf"{_CAPWORD}(?: {_CAPWORD}){{1,3}}", c.title) \
                and talks_seen:
            c.role = "caption"  # a name under a talk, as scraped pages keep photo captions; extraction checks it
        elif len(body) < 25 and idx + 1 < len(cands):
            c.role = "group"
        else:
            talks_seen = True

    # Talk level: the shallowest level among the remaining candidates.
    levels = [c.level for c in cands if c.role == "talk"]
    talk_level = min(levels) if levels else 1

    # A talk runs from its heading to the next talk or the next heading that is no part of it.
    sections: list[Section] = []
    current: Section | None = None
    for c in cands:
        if c.role == "caption":
            if current is not None:
                current.caption_names.append(c.title)
                current.end = c.body_end
            continue
        listed = _listed_talks(doc, c.body_start, c.body_end) if c.role in ("talk", "group") else []
        if listed:  # "Les autres talks" over a list of "Titre - Speaker" items: each item is a talk
            sections += listed
            current = None
            continue
        if c.role != "talk":
            current = None
            continue
        is_part = c.level > talk_level or (norm(c.title) not in toc_titles and not _has_cue(doc, c))
        if current is not None and is_part:
            current.end = c.body_end  # a sub-heading: the talk goes on
            continue
        title_text, hint = _split_title_speakers(c.title)
        current = Section(title=title_text, title_start=c.block.start, title_end=c.block.end,
                          start=c.body_start, end=c.body_end, speaker_hint=hint)
        raw_heading = " ".join(doc.span(c.block).split())
        if raw_heading != title_text and raw_heading.rstrip(".") == title_text:
            current.title_aliases.append(raw_heading)
        sections.append(current)
    sections = [s for s in sections if s.title]
    return Recap(document=doc, title=title, published=doc.published, event=event, talks=sections)


def _listed_talks(doc: Document, start: int, end: int) -> list[Section]:
    """Talks given as list items "Titre - Speaker, Company", when such items make most of a list."""
    items = [b for b in doc.blocks if b.kind == "list_item" and start <= b.start < end]
    talks = []
    for b in items:
        title, hint = _split_title_speakers(" ".join(doc.span(b).split()))
        title = title.strip(" *_\"«»“”")
        if hint and len(title.split()) >= 2 and len(title) <= 160:
            talks.append(Section(title=title, title_start=b.start, title_end=b.end, start=b.end, end=b.end,
                                 speaker_hint=hint))
    return talks if len(talks) >= 2 and 2 * len(talks) >= len(items) else []


_TALK_KIND = re.compile(r"\b(keynote|table ronde|atelier|workshop|hands-on|lab|quickie|lightning|rex|"
                        r"tools? in action|talk|conf[ée]rence|university|pr[ée]sentation)\b", re.I)


def _has_cue(doc: Document, c: _Candidate) -> bool:
    if _TALK_KIND.search(c.title) or _TITLE_SPEAKERS.search(c.title) and _split_title_speakers(c.title)[1]:
        return True
    text = _first_paragraphs(doc, c.body_start, c.body_end)
    if _CUE.search(text) or _META_LINE.match(text.strip()):
        return True
    # the text opens with the speakers' names alone ("Alice Martin", "Alice Martin et Bob Durand")
    opening = text.split("\n")[0].strip(" >*_")
    if opening and all(_is_person_line(n) for n in re.split(r"\s*(?:,|&|\bet\b)\s*", opening)):
        return True
    # a person named at the start of the body presents something
    words = re.findall(r"[A-ZÀ-Ý][\wÀ-ÿ'-]+", text[:200])
    return any(gazetteer.is_first_name(w) for w in words[:6]) and bool(
        re.search(r"\b(nous|présente|explique|montre|propose|raconte|partage|parle|aborde|détaille|revient|"
                  r"démontre|illustre|décrit|évoque)\b", text[:300]))


# ---------------------------------------------------------------- event

_MONTHS = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
           "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12}
_DATE = re.compile(
    r"\b(?:(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?(1er|\d{1,2})"
    r"(?:\s+(?:au|et|-|–)\s+(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?\d{1,2})?\s+"
    r"(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)"
    r"(?:\s+(\d{4}))?", re.I)
_YEAR = re.compile(r"\b(20\d{2})\b")
_ONLINE = re.compile(r"\b(virtuel(le)?|en ligne|online|distanciel|100 ?% remote|forme virtuelle|[àa] distance)\b", re.I)
_TITLE_PREFIX = re.compile(
    r"^(review|retour|retours|recap|r[ée]cap|compte[- ]rendu|cr|bilan|r[ée]sum[ée]|notes?|"
    r"ce que j.ai retenu|mon retour|nos retours|mes notes)\b[^A-Z]*", re.I)
_EVENT_WORDS = r"(?:Days?|Conf|Con|Camp|Summit|Forum|Fest|Festival|Meetup|Tech|Week|World|Europe|France|Paris|Sessions?|Connect)"


def event_info(doc: Document, title: str | None, cands: list[_Candidate]) -> EventInfo:
    first_talkish = next((c.block.start for c in cands if c.role == "talk" and c.level <= 2
                          and not _excluded(norm(c.title))
                          and len(doc.text[c.body_start:c.body_end].strip()) > 200), len(doc.text))
    intro = doc.text[:first_talkish]
    title_text = title or ""
    sources = [title_text, " ".join(doc.tags), intro]

    series = (_series_from_gazetteer(sources) or _series_from_patterns(title_text, "", doc)
              or _series_from_gazetteer([doc.text]) or _series_from_patterns("", intro, doc))
    year = None
    if series:
        pattern = re.compile(re.escape(series).replace(r"\ ", r"\s*") + r"\W{0,3}(20\d{2})", re.I)
        for text in (title_text, intro, doc.text):
            m = pattern.search(text)
            if m:
                year = int(m[1])
                break
    if year is None:
        years = Counter(int(y) for y in _YEAR.findall(title_text))
        if not years:
            years = Counter(int(y) for y in _YEAR.findall(intro))
        if years:
            year = years.most_common(1)[0][0]
    if year is None and doc.published:
        year = doc.published.year
    if not series:
        series = title_text or doc.name
    name = f"{series} {year}" if year and not re.search(r"\b20\d{2}\b", series) else series

    start_date = None
    for text in (title_text, intro):
        for m in _DATE.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            if _PUBLICATION.match(text[line_start:m.start()] + " "):
                continue  # the post's date
            y = int(m[4]) if m[4] else year
            if not y:
                continue
            month = _MONTHS[fold(m[3])]
            day = 1 if m[2].lower() == "1er" else int(m[2])
            try:
                start_date = dt.date(y, month, day)
            except ValueError:
                continue
            break
        if start_date:
            break

    city = None
    if not _ONLINE.search(intro):
        city = _city(doc.tags) or _city_in_text(title_text) or _city_in_text(intro)
    return EventInfo(name=name, series=series, year=year, start_date=start_date, city=city)


def _series_from_gazetteer(texts: list[str]) -> str | None:
    series = gazetteer.event_series()
    if not len(series):
        return None
    for text in texts:
        if not text:
            continue
        counts: Counter = Counter()
        words = re.findall(r"[\wÀ-ÿ'’.-]+", text)
        for n in range(min(6, series.max_words + 1), 0, -1):
            for i in range(len(words) - n + 1):
                entry = series.lookup(" ".join(words[i:i + n]))
                if entry:
                    counts[entry.label] += 1
        if counts:
            return counts.most_common(1)[0][0]
    return None


# words that open a sentence before the event's name; a common noun that opens the name itself ("Journée X",
# "Rencontres X", "Nuit de X", "Forum X") stays, but "Jour 2" / "Journée 1" is the day of the event
_SENTENCE_OPENERS = {"les", "le", "la", "mon", "ma", "mes", "notre", "nos", "retour", "compte", "au", "a", "du",
                     "de", "des", "un", "une", "ce", "cette", "quoi", "pourquoi", "comment", "sur"}
_DAY_WORDS = {"jour", "journee", "day"}


def _series_from_patterns(title: str, intro: str, doc: Document) -> str | None:
    clean = _TITLE_PREFIX.sub("", title).strip(" :-–")
    name_rx = r"([A-Z][\w'’-]*(?:\s+(?:[A-Z0-9][\w'’-]*|de l['’][A-Z][\w'’-]*|de la(?=\s+[A-Z])|de|du|des|&))*)"
    if clean:
        # a name followed by its year wins ("Les conférences vues à l'API Days Paris 2022")
        m = re.search(name_rx + r"\s+20\d{2}\b", clean) or re.search(name_rx + r"\s*(?:20\d{2})?", clean)
        if m:
            words = _without_trailing_connector(re.sub(r"\s+20\d{2}$", "", m[1]).split())
            while len(words) > 1:
                if fold(words[0]) in _SENTENCE_OPENERS:
                    words.pop(0)
                elif fold(words[0]) in _DAY_WORDS and words[1].isdigit() and len(words) > 2:
                    del words[:2]
                else:
                    break
            candidate = " ".join(words)
            if candidate and fold(candidate) not in _SENTENCE_OPENERS and not gazetteer.tools().lookup(candidate):
                return candidate
    # "Le X, c'est ...", "Le X est une conférence ...", "la conférence X", "l'édition ... de X"
    for rx in (r"\b(?:[Ll]e|[Ll]a|[Ll]es|[Ll]’|[Ll]')\s*" + name_rx + r"\s*,?\s+(?:c.est|est|sont)\s",
               r"\b(?:conf[ée]rence|[ée]v[ée]nement|[ée]dition|journ[ée]e)\s+(?:de\s+|du\s+|d[’'])?" + name_rx):
        m = re.search(rx, intro)
        if m and not _excluded(norm(m[1])):
            return " ".join(_without_trailing_connector(m[1].split()))
    words = Counter(w for w in re.findall(r"\b((?:[A-Z][a-z]+[A-Z]\w+)|(?:[A-Z]\w+\s+" + _EVENT_WORDS + r"))\b", intro)
                    if not gazetteer.tools().lookup(w) and not gazetteer.organizations().lookup(w))
    if words:
        return words.most_common(1)[0][0]
    return None


_CONNECTORS = {"de", "du", "des", "&"}


def _without_trailing_connector(words: list[str]) -> list[str]:
    """"Le Zorgcamp de cette année": the name stops at its last capitalised word, not at "de"."""
    while len(words) > 1 and fold(words[-1]) in _CONNECTORS:
        words = words[:-1]
    return words


def _city(values: list[str]) -> str | None:
    cities = gazetteer.cities()
    for v in values:
        if key(v) in cities:
            return cities[key(v)]
    return None


def _city_in_text(text: str) -> str | None:
    cities = gazetteer.cities()
    for m in re.finditer(r"\b(?:[àa]|sur|de|in|at)\s+([A-ZÀ-Ý][\wÀ-ÿ'’-]+(?:[ -][A-ZÀ-Ý][\wÀ-ÿ'’-]+)?)", text):
        for candidate in (m[1], m[1].split()[0]):
            if key(candidate) in cities:
                return cities[key(candidate)]
    return None
