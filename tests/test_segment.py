"""Segmentation: the talk titles of each bundled recap, and general rules on made-up recaps."""
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from kg.document import load_document, parse_document
from kg.segment import norm, segment

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "corpus"


def _same_title(a: str, b: str) -> bool:
    return SequenceMatcher(None, norm(a), norm(b)).ratio() >= 0.9


@pytest.mark.parametrize("source", sorted(p.name for p in CORPUS.glob("*.txt")))
def test_bundled_recap_talk_titles_match_gold(source, gold):
    gd = next(g for g in gold if g["source"] == source)
    talks = segment(load_document(CORPUS / source)).talks
    expected = [t["title"] for t in gd["talks"]]
    assert len(talks) == len(expected), [t.title for t in talks]
    for found, want in zip(talks, expected):
        assert _same_title(found.title, want), (found.title, want)


@pytest.mark.parametrize("source, name, date, city", [
    ("000_094c22312ca10bac.txt", "Cloud Nord 2023", None, "Lille"),
    ("001_129189646c371e8d.txt", "Cloud Nord 2024", "2024-10-10", "Lille"),
    ("002_f42b10d9959cafb4.txt", "Paris Containers Day 2021", None, None),
    ("003_436ab6586ba55c7e.txt", "WeShare", None, None),
    ("004_4d3956dbccdced9c.txt", "Kubernetes Community Days France 2023", "2023-03-07", "Paris"),
])
def test_bundled_recap_event(source, name, date, city):
    event = segment(load_document(CORPUS / source)).event
    assert event.name == name
    assert (event.start_date.isoformat() if event.start_date else None) == date
    assert event.city == city


def test_category_headings_and_conclusion_are_not_talks():
    text = ("Retour sur la journée\n"
            "Voici notre résumé de cette belle journée de conférences à Nantes, avec beaucoup de monde.\n"
            "Keynotes\n"
            "L'avenir du cloud souverain\n"
            "Alice nous présente les enjeux du cloud souverain et les offres existantes en Europe.\n"
            "Ateliers\n"
            "Construire un opérateur Kubernetes\n"
            "Bob nous a montré comment écrire un opérateur en Go avec un atelier très complet.\n"
            "Conclusion\n"
            "Une belle journée, à l'année prochaine pour une nouvelle édition toujours aussi riche.\n"
            "Articles similaires\n"
            "Notre retour sur une autre conférence\n"
            "Un autre article de notre blog que vous pourriez aimer lire aussi ce week-end.\n")
    titles = [t.title for t in segment(parse_document(text, "r.txt")).talks]
    assert titles == ["L'avenir du cloud souverain", "Construire un opérateur Kubernetes"]


def test_sub_headings_without_a_presentation_stay_inside_the_talk():
    text = ("# Mon talk préféré\n\nAlice nous a présenté son outil de déploiement.\n\n"
            "# Une architecture simple\n\nL'outil repose sur trois composants.\n\n"
            "# Un autre talk\n\nBob nous présente la sécurité des conteneurs.\n")
    recap = segment(parse_document(text, "r.md"))
    assert [t.title for t in recap.talks] == ["Mon talk préféré", "Un autre talk"]
    assert "trois composants" in recap.document.text[recap.talks[0].start:recap.talks[0].end]


def test_trailing_speaker_names_are_cut_from_the_title():
    text = "## Observabilité sans douleur – Alice Martin, Bob Durand\n\nUn talk sur la supervision des clusters.\n"
    talk = segment(parse_document(text, "r.md")).talks[0]
    assert talk.title == "Observabilité sans douleur"
    assert talk.speaker_hint == "Alice Martin, Bob Durand"


def test_date_range_gives_the_first_day():
    text = "# Sunny Tech 2024\n\nDu 4 au 5 juillet à Montpellier, deux jours de talks.\n\n## Un talk\n\nAlice nous présente Go.\n"
    event = segment(parse_document(text, "r.md")).event
    assert event.start_date.isoformat() == "2024-07-04"


@pytest.mark.parametrize("title, name", [
    ("Les conférences que j'ai vues à l'API Days Paris 2022", "API Days Paris 2022"),
    ("Retour Sur Le Zorgcamp 2023", "Zorgcamp 2023"),
    ("Compte rendu du Touraine Tech 2024", "Touraine Tech 2024"),
    ("Snowcamp 2024, le récap", "Snowcamp 2024"),
    # a common noun that opens the name is part of it; a day of the event is not
    ("Retour sur la Journée Cloud Picarde 2024", "Journée Cloud Picarde 2024"),
    ("Les Rencontres Zorg 2023 : nos retours", "Rencontres Zorg 2023"),
    ("Compte rendu de la Nuit de l'Infra 2022", "Nuit de l'Infra 2022"),
    ("La Nuit de l'Infra : nos retours", "Nuit de l'Infra"),
    ("Forum Kalimo 2021, le récap", "Forum Kalimo 2021"),
    ("Jour 2 Zorgcamp 2024 : nos notes", "Zorgcamp 2024"),
])
def test_event_name_from_a_title_that_opens_with_a_sentence(title, name):
    doc = parse_document(f'---\ntitle: "{title}"\n---\n\nIntro.\n\n## Un talk\n\nAlice Martin nous présente Kubernetes.\n',
                         "r.md")
    assert segment(doc).event.name == name


@pytest.mark.parametrize("title, name", [
    ("Le Zorgcamp de cette année : nos retours", "Zorgcamp"),
    ("Le Zorgcamp du printemps", "Zorgcamp"),
    ("Les Rencontres Zorg & co", "Rencontres Zorg"),
    ("Compte rendu de la Nuit de l'Infra", "Nuit de l'Infra"),  # a connector inside the name stays
])
def test_a_connector_that_ends_the_capitalised_words_is_no_part_of_the_series(title, name):
    doc = parse_document(f'---\ntitle: "{title}"\n---\n\nIntro.\n\n## Un talk\n\n'
                         'Alice Martin nous présente Kubernetes.\n', "r.md")
    assert segment(doc).event.series == name


def test_a_heading_whose_text_opens_with_a_name_alone_is_a_talk():
    text = ("# Mon talk préféré\n\nAlice nous a présenté son outil de déploiement.\n\n"
            "# Des environnements jetables\n\nMaxence Tholliez\n\nChaque branche obtient son environnement.\n")
    assert [t.title for t in segment(parse_document(text, "r.md")).talks] == [
        "Mon talk préféré", "Des environnements jetables"]
