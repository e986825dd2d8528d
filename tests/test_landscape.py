"""`kg gazetteer import-landscape`: the CNCF landscape as an extra, per-store gazetteer."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import gazetteer
from kg.build import build
from kg.cli import cli
from kg.errors import InputError
from kg.gazetteer import Entry, read_skos
from kg.landscape import read_landscape, write_landscape
from kg.store import GraphStore

CNCF_LANDSCAPE = Path(__file__).resolve().parents[2] / "shared/data/cncf-landscape.yml"
RES = "https://w3id.org/confkg/resource/"

# the landscape's shape: marker keys with null values, fields as siblings; one item lacks `item:`
LANDSCAPE = """\
landscape:
  - category:
    name: Provisioning
    subcategories:
      - subcategory:
        name: Security & Compliance
        items:
          - item:
            name: Zlorbix
            homepage_url: https://zlorbix.example/
            repo_url: https://github.com/zlorbix-io/zlorbix-operator
          - item:
            name: Open Policy Administration Layer (OPAL)
            homepage_url: https://opal.ac/
            repo_url: https://github.com/permitio/opal
          - item:
            name: Open Service Mesh
            homepage_url: https://openservicemesh.io/
          - item:
            name: Distribution
            homepage_url: https://distribution.github.io/distribution/
          - item:
            name: Kyverno
            homepage_url: https://kyverno.io/
      - subcategory:
        name: Key Management
        items:
          - name: Quuxcrypt Keeper
            homepage_url: not a url
  - category:
    name: CNCF Members
    subcategories:
      - subcategory:
        name: Silver
        items:
          - item:
            name: Zlorbix Labs (member)
            homepage_url: https://zlorbix-labs.example/
