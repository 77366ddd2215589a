"""Shared fixtures: the bundled sample inbox and one real `daily` run for 南昌."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lib"))

SAMPLE = ROOT / "sample_inbox"


def invoke(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run an invoke task the way an analyst does, capturing text output."""
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", env=_env())


def _env() -> dict:
    import os

    return dict(os.environ, PYTHONUTF8="1", PYTHONIOENCODING="utf-8")


@pytest.fixture(scope="session", autouse=True)
def fresh_ipython_dir(tmp_path_factory):
    """Kernels of this run get an IPython directory of their own (history database included), as
    on a new machine: a developer's ~/.ipython must not make a run pass or fail."""
    import os

    old = os.environ.get("IPYTHONDIR")
    os.environ["IPYTHONDIR"] = str(tmp_path_factory.mktemp("ipython"))
    yield
    if old is None:
        os.environ.pop("IPYTHONDIR", None)
    else:
        os.environ["IPYTHONDIR"] = old


@pytest.fixture(scope="session", autouse=True)
def sample_inbox() -> Path:
    """The bundled sample, with its recorded file times restored (git does not keep them)."""
    from yonggong.synth import sample_mtimes

    assert SAMPLE.is_dir(), "sample_inbox/ is missing: run `invoke sample`"
    sample_mtimes.restore(SAMPLE)
    return SAMPLE


@pytest.fixture(scope="session")
def nanchang_run(tmp_path_factory, sample_inbox):
    """One `invoke daily --city=南昌` into a temporary outputs folder (newest day)."""
    out = tmp_path_factory.mktemp("outputs")
    res = invoke("daily", "--city=南昌", f"--out={out}")
    assert res.returncode == 0, res.stdout + res.stderr
    return out / "2020-03-01" / "南昌", res


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One headless Chromium (tests/chromium.py) for every browser test of the run."""
    from chromium import CHROMIUM, Browser

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        b.send("Browser.getVersion")
        yield b
    finally:
        b.close()


# The end-to-end layer: test modules that run notebooks, the CLI, a browser or LibreOffice, or
# regenerate the sample, and the fixtures that do so in otherwise quick modules. `./dev test
# --fast` (pytest --fast) leaves them out: the unit layer, to run after each edit. `./dev test`
# and .ci/run run everything.
E2E_MODULES = {
    "test_all", "test_bench", "test_browser", "test_daycache", "test_faults", "test_faults_at_scale",
    "test_footer", "test_history_province", "test_incremental", "test_kernel", "test_lab", "test_modes",
    "test_pages", "test_pdf", "test_privacy", "test_province_cache", "test_run",
    "test_sample", "test_sample_days", "test_sample_mtimes", "test_selfcheck", "test_week",
}
E2E_FIXTURES = {"nanchang_run", "browser", "runs", "province_written", "case_inbox", "k_inbox", "built",
                "sample_days", "city_day", "loaded", "sample_actions", "sample_page", "sample_day"}


def pytest_addoption(parser):
    parser.addoption("--fast", action="store_true",
                     help="unit layer only: no notebook, CLI, browser or LibreOffice (tests/conftest.py E2E_*)")
    parser.addoption("--long", action="store_true",
                     help="the long checks only (tests marked long: the benchmark run in quick mode)")


# The longest test files, longest first (measured with --durations on the 2-core machine): run
# first, so that with pytest-xdist (`./dev test`: -n auto --dist loadfile) no long file starts
# last while the other worker has finished. Only the order changes; a file missing here runs after.
LONGEST_FIRST = ["test_week", "test_all", "test_province", "test_incremental", "test_sample_days", "test_run",
                 "test_sample", "test_daycache", "test_history", "test_pdf", "test_pages", "test_faults",
                 "test_privacy", "test_province_cache"]  # by worker-seconds measured (2026-12-03, evening)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))  # stable: the order within a file stays
    # the long checks (marked long) run apart, as `./dev test --long` (.ci/run), like `./dev pages`
    long = config.getoption("--long")
    keep, drop = [], []
    for item in items:
        out = (item.get_closest_marker("long") is None) == long
        if not out and config.getoption("--fast"):
            out = (item.path.stem in E2E_MODULES or E2E_FIXTURES & set(getattr(item, "fixturenames", ()))
                   or item.get_closest_marker("e2e") is not None)
        (drop if out else keep).append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep


def pytest_terminal_summary(terminalreporter):
    """After a run of the fault suite (tests/test_faults.py): "N cases, N handled", N handled
    being the cases that passed."""
    reports = [r for key in ("passed", "failed", "error", "skipped") for r in terminalreporter.stats.get(key, [])
               if getattr(r, "when", "call") in ("call", "setup")
               and r.nodeid.split("::")[0].endswith("test_faults.py")]
    outcomes: dict[str, str] = {}
    for r in reports:  # one outcome per case: a failed setup counts, a passed setup is not the call
        if r.when == "call" or r.outcome != "passed":
            outcomes[r.nodeid] = r.outcome
    if outcomes:
        handled = sum(1 for o in outcomes.values() if o == "passed")
        terminalreporter.write_line(f"{len(outcomes)} cases, {handled} handled")
