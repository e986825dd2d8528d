"""Recap styles the bundled corpus does not show: the author's own talk, keynotes, round tables and labs,
speakers given only as links, "Titre - Speaker, Company" lists with little prose, hyphenated first names,
one company per speaker in prose, company names ending with a role-like word, tool names with "&",
cue words before a name, a name alone under a title, roles and companies the NER reads as people."""
from pathlib import Path

import pytest

from kg.document import load_document
from kg.extract import extract
from kg.segment import _split_title_speakers, segment

STYLES = Path(__file__).resolve().parent / "data" / "styles"


@pytest.fixture(scope="module")
def talks():
    x = extract(segment(load_document(STYLES / "own-talk-and-lists.md")))
    return {t.title: t for t in x.talks}


def speakers(talk):
    return {(s.text, s.affiliation.text if s.affiliation else None) for s in talk.speakers}


def test_every_session_kind_is_a_talk_and_list_headings_are_not(talks):
    assert set(talks) == {
        "Keynote d'ouverture : le numérique responsable", "Table ronde : recruter des développeurs en 2024",
        "Mon talk : Tester ses API avec Bruno", "Lab : Construire un moteur de règles en Rust",
        "Gradle sans douleur", "Le design system chez nous"}


def test_speakers_given_as_links_with_companies_in_parentheses(talks):
    assert speakers(talks["Table ronde : recruter des développeurs en 2024"]) == {
        ("Hugo Martin", "Decathlon"), ("Sarah Nguyen", "Ippon"), ("Karim Benali", "Worldline")}
    assert speakers(talks["Keynote d'ouverture : le numérique responsable"]) == {("Marion Leclerc", None)}


def test_the_authors_own_talk_is_given_by_the_author(talks):
    [author] = talks["Mon talk : Tester ses API avec Bruno"].speakers
    assert (author.text, author.rule) == ("Claire Dubois", "author-own-talk")


def test_title_speakers_and_a_known_company_name_ending_with_a_role_word(talks):
    lab = talks["Lab : Construire un moteur de règles en Rust"]
    assert {s.text for s in lab.speakers} == {"Antoine Roux", "Julie Faure", "Antoine"}  # resolution joins "Antoine"
    assert {s.affiliation.text for s in lab.speakers if s.affiliation} == {"Clever Cloud"}
    assert not any(t.canonical == "Clever Cloud" or t.text == "Clever Cloud" for t in lab.tools)


def test_listed_talks_carry_their_speakers_and_companies(talks):
    assert speakers(talks["Gradle sans douleur"]) == {("Thomas Girard", None)}
    assert speakers(talks["Le design system chez nous"]) == {("Inès Moreau", "Leboncoin")}


@pytest.mark.parametrize("title, expected", [
    ("Le design system chez nous - Inès Moreau, Leboncoin", ("Le design system chez nous", "Inès Moreau, Leboncoin")),
    ("Tests - Marie Curie (Ippon)", ("Tests", "Marie Curie (Ippon)")),
    ("Sécurité – Jean Dupont et Paul Durand", ("Sécurité", "Jean Dupont et Paul Durand")),
    ("Kubernetes – le retour", ("Kubernetes – le retour", None)),
    ("GitOps - Flux, ArgoCD", ("GitOps - Flux, ArgoCD", None)),
    ("Le jour où tout a cassé – Jean-Baptiste Lenoir", ("Le jour où tout a cassé", "Jean-Baptiste Lenoir")),
    ("Migrer sans peine - Marie-Laure Petit, Acme", ("Migrer sans peine", "Marie-Laure Petit, Acme")),
    ("Le no-code - Alice Martin", ("Le no-code", "Alice Martin")),  # a hyphen inside a word is no separator
    ("Kubernetes – le sur-mesure", ("Kubernetes – le sur-mesure", None)),
])
def test_split_title_speakers(title, expected):
    assert _split_title_speakers(title) == expected


def test_non_cloud_scraped_recap_keeps_few_precise_tools_and_skips_the_publication_line():
    recap = segment(load_document(STYLES / "agile-scraped.txt"))
    x = extract(recap)
    assert recap.event.name == "Agile Tour Lille 2023"
    assert str(recap.event.start_date) == "2023-10-12"  # the event's date, not the post's
    tools = {t.title: {m.canonical or m.text for m in t.tools} for t in x.talks}
    assert tools == {"Le management visuel au service des équipes": {"Miro"},
                     "Product Discovery : arrêtez de deviner": {"Notion", "Figma"}}


def recap_and_talks(file: str):
    """A style example's recap and its extracted talks by title."""
    recap = segment(load_document(STYLES / file))
    return recap, {t.title: t for t in extract(recap).talks}


@pytest.fixture(scope="module")
def hyphens():
    return recap_and_talks("hyphens-and-affiliations.md")


def test_hyphenated_first_names_after_the_title_dash_are_speakers(hyphens):
    _, talks = hyphens
    assert speakers(talks["Des pipelines qui ne cassent plus"]) == {("Jean-Baptiste Kerhervé", None)}


def test_list_items_with_hyphenated_first_names_are_talks(hyphens):
    _, talks = hyphens
    assert speakers(talks["Écrire un opérateur sans douleur"]) == {("Marie-Laure Vasseur", "Orbitale Software")}
    assert speakers(talks["Le cache, ce grand incompris"]) == {("Pierre-Yves Tanguy", None)}


def test_each_speaker_named_in_prose_keeps_their_own_company(hyphens):
    _, talks = hyphens
    talk = talks["Suivre ses modèles en production"]
    assert speakers(talk) == {("Lucie Ferrand", "Nuvola Software"), ("Hervé Costa", "Datakit")}


def test_tool_name_with_an_ampersand_and_its_words_are_not_listed_tools(hyphens):
    _, talks = hyphens
    talk = talks["Suivre ses modèles en production"]
    assert {t.canonical or t.text for t in talk.tools} == {"Weights & Biases", "MLflow", "Kubeflow"}


def test_series_name_opening_with_a_common_noun(hyphens):
    recap, _ = hyphens
    assert recap.event.name == "Journée Plateforme 2024"


@pytest.fixture(scope="module")
def cues():
    return recap_and_talks("cues-roles-and-companies.md")


def test_a_cue_word_before_a_linked_name_is_no_part_of_it(cues):
    _, talks = cues
    assert speakers(talks["Sortir du monolithe sans tout casser"]) == {("Séverine Kerbrat", "Valdeo")}


def test_a_name_alone_under_the_title_is_the_speaker(cues):
    _, talks = cues
    assert speakers(talks["Des environnements jetables pour chaque branche"]) == {("Maxence Tholliez", None)}


def test_roles_and_companies_around_a_name_in_prose_are_no_people(cues):
    _, talks = cues
    assert speakers(talks["Piloter une équipe plateforme"]) == {("Ghislaine Quintard", "Orvalia Systèmes")}
    assert speakers(talks["La facture cloud sous contrôle"]) == {("Baudouin Lestrade", "Fenouil Conseil SA")}


def test_tools_in_listed_titles_are_kept(cues):
    _, talks = cues
    assert {t.canonical for t in talks["Atelier Falco : les mains dans le code"].tools} == {"Falco"}
    assert {t.canonical for t in talks["Pourquoi nous avons abandonné github copilot"].tools} == {"GitHub Copilot"}


def test_the_series_name_stops_before_a_trailing_connector(cues):
    recap, _ = cues
    assert recap.event.name == "Brumecamp 2025"
