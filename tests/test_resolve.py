"""Entity resolution across recaps: aliases, typos, former names, events, talks, people, user decisions."""
from __future__ import annotations

import pytest

from kg.decisions import load_decisions
from kg.errors import UsageError
from kg.extract import Extraction, Mention, PersonMention, TalkExtraction
from kg.resolve import organization_key, resolve

RES = "https://w3id.org/confkg/resource/"


def mention(text, rule="gazetteer", canonical=None):
    return Mention(text, 10, 10 + len(text), rule, 0.9, canonical)


def talk(title, tools=(), speakers=(), aliases=()):
    people = []
    for s in speakers:
        name, _, org = s.partition("@")
        people.append(PersonMention(name, 0, len(name), "speaker-line", 0.95,
                                    affiliation=mention(org, "employer-next-to-name") if org else None))
    heading = Mention(title, 0, len(title), "talk-heading", 0.9)
    return TalkExtraction(title, list(aliases), 0, 100, heading, people, [mention(t) for t in tools])


def recap(source, series, year, talks, former_names=()):
    event = {"name": f"{series} {year}", "series": series, "year": year, "start_date": None, "city": None}
    return Extraction(source, None, None, event, [], talks, list(former_names))


def labels(resolution, kind):
    return sorted(n.label for n in resolution.nodes.values() if n.kind == kind)


def node(resolution, kind, label):
    return next(n for n in resolution.nodes.values() if n.kind == kind and n.label == label)


def test_gazetteer_alias_and_case_give_one_tool():
    r = resolve([recap("a.md", "Cloud Nord", 2023, [talk("T1", ["k8s", "kubernetes", "Kubernetes"])])])
    assert labels(r, "Tool") == ["Kubernetes"]
    assert {"k8s", "kubernetes"} <= node(r, "Tool", "Kubernetes").alt_labels
    assert any(m.name == "k8s" and "gazetteer" in m.reason for m in r.merges)


def test_typo_joins_the_known_name_but_versions_and_extensions_stay_apart():
    r = resolve([recap("a.md", "Cloud Nord", 2023, [
        talk("T1", ["OpenTelemetry", "OpenTelementry", "Zorglubator", "Zorglubators", "Flinkerator",
                    "Flinkeratorer", "Python 2", "Python 3"])])])
    tools = labels(r, "Tool")
    assert "OpenTelementry" not in tools and "OpenTelemetry" in tools
    assert "Zorglubators" not in tools  # a plural
    assert {"Flinkerator", "Flinkeratorer"} <= set(tools)  # an extension is another name
    assert {"Python 2", "Python 3"} <= set(tools)
    typo = next(m for m in r.merges if m.name == "OpenTelementry")
    assert typo.label == "OpenTelemetry" and "similar spelling" in typo.reason


def test_two_gazetteer_entries_are_never_merged_by_spelling():
    r = resolve([recap("a.md", "Cloud Nord", 2023, [talk("T1", ["Polaris", "Polars"])])])
    assert labels(r, "Tool") == ["Polaris", "Polars"]


def test_domain_name_is_the_project():
    r = resolve([recap("a.md", "Cloud Nord", 2023, [talk("T1", ["Zorgtool", "zorgtool.io"])])])
    assert labels(r, "Tool") == ["Zorgtool"]


def test_former_name_and_legal_suffix_give_one_organisation():
    r = resolve([
        recap("a.md", "Cloud Nord", 2023, [talk("T1", speakers=["Jeanne Martin@Publicis Sapient"])],
              former_names=[("Publicis Sapient", "Xebia")]),
        recap("b.md", "Cloud Nord", 2022, [talk("T2", speakers=["Paul Durand@Xebia", "Léa Roy@Zenika SAS",
                                                                  "Marc Petit@Zenika"])]),
    ])
    assert labels(r, "Organization") == ["Publicis Sapient", "Zenika"]
    assert organization_key("Acme Inc.") == organization_key("ACME")


def test_two_spellings_of_one_edition_give_one_event():
    r = resolve([recap("a.md", "CloudNord", 2023, [talk("T1")]), recap("b.md", "Cloud Nord", 2023, [talk("T2")]),
                 recap("c.md", "Zorg Summit", 2024, [talk("T3")]), recap("d.md", "ZorgSummit", 2024, [talk("T4")])])
    assert labels(r, "Event") == ["Cloud Nord 2023", "Zorg Summit 2024"]
    assert len({rc.event for rc in r.recaps}) == 2


def test_one_talk_described_by_two_recaps_is_one_node():
    r = resolve([
        recap("a.md", "Cloud Nord", 2023, [talk("Kubernetes sans YAML, enfin !", speakers=["Jean Dupont"]),
                                           talk("Observabilité pour tous")]),
        recap("b.md", "Cloud Nord", 2023, [talk("Kubernetes sans le YAML, enfin", speakers=["Jean Dupont"]),
                                           talk("La sécurité des conteneurs")]),
    ])
    talks = labels(r, "Talk")
    assert len(talks) == 3
    merged = node(r, "Talk", "Kubernetes sans YAML, enfin !")
    assert "Kubernetes sans le YAML, enfin" in merged.alt_labels
    assert all(merged.iri in [t.iri for t in rc.talks] for rc in r.recaps)
    assert any(m.kind == "Talk" and "close titles" in m.reason for m in r.merges)


