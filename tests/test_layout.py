"""Repository rules: notebooks without outputs, environment.yml in step with pyproject."""

from __future__ import annotations

import json
import re
import tomllib

import yaml
from conftest import ROOT


def test_notebooks_are_committed_without_outputs():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs") == [], f"{path.name} cell {cell.get('id')} has outputs"
                assert cell.get("execution_count") is None, f"{path.name} has execution counts"


def test_city_notebook_has_a_parameters_cell():
    nb = json.loads((ROOT / "notebooks" / "city_day.ipynb").read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    src = "".join(tagged[0]["source"])
    for name in ("city", "date", "inbox", "out_dir"):
        assert re.search(rf"^{name}\s*=", src, re.M), name


def _pins(lines):
    out = {}
    for line in lines:
        m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)==([^\s;]+)\s*", line)
        assert m, f"not an exact pin: {line!r}"
        out[m.group(1).lower()] = m.group(2)
    return out


def test_environment_yml_matches_pyproject_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_list = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert _pins(pip_list) == wanted


def test_lock_file_pins_every_direct_dependency_at_the_same_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    lines = [ln for ln in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    locked = _pins(lines)
    for name, version in wanted.items():
        assert locked.get(name) == version, f"{name}: lock has {locked.get(name)}, pyproject {version}"


def test_outputs_and_restricted_are_git_ignored():
    ignore = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "/outputs/" in ignore and "restricted/" in ignore
