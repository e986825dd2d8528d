"""Quality regression on the bundled corpus, scored by kg's own evaluator against tests/gold-dev.

Fails when a dev F1 falls more than 0.02 below the score reached when these floors
were last raised (`kg eval --gold tests/gold-dev`). tests/test_evaluate.py checks that
kg's evaluator and the shared scorer (../shared/eval/score.py) agree.
"""
import pytest
from conftest import GOLD

from kg.evaluate import Graph, evaluate, load_gold

REACHED = {"talks": 1.000, "speakers": 1.000, "worksAt": 1.000, "mentions": 0.994, "recurring_tools": 1.000}
TOLERANCE = 0.02

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result(built_store):
    return evaluate(Graph.from_store(built_store.store), load_gold(GOLD))


@pytest.mark.parametrize("relation", sorted(REACHED))
def test_f1_does_not_regress(result, relation):
    assert result.relations[relation].f1 >= REACHED[relation] - TOLERANCE, result.summary()


def test_event_facts(result):
    assert {name: (fact.correct, fact.of) for name, fact in result.event.items()} == {
        "name": (5, 5), "start_date": (2, 2), "city": (3, 3)}


def test_no_duplicate_nodes(result):
    assert all(d.duplicates == 0 for d in result.duplicates.values()), result.duplicates


def test_gold_is_the_dev_set():
    assert len(list(GOLD.glob("*.yaml"))) == 5
