"""Extraction rules on small made-up recaps: speakers, employers, authors, tools."""
from kg.document import parse_document
from kg.extract import extract
from kg.segment import segment


def talks_of(text: str, name: str = "recap.md"):
    return extract(segment(parse_document(text, name))).talks


def people(talk):
    """Speakers as resolution sees them: "Jean" joins "Jean Durand" of the same talk."""
    full = {s.text.split()[0] for s in talk.speakers if " " in s.text}
    return {(s.text, s.affiliation.text if s.affiliation else None) for s in talk.speakers
            if " " in s.text or s.text not in full}


def tools(talk):
    return {t.canonical or t.text for t in talk.tools}


def test_speaker_line_with_shared_company():
    talk = talks_of("## Un talk sur Helm\nSpeakers : Alice Martin & Bruno Petit, Datadog\n\nIls parlent de Helm.\n")[0]
    assert people(talk) == {("Alice Martin", "Datadog"), ("Bruno Petit", "Datadog")}


def test_presented_by_with_roles_each_at_their_company():
    talk = talks_of("## Un talk\nPrésenté par **Alice Martin** - Cloud Architect chez **Scaleway** - et "
                    "Bruno Petit - Site Reliability Engineer Freelance.\n\nUn talk sur Terraform.\n")[0]
    assert people(talk) == {("Alice Martin", "Scaleway"), ("Bruno Petit", None)}


def test_subject_of_a_presentation_verb_with_apposition():
    talk = talks_of("## Un talk\n\nCamille Durand, Senior SRE chez Doctolib, nous présente Prometheus.\n")[0]
    assert people(talk) == {("Camille Durand", "Doctolib")}
    assert "Prometheus" in tools(talk)


def test_first_names_joined_with_company_after_de():
    talk = talks_of("## Un talk\n\nSur scène, Julie et Marc de Qonto nous ont présenté leur plateforme.\n")[0]
    assert people(talk) == {("Julie", "Qonto"), ("Marc", "Qonto")}


def test_authors_and_cited_people_are_not_speakers():
    text = ("## Un talk\nRédigé par : Paul DURAND\nSpeaker : Sophie Bernard, Ippon Technologies\n\n"
            "Le concept a été inventé par Martin Fowler dans un article. "
            "Sophie échange avec Kelsey Hightower sur le sujet.\n")
    recap = extract(segment(parse_document(text, "r.md")))
    assert [a.text for a in recap.authors] == ["Paul Durand"]
    assert {s.text for s in recap.talks[0].speakers} == {"Sophie Bernard", "Sophie"}


def test_gazetteer_aliases_map_to_canonical_names():
    talk = talks_of("## Un talk\n\nAlice nous présente un cluster k8s avec ArgoCD et docker-compose.\n")[0]
    assert {"Kubernetes", "Argo CD", "Docker Compose"} <= tools(talk)


def test_longest_name_wins_and_generic_words_are_not_tools():
    talk = talks_of("## Un talk\n\nAlice nous présente Docker Compose, le DevOps, le Cloud et une API.\n")[0]
    found = tools(talk)
    assert "Docker Compose" in found and "Docker" not in found
    assert not {"DevOps", "Cloud", "API"} & found


def test_unknown_tool_from_context():
    talk = talks_of("## Un talk\n\nAlice nous présente l'outil Zorglub qu'elle a écrit. "
                    "Frobnicator, un framework écrit en Rust, est aussi cité.\n")[0]
    assert {"Zorglub", "Frobnicator"} <= tools(talk)


def test_ambiguous_tool_names_need_their_capital_or_a_tool_context():
    talk = talks_of("## Un talk\n\nAlice nous présente le flux de données, puis Flux pour le GitOps.\n")[0]
    assert [t.text for t in talk.tools if (t.canonical or t.text) == "Flux"] == ["Flux"]


def test_a_lowercase_full_name_wins_over_the_tool_its_first_word_names():
    talk = talks_of("## Pourquoi nous avons abandonné github copilot\n\nAlice compare github copilot et grafana loki "
                    "au cloud monitoring de son équipe.\n")[0]
    assert tools(talk) == {"GitHub Copilot", "Loki"}  # not GitHub nor Grafana; "cloud" names no tool


