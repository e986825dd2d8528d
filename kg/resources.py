"""Where the packaged data lives: the ontology, gazetteers, lexicons and saved queries.

`ontology/` and `queries/` sit at the top of the repository and ship inside the
package as `kg.ontology` and `kg.queries`, so `kg` works from any folder.
"""
from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


@cache
def _package_dir(package: str, repo_folder: str) -> Path:
    try:
        path = Path(str(resources.files(package)))
        if path.is_dir():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    return _REPO / repo_folder


def ontology_dir() -> Path:
    return _package_dir("kg.ontology", "ontology")


def queries_dir() -> Path:
    return _package_dir("kg.queries", "queries")
