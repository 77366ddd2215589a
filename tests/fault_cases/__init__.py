"""The fault suite's cases (issue 13): each module of this package lists ``CASES``.

A case is one bad file, hostile cell or fault and the exact outcome the program must give
(report line, exit code, untouched inbox, no personal data outside restricted/). ``collect()``
gathers the cases of every module here; ``tests/test_faults.py`` runs each one and the run ends
with the line "N cases, N handled".
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Case:
    id: str  # unique, short: "1-huge-count"
    item: int  # the item of issue 13
    title: str  # what is tried, in a few words
    run: Callable[[Path], None]  # takes a fresh temporary folder; raises AssertionError if mishandled


def collect() -> list[Case]:
    """The CASES of every module of this package, in module-name order."""
    cases: list[Case] = []
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        cases += list(getattr(module, "CASES", []))
    ids = [c.id for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup, f"duplicate case ids: {sorted(dup)}"
    return cases
