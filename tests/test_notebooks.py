"""The committed notebooks are exactly what tools/make_notebooks.py writes (no drift)."""

from __future__ import annotations

import importlib.util

import nbformat
from conftest import ROOT


def test_committed_notebooks_match_their_source():
    spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "tools" / "make_notebooks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for name, cells in mod.NOTEBOOKS.items():
        want = nbformat.writes(mod.build(cells))
        have = (ROOT / "notebooks" / name).read_text(encoding="utf-8")
        assert nbformat.reads(have, as_version=4) == nbformat.reads(want, as_version=4), name
