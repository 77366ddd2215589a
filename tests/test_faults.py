"""Issue 13's fault suite: one test per case of ``tests/fault_cases`` (bad files, hostile cells,
faults, privacy). The run prints "N cases, N handled" (see conftest.pytest_terminal_summary)."""

from __future__ import annotations

import pytest
from fault_cases import Case, collect

CASES = collect()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fault_case(case: Case, tmp_path):
    case.run(tmp_path)