def test_subtitle_cut_with_a_shared_speaker_is_one_talk_but_not_within_one_recap():
    r = resolve([
        recap("a.md", "Cloud Nord", 2023, [talk("Continuous Checkup", speakers=["Ana Lopez"]),
                                           talk("Continuous Checkup avancé", speakers=["Ana Lopez"])]),
        recap("b.md", "Cloud Nord", 2023, [talk("Continuous Checkup - et si on regardait nos images ?",
                                                speakers=["Ana Lopez"])]),
    ])
    assert len(labels(r, "Talk")) == 2  # a.md's two talks stay two; b.md's joins one of them


def test_same_title_at_two_events_is_two_talks():
    r = resolve([recap("a.md", "Cloud Nord", 2023, [talk("GitOps en vrai")]),
                 recap("b.md", "Cloud Nord", 2024, [talk("GitOps en vrai")])])
    assert len(labels(r, "Talk")) == 2


def test_first_name_joins_the_full_name_of_the_same_talk_across_recaps_else_stays_scoped():
    r = resolve([
        recap("a.md", "Cloud Nord", 2023, [talk("Talk A", speakers=["Benoît"]), talk("Talk B", speakers=["Louis"])]),
        recap("b.md", "Cloud Nord", 2023, [talk("Talk A", speakers=["Benoît Moreau"])]),
        recap("c.md", "Cloud Nord", 2024, [talk("Talk C", speakers=["Louis"])]),
    ])
    people = {n.iri for n in r.nodes.values() if n.kind == "Person"}
    assert f"{RES}person/benoit-moreau" in people and not any(i.endswith("/benoit") for i in people)
    assert {f"{RES}person/cloud-nord-2023/louis", f"{RES}person/cloud-nord-2024/louis"} <= people


def test_facts_keep_their_mentions():
    r = resolve([recap("a.md", "Cloud Nord", 2023, [talk("T1", ["Helm"], ["Jean Dupont@Zenika"])])])
    predicates = sorted(f.predicate for f in r.recaps[0].facts)
    assert predicates == ["mentions", "presentedAt", "speaker", "worksAt"]
    helm = next(f for f in r.recaps[0].facts if f.predicate == "mentions")
    assert helm.mention.rule == "gazetteer" and helm.object.endswith("/tool/helm")


DECISIONS = """
merge:
  - kind: tool
    name: Zorg Platform
    same_as: [ZP, Zorgplat]
  - kind: person
    name: Benoît Moreau
    same_as: [Benoît]
split:
  - kind: tool
    names: [OpenTelemetry, OpenTelementry]
"""


def test_user_decisions_merge_and_split(tmp_path):
    path = tmp_path / "kg-decisions.yaml"
    path.write_text(DECISIONS, encoding="utf-8")
    decisions = load_decisions(path)
    r = resolve([recap("a.md", "Cloud Nord", 2023, [
        talk("T1", ["ZP", "Zorgplat", "OpenTelemetry", "OpenTelementry"], ["Benoît"])])], decisions)
    tools = labels(r, "Tool")
    assert "Zorg Platform" in tools and "ZP" not in tools and "Zorgplat" not in tools
    assert {"OpenTelemetry", "OpenTelementry"} <= set(tools)
    assert f"{RES}person/benoit-moreau" in r.nodes
    assert any(m.reason == "your decisions file" for m in r.merges)


@pytest.mark.parametrize("text, message", [
    ("merge: [{kind: tool, name: X}]", "merge #1 needs `name`"),
    ("split: [{kind: gadget, names: [A, B]}]", "split #1 needs `kind`"),
    ("merge: [unclosed", "not valid YAML"),
    ("- just a list", "expects a mapping"),
])
def test_bad_decisions_file_names_the_file_and_the_reason(tmp_path, text, message):
    path = tmp_path / "decisions.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message) as e:
        load_decisions(path)
    assert str(path) in str(e.value)


def test_resolution_stays_near_linear():
    """Blocking: 3,000 distinct names must not be compared pairwise (that would be 4.5M comparisons)."""
    import time

    names = [f"Tool{i:05d}x{chr(97 + i % 26)}" for i in range(3000)]
    x = [recap(f"{i}.md", "Cloud Nord", 2023, [talk(f"T{i}", names[i * 30:(i + 1) * 30])]) for i in range(100)]
    start = time.perf_counter()
    r = resolve(x)
    assert len(labels(r, "Tool")) == 3000
    assert time.perf_counter() - start < 20  # generous; quadratic work takes minutes here


def test_reworded_title_with_a_shared_speaker_is_one_talk_but_their_other_talk_stays_apart():
    r = resolve([
        recap("a.md", "Cloud Nord", 2023, [talk("Démystifions les composants internes de Kubernetes",
                                                speakers=["Denise Garnier"]),
                                           talk("Keynote : le futur du cloud", speakers=["Denise Garnier"])]),
        recap("b.md", "Cloud Nord", 2023, [talk("Les composants internes de Kubernetes démystifiés",
                                                speakers=["Denise Garnier"])]),
    ])
    assert len(labels(r, "Talk")) == 2
    merged = node(r, "Talk", "Démystifions les composants internes de Kubernetes")
    assert merged.alt_labels == {"Les composants internes de Kubernetes démystifiés"}
