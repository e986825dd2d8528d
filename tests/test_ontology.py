"""Tests of the confkg ontology (confkg.ttl), its SHACL shapes (shapes.ttl) and the
hand-written sample dataset (tests/data/sample.trig). Fast, no network."""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

ROOT = Path(__file__).parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_TTL = ONTOLOGY_DIR / "confkg.ttl"
SHAPES_TTL = ONTOLOGY_DIR / "shapes.ttl"
MODEL_README = ONTOLOGY_DIR / "README.md"
SAMPLE_TRIG = Path(__file__).parent / "data" / "sample.trig"

KG = Namespace("https://w3id.org/confkg/ontology#")
KGR = Namespace("https://w3id.org/confkg/resource/")
KGSH = Namespace("https://w3id.org/confkg/shapes#")
SCHEMA = Namespace("https://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
CONF = Namespace("https://w3id.org/scholarlydata/ontology/conference-ontology.owl#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
# an open Namespace: pytest probes module attributes, and rdflib's closed XSD
# namespace warns on unknown names
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ONTOLOGY_IRI = URIRef("https://w3id.org/confkg/ontology")

CLASSES = ["Event", "EventSeries", "Talk", "Person", "Organization", "Tool", "Recap", "Evidence"]
OBJECT_PROPERTIES = ["presentedAt", "speaker", "worksAt", "mentions", "describedIn",
                     "about", "series", "author"]
DATATYPE_PROPERTIES = ["startDate", "city", "sourceFile", "published", "category",
                       "ambiguous", "confidence"]
ALL_TERMS = CLASSES + OBJECT_PROPERTIES + DATATYPE_PROPERTIES


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


@pytest.fixture(scope="module")
def sample() -> Dataset:
    ds = Dataset()
    ds.parse(SAMPLE_TRIG, format="trig")
    return ds


def union_of(ds: Dataset) -> Graph:
    """All named graphs merged into one plain Graph (how the shapes are run)."""
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def named_graphs(ds: Dataset) -> dict[URIRef, Graph]:
    out = {}
    for g in ds.graphs():
        if len(g):
            copy = Graph()
            for t in g:
                copy.add(t)
            out[g.identifier] = copy
    return out


def validate(data: Graph, shapes: Graph):
    """Run pyshacl without an ontology graph; return (conforms, results) where
    results is a list of dicts (focus, shape, component, message, path)."""
    conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=False,
        allow_warnings=False)
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        results.append({
            "focus": report.value(r, SH.focusNode),
            "shape": report.value(r, SH.sourceShape),
            "component": report.value(r, SH.sourceConstraintComponent),
            "message": str(report.value(r, SH.resultMessage)),
            "path": report.value(r, SH.resultPath),
        })
    return conforms, results


# --------------------------------------------------------------------------- parsing

def test_ontology_parses_and_has_header(ontology):
    assert len(ontology) > 0
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert (ONTOLOGY_IRI, DCTERMS.license,
            URIRef("https://creativecommons.org/licenses/by/4.0/")) in ontology
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description) is not None


def test_shapes_parse_and_target_every_class(shapes):
    assert len(shapes) > 0
    targeted = set(shapes.objects(None, SH.targetClass))
    assert targeted == {KG[c] for c in CLASSES} | {RDF.Statement}
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        for prop in shapes.objects(shape, SH.property):
            assert shapes.value(prop, SH.message) is not None, f"{prop} has no sh:message"


# --------------------------------------------------------------------------- declarations

def readme_terms() -> set[str]:
    """kg: terms cited in the tables of ontology/README.md."""
    terms = set()
    for line in MODEL_README.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("|"):
            terms.update(re.findall(r"`kg:([A-Za-z]+)`", line))
    return terms


def shapes_terms(shapes: Graph) -> set[str]:
    terms = set()
    for t in shapes:
        for node in t:
            if isinstance(node, URIRef) and str(node).startswith(str(KG)):
                terms.add(str(node)[len(str(KG)):])
    return terms


def test_readme_tables_are_read():
    terms = readme_terms()
    # guard against a silently empty parse of the README
    assert {"Talk", "presentedAt", "startDate", "sourceFile"} <= terms