def test_tool_names_written_with_an_ampersand():
    talk = talks_of("## Un talk\n\nAlice nous présente W&B et Weights & Biases, puis Docker & Compose.\n")[0]
    assert [t.canonical for t in talk.tools] == ["Weights & Biases", "Weights & Biases", "Docker"]  # no "Docker Compose"


def test_mentions_keep_offsets_into_the_text():
    text = "## Un talk\n\nAlice nous présente Kubernetes.\n"
    recap = segment(parse_document(text, "r.md"))
    mention = next(t for t in extract(recap).talks[0].tools if t.canonical == "Kubernetes")
    assert recap.document.text[mention.start:mention.end] == "Kubernetes"
    assert mention.rule == "gazetteer" and 0 < mention.confidence <= 1


def test_unlabelled_speaker_line_under_the_title():
    talk = talks_of("## Testcontainers pour les nuls\n> Jean Durand - Zenika\n\nJean nous montre Testcontainers.\n")[0]
    assert people(talk) == {("Jean Durand", "Zenika")}


def test_round_table_with_companies_in_parentheses():
    text = ("<html><body><article><h1>Devoxx France 2024 : notre retour</h1><p>Nous étions à Paris.</p>"
            "<h2>Keynote d'ouverture</h2><p>Marie Dupont, CTO chez Doctolib, nous a présenté LangChain.</p>"
            "<h2>Table ronde sur le platform engineering</h2>"
            "<p>Avec Paul Martin (Qonto) et Léa Bernard (Alan), une discussion autour de Backstage.</p>"
            "</article></body></html>")
    recap = extract(segment(parse_document(text, "r.html")))
    assert [t.title for t in recap.talks] == ["Keynote d'ouverture", "Table ronde sur le platform engineering"]
    assert people(recap.talks[1]) == {("Paul Martin", "Qonto"), ("Léa Bernard", "Alan")}
    assert recap.event["name"] == "Devoxx France 2024" and recap.event["city"] == "Paris"


def test_names_in_prose_each_with_their_own_company_share_the_verb():
    talk = talks_of("## Un talk\n\nDans cette session, Inès Carré (Orbitale) et Hugo Lemaire (Datakit) nous "
                    "présentent leur plateforme. Plus tard, Nina Roche de Kalimo, Théo Brun, Tech Lead chez Vireo, "
                    "et Zoé Marin nous montrent la suite.\n")[0]
    assert people(talk) == {("Inès Carré", "Orbitale"), ("Hugo Lemaire", "Datakit"), ("Nina Roche", "Kalimo"),
                            ("Théo Brun", "Vireo"), ("Zoé Marin", None)}


def test_a_role_like_word_that_ends_a_company_name_is_kept():
    first, second = talks_of(
        "## Un talk\nSpeakers : Alice Martin, Nuvola Software & Bruno Petit, Kalimo Cloud\n\n"
        "Camille Durand, développeuse chez Orbitale Software, nous présente Helm.\n\n"
        "## Un autre talk\nSpeaker : Hugo Lemaire, Vireo Senior Software Engineer\n\nHugo nous montre Flux.\n")
    assert people(first) == {("Alice Martin", "Nuvola Software"), ("Bruno Petit", "Kalimo Cloud"),
                             ("Camille Durand", "Orbitale Software")}
    assert people(second) == {("Hugo Lemaire", "Vireo")}  # a role phrase ends with a job, not with a field


def test_a_role_alone_after_a_name_is_no_company():
    talk = talks_of("## Un talk\nPrésentée par **Alice Martin** - ***Engineering Manager***.\n\nUn talk sur Helm.\n")[0]
    assert people(talk) == {("Alice Martin", None)}


# ---------------------------------------------------------------- unknown tools from their context

def recap_talks(body: str):
    """The talks of a recap whose title names the event (else the event is guessed from the text)."""
    return talks_of("# Retour sur le DevFest Nantes 2024\n\n" + body)


def found(talk):
    """Tool name -> the rule that found it."""
    return {t.canonical or t.text: t.rule for t in talk.tools}


def test_generic_words_are_never_tools_even_in_a_tool_context():
    talk = recap_talks("## Un talk\n\nAlice nous présente la plateforme Serverless, l'outil DevOps, "
                       "[FinOps](https://finops.example.org/) et `cloud`. Le Platform Engineering, une solution "
                       "Cloud, est comparé au CI/CD et à l'Observabilité.\n")[0]
    assert not {"Serverless", "DevOps", "FinOps", "cloud", "Platform Engineering", "Cloud", "CI/CD",
                "Observabilité"} & tools(talk)


