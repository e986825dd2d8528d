"""Quality regression on the bundled corpus, measured by the shared scorer (../shared/eval/score.py).

Fails when a dev F1 falls more than 0.02 below the floor recorded here; the floors
are the scores reached when this test was last raised, rounded down.
"""
import importlib.util

import pytest
from conftest import GOLD, SCORER

FLOORS = {"talks": 0.97, "speakers": 0.80, "worksAt": 0.75, "mentions": 0.70, "recurring_tools": 0.75}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scores(turtle_export, gold):
    if not SCORER.exists():
        pytest.skip(f"scorer not found at {SCORER}")
    spec = importlib.util.spec_from_file_location("score", SCORER)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    return score.score(score.load_graph(turtle_export), gold)


@pytest.mark.parametrize("relation", sorted(FLOORS))
def test_f1_does_not_regress(scores, relation):
    assert scores[relation]["f1"] >= FLOORS[relation] - 0.02, scores[relation]


def test_event_facts(scores):
    assert scores["event"]["name"]["correct"] == 5
    assert scores["event"]["start_date"]["correct"] == scores["event"]["start_date"]["of"]
    assert scores["event"]["city"]["correct"] == scores["event"]["city"]["of"]


def test_no_duplicate_nodes(scores):
    assert all(d["duplicates"] == 0 for d in scores["duplicates"].values()), scores["duplicates"]


def test_gold_is_the_dev_set():
    assert len(list(GOLD.glob("*.yaml"))) == 5
