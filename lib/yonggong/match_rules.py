"""The vocabulary of job matching (params/match.yaml): canonical occupations, codes, skills, wages.

精准推送 rules (the "hard rules"; a pair that breaks one is never recommended; ``match_push``
applies them, ``outbound`` and ``zone`` share the vocabulary):

* **Occupation.** Every 意向岗位 of a job seeker and the 岗位名称 of a vacancy are reduced to a
  canonical occupation (:func:`job_key`): NFKC, spaces removed, ASCII upper-cased, a bracketed
  occupation code taken out, then the synonym groups of params/match.yaml; a name in no group
  whose vacancy 职业编码 is listed in a group takes that group. Seeker and vacancy must have the
  same canonical occupation. **Occupation codes:** when both sides carry a code (the vacancy's
  职业编码 or a code in brackets after its name; a seeker's 意向岗位 written as a code or with a
  code in brackets), the codes must be equal too. A seeker's intentions for one occupation are
  one entry: uncoded if any of them is uncoded, else the set of its codes.
* **Skill.** ``技能等级`` meets ``技能要求`` when it is at least as high in ``skill_order``
  (无 < 初级工 < 中级工 < 高级工 < 技师 < 高级技师). 专业技术 is a separate track: a 专业技术 requirement is
  met only by 专业技术, and a 专业技术 seeker meets only 无 and 专业技术 requirements. A blank requirement is
  无; a blank seeker level is 无 (nothing proven).
* **Wage.** 期望月薪 ≤ 月薪上限 when both are known (月薪下限 is not a bound).
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd

from .reference import load_yaml

# ---------------------------------------------------------------- settings and names


def config() -> dict:
    """params/match.yaml."""
    return load_yaml("match.yaml")


_CODE_RE = re.compile(r"^\d-?\d{2}-?\d{2}-?\d{2}$")
_BRACKET_RE = re.compile(r"[(（\[【]([^()（）\[\]【】]*)[)）\]】]\s*$")


def normalise_code(value) -> str | None:
    """An occupation code as ``6-31-01-03`` (from ``6-31-01-03``, ``6310103``, full width …); None if absent
    or not a code."""
    if not present(value):
        return None
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if not _CODE_RE.match(s):
        return None
    d = s.replace("-", "")
    return f"{d[0]}-{d[1:3]}-{d[3:5]}-{d[5:7]}"


def _clean(name) -> tuple[str, str | None]:
    """(name, code) of a job text: NFKC, spaces out, ASCII upper-cased, a bracketed code split off;
    a bare code gives ("", code)."""
    if not present(name):
        return "", None
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name))).upper()
    code = None
    m = _BRACKET_RE.search(s)
    if m and normalise_code(m.group(1)):
        code = normalise_code(m.group(1))
        s = s[: m.start()]
    elif normalise_code(s):
        return "", normalise_code(s)
    return s, code


@cache
def _groups() -> tuple[dict[str, str], dict[str, str]]:
    """(cleaned name → canonical name, code → canonical name) from params/match.yaml."""
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    for g in config()["jobs"]:
        canonical = str(g["name"])
        for n in [canonical, *(g.get("synonyms") or [])]:
            key, _ = _clean(n)
            if key in names and names[key] != canonical:
                raise ValueError(f"params/match.yaml: {n} is in two job groups")
            names[key] = canonical
        if g.get("code"):
            codes[normalise_code(g["code"])] = canonical
    return names, codes


def normalise_job(name) -> str:
    """The canonical occupation of a job name ("" when blank): synonym groups of params/match.yaml,
    after NFKC, removing spaces and a bracketed occupation code."""
    key, code = _clean(name)
    names, codes = _groups()
    if not key:
        return codes.get(code, code or "")
    return names.get(key, key)


def synonyms(canonical: str) -> list[str]:
    """The names of an occupation's synonym group (the canonical name first); [canonical] if in none."""
    for g in config()["jobs"]:
        if str(g["name"]) == canonical:
            return [canonical, *map(str, g.get("synonyms") or [])]
    return [canonical]


def job_key(name, code=None) -> tuple[str, str | None]:
    """(canonical occupation, occupation code) of a vacancy (岗位名称, 职业编码) or an intention.

    The code is the given one, else one in brackets after the name; a name in no synonym group
    whose code is listed in params takes the group's name.
    """
    key, inner = _clean(name)
    code = normalise_code(code) or inner
    names, codes = _groups()
    if key in names:
        return names[key], code
    if code in codes:
        return codes[code], code
    return key or (code or ""), code


def present(v) -> bool:
    if v is None or v is pd.NA:
        return False
    if isinstance(v, float) and math.isnan(v):
        return False
    return not (isinstance(v, str) and not v.strip())


# ---------------------------------------------------------------- skills

_ANY = 0  # the code of 无 / blank requirement
_SEPARATE_BASE = 100


@cache
def _skill_codes() -> dict[str, int]:
    cfg = config()
    out = {str(s): i for i, s in enumerate(cfg["skill_order"])}
    out.update({str(s): _SEPARATE_BASE + i for i, s in enumerate(cfg.get("skill_separate") or [])})
    return out


def skill_code(level) -> int:
    """An integer for a 技能等级 / 技能要求: position in skill_order, 100+ for separate tracks;
    blank or unknown is 无 (0)."""
    if not present(level):
        return _ANY
    return _skill_codes().get(str(level).strip(), _ANY)


def skill_meets(seeker, requirement) -> np.ndarray | bool:
    """Whether seeker skill code(s) meet requirement code(s) (the rule in the module docstring)."""
    s, r = np.asarray(seeker), np.asarray(requirement)
    ordered = (r < _SEPARATE_BASE) & (s < _SEPARATE_BASE) & (s >= r)
    return (r == _ANY) | ordered | ((r >= _SEPARATE_BASE) & (s == r))


def wage_text(low, high) -> str:
    """月薪 as shown: 4000-5700 / 4000 起 / 最高 5700 / 面议."""
    lo, hi = (_num(low), _num(high))
    if lo is not None and hi is not None:
        return f"{lo:.0f}-{hi:.0f}" if lo != hi else f"{lo:.0f}"
    if lo is not None:
        return f"{lo:.0f}起"
    if hi is not None:
        return f"最高{hi:.0f}"
    return "面议"


def _num(v) -> float | None:
    return float(v) if present(v) else None


def by_value(values, fn, dtype=object) -> np.ndarray:
    """``fn`` applied once per distinct value of ``values``, as a 1-d array (tuples stay elements)."""
    values = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values.astype(object)
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable values (lists): one call each
        codes, uniques = np.arange(len(values)), list(values)
    results = [fn(u) for u in uniques] + [fn(None)]
    table = np.empty(len(results), dtype=dtype)
    for i, r in enumerate(results):
        table[i] = r
    return table[codes]  # the NA sentinel -1 picks fn(None), the last entry


def float_array(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()