def test_repository_url_gives_the_repository_name_not_github():
    talk = recap_talks("## Un talk\n\nAlice a écrit Zorglubctl pour ses clusters : "
                       "https://github.com/acme/zorglubctl.\n")[0]
    assert found(talk) == {"Zorglubctl": "repo-url"}


def test_link_to_an_issue_or_a_merge_request_gives_the_repository():
    talk = recap_talks("## Un talk\n\nAlice a corrigé [ce bug](https://github.com/acme/frobnik/issues/12) de "
                       "Frobnik et [celui-ci](https://gitlab.com/group/sub/plonkr/-/merge_requests/3) de Plonkr.\n")[0]
    assert found(talk) == {"Frobnik": "repo-url", "Plonkr": "repo-url"}


def test_repository_named_by_its_anchor_or_written_without_scheme():
    talk = recap_talks("## Un talk\n\nAlice montre [Quuxify](https://github.com/acme/quuxify) et le projet "
                       "blorpctl (codeberg.org/team/blorpctl).\n")[0]
    assert found(talk) == {"Quuxify": "repo-url", "blorpctl": "repo-url"}


def test_owner_pages_gists_and_demo_repositories_are_not_tools():
    talk = recap_talks("## Un talk\n\nLes sources sont sur https://github.com/acme, "
                       "https://github.com/orgs/acme/people, https://gist.github.com/alice/0a1b2c et "
                       "https://github.com/alice/demo-devfest : la démo demo-devfest est en ligne.\n")[0]
    assert tools(talk) == set()


def test_link_anchor_to_the_project_site_is_a_tool_other_anchors_are_not():
    talk = recap_talks("## Un talk\n\nAlice utilise [Zapotek](https://zapotek.dev/) et cite "
                       "[Blinkr](https://example.com/blog/2024/notes), [la documentation officielle]"
                       "(https://docs.example.com/) et l'agence [Pixelia](https://pixelia.fr/).\n")[0]
    assert found(talk) == {"Zapotek": "link-anchor"}
    assert talk.tools[0].confidence > 0.8


def test_code_span_with_a_command_after_a_tool_cue_or_typed_at_a_prompt():
    talk = recap_talks("## Un talk\n\nAlice installe `zapctl` puis ouvre `/etc/hosts`, passe `--force`, édite "
                       "`values.yaml` et la clé `replicas:`, lance `frob run --all`, et déploie avec `apply`. "
                       "Enfin `tarnish` scanne l'image :\n\n```\n$ tarnish scan mon-image\n```\n")[0]
    assert found(talk) == {"zapctl": "code-span", "tarnish": "code-span"}


def test_product_like_names_in_a_sentence_about_software():
    talk = recap_talks("## Un talk\n\nAlice déploie la solution avec OpenZorg et k7s en version 2. Le OnBoarding "
                       "des NetworkPolicies du projet est rapide. Bob a aussi parlé de BlorpBox.\n")[0]
    assert found(talk) == {"OpenZorg": "product-name", "k7s": "product-name"}


def test_title_name_repeated_in_the_summary_unless_an_ordinary_word():
    talks = recap_talks("## Zorglub : le retour\n\nAlice nous présente les nouveautés de Zorglub.\n\n"
                        "## Sobriété : coder léger\n\nAlice nous présente la Sobriété numérique.\n")
    assert found(talks[0]) == {"Zorglub": "title-name"}
    assert tools(talks[1]) == set()


def test_unknown_name_listed_among_known_tools():
    text = ("# Retour sur DevFest Zorg 2024\n\n## Observabilité au quotidien\n\n"
            "Alice Martin nous présente sa stack : Prometheus, Zorgmon et Grafana, ainsi que Loki, Tempo ou Pyrolix. "
            "Elle compare Paris, Lyon et Lille, puis Kubernetes, Docker et Alice.\n")
    [talk] = talks_of(text)
    listed = {m.text for m in talk.tools if m.rule == "tool-list"}
    assert listed == {"Zorgmon", "Pyrolix"}  # not the cities, not a first name, not "ainsi"