@pytest.mark.parametrize("source", ["readme", "shapes", "brief"])
def test_terms_are_declared_with_bilingual_label_and_comment(ontology, shapes, source):
    terms = {"readme": readme_terms(), "shapes": shapes_terms(shapes),
             "brief": set(ALL_TERMS)}[source]
    assert terms
    for name in sorted(terms):
        term = KG[name]
        types = set(ontology.objects(term, RDF.type))
        assert types & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}, \
            f"kg:{name} is not declared"
        labels = {lit.language for lit in ontology.objects(term, RDFS.label)}
        assert {"fr", "en"} <= labels, f"kg:{name} lacks an fr/en rdfs:label"
        comments = {lit.language for lit in ontology.objects(term, RDFS.comment)}
        assert {"fr", "en"} <= comments, f"kg:{name} lacks an fr/en rdfs:comment"


def test_declaration_kinds(ontology):
    for c in CLASSES:
        assert (KG[c], RDF.type, OWL.Class) in ontology
    for p in OBJECT_PROPERTIES:
        assert (KG[p], RDF.type, OWL.ObjectProperty) in ontology
    for p in DATATYPE_PROPERTIES:
        assert (KG[p], RDF.type, OWL.DatatypeProperty) in ontology
    assert (KG.presentedAt, RDF.type, OWL.FunctionalProperty) in ontology


def test_domains_and_ranges(ontology):
    expected = {
        "presentedAt": ("Talk", KG.Event), "speaker": ("Talk", KG.Person),
        "worksAt": ("Person", KG.Organization), "mentions": ("Talk", KG.Tool),
        "describedIn": ("Talk", KG.Recap), "about": ("Recap", KG.Event),
        "series": ("Event", KG.EventSeries), "author": ("Recap", KG.Person),
        "startDate": ("Event", XSD.date), "city": ("Event", XSD.string),
        "sourceFile": ("Recap", XSD.string), "published": ("Recap", XSD.date),
        "category": ("Tool", XSD.string),
    }
    for name, (domain, range_) in expected.items():
        assert ontology.value(KG[name], RDFS.domain) == KG[domain], name
        assert ontology.value(KG[name], RDFS.range) == range_, name
    assert ontology.value(KG.ambiguous, RDFS.range) == XSD.boolean
    conf_range = ontology.value(KG.confidence, RDFS.range)
    assert ontology.value(conf_range, OWL.onDatatype) == XSD.decimal


def test_alignment(ontology):
    sub = RDFS.subClassOf
    subp = RDFS.subPropertyOf
    expected = [
        (KG.Event, sub, SCHEMA.Event), (KG.Event, sub, CONF.Conference),
        (KG.EventSeries, sub, SCHEMA.EventSeries),
        (KG.EventSeries, sub, CONF.ConferenceSeries),
        (KG.Talk, sub, SCHEMA.Event), (KG.Talk, sub, CONF.Talk),
        (KG.Person, sub, SCHEMA.Person), (KG.Person, sub, FOAF.Person),
        (KG.Person, sub, CONF.Person),
        (KG.Organization, sub, SCHEMA.Organization),
        (KG.Organization, sub, FOAF.Organization),
        (KG.Organization, sub, CONF.Organisation),
        (KG.Tool, sub, SCHEMA.SoftwareApplication),
        (KG.Recap, sub, SCHEMA.BlogPosting),
        (KG.presentedAt, subp, SCHEMA.superEvent),
        (KG.presentedAt, subp, CONF.isSubEventOf),
        (KG.series, subp, SCHEMA.superEvent),
        (KG.speaker, subp, SCHEMA.performer),
        (KG.worksAt, subp, SCHEMA.worksFor),
        (KG.mentions, subp, DCTERMS.references),
        (KG.about, subp, SCHEMA.about),
        (KG.author, subp, SCHEMA.author),
        (KG.startDate, subp, SCHEMA.startDate),
        (KG.startDate, subp, CONF.startDate),
        (KG.published, subp, SCHEMA.datePublished),
    ]
    missing = [t for t in expected if t not in ontology]
    assert not missing, missing