"""


@pytest.fixture(autouse=True)
def bundled_gazetteers_only():
    yield
    gazetteer.use_extra_gazetteers([])


@pytest.fixture
def landscape_file(tmp_path) -> Path:
    path = tmp_path / "landscape.yml"
    path.write_text(LANDSCAPE, encoding="utf-8")
    return path


def test_items_become_tools_and_organisations(landscape_file):
    landscape = read_landscape(landscape_file)
    security = "Provisioning / Security & Compliance"
    assert landscape.tools == [
        Entry(f"{RES}tool/open-policy-administration-layer", "Open Policy Administration Layer", ("OPAL",), security,
              "https://opal.ac/", ambiguous=True),
        Entry(f"{RES}tool/open-service-mesh", "Open Service Mesh", (), security, "https://openservicemesh.io/",
              ambiguous=True),
        Entry(f"{RES}tool/quuxcrypt-keeper", "Quuxcrypt Keeper", (), "Provisioning / Key Management", None),
        Entry(f"{RES}tool/zlorbix", "Zlorbix", ("zlorbix-operator",), security, "https://zlorbix.example/"),
    ]
    assert landscape.organizations == [
        Entry(f"{RES}organization/zlorbix-labs", "Zlorbix Labs", (), "CNCF Members / Silver",
              "https://zlorbix-labs.example/")]
    assert landscape.known == 1  # Kyverno: the bundled, curated entry wins
    assert landscape.ordinary == 1  # Distribution: a heading "Une Distribution minimaliste" is no tool


def test_written_gazetteer_reads_back_with_its_source(landscape_file, tmp_path):
    landscape = read_landscape(landscape_file)
    tools_file, orgs_file = write_landscape(landscape, landscape_file, tmp_path / "out")
    assert sorted(read_skos(tools_file), key=lambda e: e.iri) == landscape.tools
    assert read_skos(orgs_file) == landscape.organizations
    text = tools_file.read_text(encoding="utf-8")
    assert "dcterms:license <https://creativecommons.org/licenses/by/4.0/>" in text
    assert "https://github.com/cncf/landscape" in text and "landscape.yml (sha256 " in text
    write_landscape(landscape, landscape_file, tmp_path / "again")
    assert (tmp_path / "again" / tools_file.name).read_bytes() == tools_file.read_bytes()


@pytest.mark.parametrize("text, reason", [
    ("landscape: [\n", "not readable as YAML"),
    ("items: []\n", "no top-level `landscape` list"),
    ("landscape:\n  - just a string\n", "are not mappings"),
])
def test_not_a_landscape_names_the_file(tmp_path, text, reason):
    path = tmp_path / "broken.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=reason) as error:
        read_landscape(path)
    assert error.value.path == path


def test_cli_import_and_stats(landscape_file, tmp_path):
    runner = CliRunner()
    store = tmp_path / "new-store"
    result = runner.invoke(cli, ["gazetteer", "import-landscape", str(landscape_file), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert f"Imported 4 tools (2 ambiguous) and 1 organisations from {landscape_file} into {store / 'gazetteer'}" \
        in result.output
    assert "Left out: 1 names the bundled gazetteer or lexicons already know, 1 names that are ordinary words" \
        in result.output
    stats = runner.invoke(cli, ["gazetteer", "stats", "--store", str(store)])
    assert stats.exit_code == 0
    assert "     4 entries     2 ambiguous  " + str(store / "gazetteer" / "landscape-tools.ttl") in stats.output

    out = tmp_path / "elsewhere"
    assert runner.invoke(cli, ["gazetteer", "import-landscape", str(landscape_file), "-o", str(out)]).exit_code == 0
    assert (out / "landscape-organizations.ttl").exists()

    missing = runner.invoke(cli, ["gazetteer", "import-landscape", str(tmp_path / "nope.yml"), "--store", str(store)])
    assert missing.exit_code == 2 and "no such file" in missing.output
    (tmp_path / "broken.yml").write_text("landscape: [\n", encoding="utf-8")
    broken = runner.invoke(cli, ["gazetteer", "import-landscape", str(tmp_path / "broken.yml"), "--store", str(store)])
    assert broken.exit_code == 1 and "broken.yml: not readable as YAML" in broken.output


def test_build_matches_imported_tools_and_reextracts_after_import(landscape_file, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "recap.md").write_text(
        "# Sécuriser ses clusters\n\nAlice Martin nous a montré Zlorbix qui filtre les déploiements, "
        "et parle d'une open service mesh en passant.\n", encoding="utf-8")
    path = tmp_path / "store"

    def tools_built() -> tuple[list[str], set[str]]:
        with GraphStore.create(path) as gs:
            report = build([corpus], gs)
            rows = gs.store.query("SELECT ?label ?category WHERE { ?t a kg:Tool ; rdfs:label ?label . "
                                  "OPTIONAL { ?t kg:category ?category } }", use_default_graph_as_union=True,
                                  prefixes={"kg": "https://w3id.org/confkg/ontology#",
                                            "rdfs": "http://www.w3.org/2000/01/rdf-schema#"})
            return report.built, {f"{r['label'].value} / {r['category'].value if r['category'] else '-'}"
                                  for r in rows}

    built, tools = tools_built()
    assert built and not any(t.startswith("Zlorbix") for t in tools)
    write_landscape(read_landscape(landscape_file), landscape_file, path / "gazetteer")
    built, tools = tools_built()
    assert built, "importing a gazetteer must invalidate the cached extractions"
    # lowercase "open service mesh" is ambiguous: no tool without a capital or a tool context
    assert tools == {"Zlorbix / Provisioning / Security & Compliance"}
    assert tools_built()[0] == []  # nothing changed: every recap comes from the cache


@pytest.mark.skipif(not CNCF_LANDSCAPE.exists(), reason="../shared/data/cncf-landscape.yml is not here")
def test_the_cncf_landscape(tmp_path):
    landscape = read_landscape(CNCF_LANDSCAPE)
    assert len(landscape.tools) > 900 and len(landscape.organizations) > 500
    tools = {e.label: e for e in landscape.tools}
    assert tools["SlimFaaS"].category == "Serverless / Installable Platform"
    assert "Kyverno" not in tools and "Krew" not in tools  # left to the bundled gazetteer
    assert "Distribution" not in tools and "Architect" not in tools  # ordinary words
    assert not any("(" in e.label for e in landscape.tools + landscape.organizations)
    write_landscape(landscape, CNCF_LANDSCAPE, tmp_path)
    gazetteer.use_extra_gazetteers([tmp_path])
    assert gazetteer.tools().lookup("Kyverno").iri == f"{RES}tool/kyverno"
    assert gazetteer.tools().lookup("Krew").category == "package-manager"  # the bundled entry
    assert gazetteer.tools().lookup("SlimFaaS").homepage == tools["SlimFaaS"].homepage
    assert gazetteer.organizations().lookup("Upbound")


def test_a_broken_store_gazetteer_is_a_usage_error(tmp_path):
    from kg.errors import UsageError

    (tmp_path / "store" / "gazetteer").mkdir(parents=True)
    (tmp_path / "store" / "gazetteer" / "my-tools.ttl").write_text("garbage <\n", encoding="utf-8")
    with GraphStore.create(tmp_path / "store") as gs, pytest.raises(UsageError, match="my-tools.ttl: not a readable"):
        build([], gs)