# ---------------------------------------------------------------- cue words, roles and organisations are no people

def test_cue_words_before_a_speaker_are_never_part_of_the_name():
    first, second, third = talks_of(
        "## Un talk\n\nPar [Lucien Parmentier](https://twitter.com/lparm) (Orbitale)\n\nLucien nous montre Helm.\n\n"
        "## Un autre talk\n\nAvec Nadège Poulain & Rémi Caradec (Kalimo)\n\nIls nous montrent Flux.\n\n"
        "## Un troisième talk\n\nPrésenté Par Agnès Tholly - Vireo\n\nAgnès nous montre Argo CD.\n")
    assert people(first) == {("Lucien Parmentier", "Orbitale")}
    assert people(second) == {("Nadège Poulain", "Kalimo"), ("Rémi Caradec", "Kalimo")}
    assert people(third) == {("Agnès Tholly", "Vireo")}


def test_a_name_alone_on_the_first_line_of_a_talk_is_its_speaker():
    talk = talks_of("## Un talk\n\nLucien Parmentier\n\nUne session sur la supervision avec Prometheus.\n")[0]
    assert people(talk) == {("Lucien Parmentier", None)}


def ner_tags(monkeypatch, *names):
    """The NER also tags roles and companies as people: simulate its answer."""
    monkeypatch.setattr("kg.nlp.person_names", lambda texts: set(names))


def test_a_role_tagged_as_a_person_does_not_break_an_apposition(monkeypatch):
    ner_tags(monkeypatch, "Solène Marchal", "Engineering Manager", "Brunelis Systèmes")
    talk = talks_of("## Un talk\n\nDans cette session, Solène Marchal, Engineering Manager chez Brunelis Systèmes, "
                    "aborde la mise à l'échelle de ses équipes.\n")[0]
    assert people(talk) == {("Solène Marchal", "Brunelis Systèmes")}


def test_a_company_tagged_as_a_person_in_the_employer_slot_is_the_employer(monkeypatch):
    ner_tags(monkeypatch, "Gaspard Orlinski", "Tiphaine Rouvel", "Walmio SA", "Hexanor SA", "Axilo Conseil")
    first, second, third = talks_of(
        "## Un talk\n\nLa façon dont Gaspard Orlinski et Tiphaine Rouvel (Walmio SA) abordent le sujet.\n\n"
        "## Un autre talk\n\nUn constat, et Gaspard Orlinski de Hexanor SA nous montre pourquoi.\n\n"
        "## Un troisième talk\n\nDans ce talk, Tiphaine Rouvel d'Axilo Conseil nous présente sa chaîne de build.\n")
    assert people(first) == {("Gaspard Orlinski", "Walmio SA"), ("Tiphaine Rouvel", "Walmio SA")}
    assert people(second) == {("Gaspard Orlinski", "Hexanor SA")}
    assert people(third) == {("Tiphaine Rouvel", "Axilo Conseil")}


def test_a_company_named_as_an_employer_elsewhere_in_the_recap_is_no_speaker(monkeypatch):
    ner_tags(monkeypatch, "Brunelis Systèmes", "Mathis Ferrand", "Lead Developer")
    first, second = talks_of(
        "## Un talk\n\nMathis Ferrand, développeur chez Brunelis Systèmes, nous présente Helm.\n\n"
        "## Un autre talk\n\nBrunelis Systèmes nous présente sa plateforme interne.\n"
        "Lead Developer explique ensuite la suite.\n")
    assert people(first) == {("Mathis Ferrand", "Brunelis Systèmes")}
    assert people(second) == set()


def test_a_phrase_with_a_tool_name_tagged_as_a_person_is_no_person(monkeypatch):
    ner_tags(monkeypatch, "Atelier Falco", "Sécuriser Kubernetes", "Hélène Drouvin")
    listed, prose = talks_of(
        "## Les autres talks\n\n- *Atelier Falco : les mains dans le code* - Hélène Drouvin\n"
        "- *Gradle sans douleur* - Thomas Girard\n\n"
        "## Un talk\n\nSécuriser Kubernetes demande de la rigueur, et Hélène Drouvin nous montre comment.\n")[:3:2]
    assert tools(listed) == {"Falco"}
    assert people(prose) == {("Hélène Drouvin", None)}
    assert tools(prose) == {"Kubernetes"}