def test_no_domain_or_range_on_external_terms(ontology):
    for pred in (RDFS.domain, RDFS.range):
        for subject in ontology.subjects(pred, None):
            assert str(subject).startswith(str(KG)), \
                f"{pred} declared on non-kg term {subject}"


# --------------------------------------------------------------------------- sample data

def test_sample_union_conforms(sample, shapes):
    conforms, results = validate(union_of(sample), shapes)
    assert conforms, results


def test_each_recap_graph_is_self_contained(sample, shapes):
    graphs = named_graphs(sample)
    assert len(graphs) == 2
    for iri, g in graphs.items():
        assert (iri, RDF.type, KG.Recap) in g, "graph IRI must be the recap's IRI"
        conforms, results = validate(g, shapes)
        assert conforms, (iri, results)


def test_labels_agree_across_graphs(sample):
    labels: dict = {}
    for s, p, o, _g in sample.quads((None, RDFS.label, None, None)):
        labels.setdefault(s, set()).add(o)
    assert all(len(v) == 1 for v in labels.values()), labels


def test_sample_content_for_query_fixtures(sample):
    g = union_of(sample)
    tools = set(g.subjects(RDF.type, KG.Tool))
    assert len(tools) >= 6
    assert (KGR["tool/kubernetes"], SKOS.altLabel, Literal("k8s")) in g
    assert set(g.subjects(RDF.type, KG.Event)) == {
        KGR["event/cloud-nord-2023"], KGR["event/cloud-nord-2024"]}
    assert {g.value(e, KG.series) for e in g.subjects(RDF.type, KG.Event)} == {
        KGR["series/cloud-nord"]}
    assert len(set(g.subjects(RDF.type, KG.Talk))) == 3

    def events_of(pred, obj):
        return {g.value(t, KG.presentedAt) for t in g.subjects(pred, obj)}

    assert len(events_of(KG.mentions, KGR["tool/kubernetes"])) == 2
    assert len(events_of(KG.speaker, KGR["person/julie-moreau"])) == 2
    twice = [t for t in g.subjects(RDF.type, KG.Talk)
             if len(set(g.objects(t, KG.describedIn))) == 2]
    assert len(twice) == 1
    louis = KGR["person/cloud-nord-2024/louis"]
    assert (louis, RDF.type, KG.Person) in g and (None, KG.speaker, louis) in g
    assert len(set(g.subject_objects(KG.worksAt))) >= 3


# --------------------------------------------------------------------------- mutations

TALK = KGR["talk/cloud-nord-2023/gitops-avec-argo-cd-sur-kubernetes"]
EVENT = KGR["event/cloud-nord-2023"]


def only_violation(results):
    assert len(results) == 1, results
    return results[0]


def test_talk_with_two_labels_fails(sample, shapes):
    g = union_of(sample)
    g.add((TALK, RDFS.label, Literal("GitOps sur Kubernetes")))
    conforms, results = validate(g, shapes)
    assert not conforms
    r = only_violation(results)
    assert r["focus"] == TALK
    assert r["shape"] == KGSH.TalkLabel
    assert r["component"] == SH.MaxCountConstraintComponent
    assert "exactly one rdfs:label" in r["message"]


def test_talk_without_presented_at_fails(sample, shapes):
    g = union_of(sample)
    g.remove((TALK, KG.presentedAt, None))
    conforms, results = validate(g, shapes)
    assert not conforms
    r = only_violation(results)
    assert r["focus"] == TALK
    assert r["shape"] == KGSH.TalkPresentedAt
    assert r["component"] == SH.MinCountConstraintComponent
    assert "exactly one kg:presentedAt" in r["message"]


def test_event_with_string_start_date_fails(sample, shapes):
    g = union_of(sample)
    g.remove((EVENT, KG.startDate, None))
    g.add((EVENT, KG.startDate, Literal("2023-10-12")))
    conforms, results = validate(g, shapes)
    assert not conforms
    r = only_violation(results)
    assert r["focus"] == EVENT
    assert r["shape"] == KGSH.EventStartDate
    assert r["component"] == SH.DatatypeConstraintComponent
    assert "xsd:date" in r["message"]
