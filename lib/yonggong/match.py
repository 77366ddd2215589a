"""From figures to action (issue 8): 精准推送, 余缺调剂, 专车专列 and 培训缺口.

Pure functions on DataFrames (no file I/O; settings come from ``params/match.yaml``)::

    normalise_job("操作工")                        -> "普工"    (synonym groups)
    match_seekers(seekers, vacancies, top_n=3)     -> Push(push, per_vacancy, share)
    share_suggestions(ledger)                      -> 余缺调剂建议 rows
    plan_vehicles(f, day, enterprises=…, city=…)  -> Vehicles(vehicles, assignment, scattered)
    training_gap(vacancies, training)              -> 培训缺口 rows

    acts = city_day(cd)                            # all of the above for a pipeline.CityDay
    public_sheets(acts)                            # sheets for the 汇总表 workbook (no personal data)
    brief_block(gap_for(cd))                       # the 培训缺口 part of the 工作简报
    summary(acts)                                  # counts and timings (notebook, bench)

精准推送 rules (the "hard rules"; a pair that breaks one is never recommended):

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

Ranking of a seeker's admissible vacancies: same county (the seeker's 县区 = the enterprise's)
first, then the rest of the city; then the higher wage (月薪上限, or 月薪下限 when the upper bound
is blank, unknown last); then the larger 缺工人数 of the vacancy row; then credit code and 岗位名称
(a stable tiebreak). The first ``top_n`` are pushed.

Scale (200,000 seekers × 50,000 vacancy rows in a few seconds) without a cross product: the
join is on integer keys, after the vacancies are cut to the only ones that can reach anybody's
top ``top_n``. A seeker's *profile* is (occupation, skill, code signature): everything but county
and wage. For a profile, a vacancy of the occupation is either admissible on skill and code or
not, whatever the seeker's county and wage. Split the admissible vacancies of a profile into two
parts, 月薪上限 known or not, each in rank order: in the first, rank is by 月薪上限 and the wage
rule (期望月薪 ≤ 月薪上限) admits a prefix; in the second, the wage rule admits everything. So

* the same-county part of a seeker's list is among the top ``top_n`` of each part in the seeker's
  county (join on profile and county), and
* an other-county vacancy *v* in a seeker's list is among the top ``top_n`` of its part in the
  whole city: every vacancy of the part ranked before *v* is admissible for this seeker too
  (the part is admissible on skill and code, and its wage is at least *v*'s) and outranks *v*
  (same county first, or a better rank), so fewer than ``top_n`` of them exist (join on
  profile, other counties only).

Each seeker-occupation row meets at most 4 × ``top_n`` candidate rows. The per-profile lists
are built from the top ``top_n`` per (occupation, code, requirement, part[, county]) — a union's
top ``top_n`` is among its members' — so no step is larger than (profiles × those lists).
``tests/test_match.py`` checks the result against a brute-force cross product.

余缺调剂: see :func:`share_suggestions`; 专车专列: :func:`plan_vehicles`; 培训缺口: :func:`training_gap`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import ledger as ledger_rules
from . import memory
from .reference import load_yaml, settings

# ---------------------------------------------------------------- settings and names


def config() -> dict:
    """params/match.yaml."""
    return load_yaml("match.yaml")


_CODE_RE = re.compile(r"^\d-?\d{2}-?\d{2}-?\d{2}$")
_BRACKET_RE = re.compile(r"[(（\[【]([^()（）\[\]【】]*)[)）\]】]\s*$")
_SPLIT_RE = re.compile(r"[、,，;；/／|]+")


def normalise_code(value) -> str | None:
    """An occupation code as ``6-31-01-03`` (from ``6-31-01-03``, ``6310103``, full width …); None if absent
    or not a code."""
    if not _present(value):
        return None
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if not _CODE_RE.match(s):
        return None
    d = s.replace("-", "")
    return f"{d[0]}-{d[1:3]}-{d[3:5]}-{d[5:7]}"


def _clean(name) -> tuple[str, str | None]:
    """(name, code) of a job text: NFKC, spaces out, ASCII upper-cased, a bracketed code split off;
    a bare code gives ("", code)."""
    if not _present(name):
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


def _present(v) -> bool:
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
    if not _present(level):
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
    return float(v) if _present(v) else None


def _intentions(value) -> tuple:
    if isinstance(value, tuple | list | np.ndarray):
        return tuple(v for v in value if _present(v))
    if not _present(value):
        return ()
    return tuple(t for t in _SPLIT_RE.split(str(value)) if t.strip())


def _by_value(values, fn, dtype=object) -> np.ndarray:
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


def _float(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()


# ---------------------------------------------------------------- 精准推送


class Push(NamedTuple):
    push: pd.DataFrame  # one row per (seeker, recommended vacancy): personal data, restricted/ only
    per_vacancy: pd.DataFrame  # one row per open vacancy: 匹配求职人数, 推送人数 (public)
    share: float  # % of open vacancies with at least one admissible seeker (NaN: no vacancies)


PUSH_COLUMNS = ["姓名", "身份证号", "手机号", "县区", "意向岗位", "技能等级", "期望月薪", "推荐序号", "企业名称",
                "企业县区", "岗位名称", "技能要求", "月薪", "缺工人数", "联系电话", "同县区"]


def vacancy_frame(c: pd.DataFrame | None, enterprises: pd.DataFrame) -> pd.DataFrame:
    """Open vacancy rows (缺工人数 > 0) of enterprises on the list, with 企业名称, 县区, 企业类别,
    人社服务专员 and 专员手机 of the enterprise (``enterprises``: the ledger or the list in force)."""
    info_cols = [c_ for c_ in ("企业名称", "县区", "企业类别", "人社服务专员", "专员手机", "是否复工")
                 if c_ in enterprises.columns]
    info = enterprises.drop_duplicates("统一社会信用代码").set_index("统一社会信用代码")[info_cols]
    if c is None or c.empty:
        return pd.DataFrame(columns=["统一社会信用代码", "岗位名称", "缺工人数", *info_cols])
    v = c.drop(columns=[x for x in info_cols if x in c.columns])
    v = v[v["统一社会信用代码"].isin(info.index) & (pd.to_numeric(v["缺工人数"], errors="coerce").fillna(0) > 0)]
    return v.join(info, on="统一社会信用代码").reset_index(drop=True)


class _Vocab:
    """Integer ids for the strings joined on (occupations, codes, counties), shared by both sides."""

    def __init__(self):
        self.ids: dict = {}

    def id(self, value) -> int:
        return self.ids.setdefault(value, len(self.ids) + 1)

    def map(self, values) -> np.ndarray:
        return np.fromiter((self.id(x) for x in values), dtype=np.int64, count=len(values))


def _prepare_vacancies(v: pd.DataFrame, jobs: _Vocab, codes: _Vocab, counties: _Vocab) -> pd.DataFrame:
    """Open vacancy rows (缺工人数 > 0) with integer keys: _vid, _job, _vcode (0: none), _req, _cap, _wage,
    _ord (global rank), _county."""
    v = v[pd.to_numeric(v["缺工人数"], errors="coerce").fillna(0).to_numpy() > 0].reset_index(drop=True).copy()
    v["_vid"] = np.arange(len(v), dtype=np.int64)
    code_col = v["职业编码"] if "职业编码" in v.columns else pd.Series(None, index=v.index, dtype=object)
    keyed: dict = {}
    pairs = []
    for n, c in zip(v["岗位名称"].astype(object), code_col.astype(object).where(code_col.notna(), None), strict=True):
        if (n, c) not in keyed:
            keyed[(n, c)] = job_key(n, c)
        pairs.append(keyed[(n, c)])
    v["_jobname"] = [p[0] for p in pairs]
    v["_job"] = jobs.map([p[0] for p in pairs])
    v["_vcode"] = np.array([codes.id(p[1]) if p[1] else 0 for p in pairs], dtype=np.int64)
    req = v["技能要求"] if "技能要求" in v.columns else pd.Series(None, index=v.index, dtype=object)
    v["_req"] = _by_value(req, skill_code, np.int64)
    high = _float(v["月薪上限"]) if "月薪上限" in v.columns else np.full(len(v), np.nan)
    low = _float(v["月薪下限"]) if "月薪下限" in v.columns else np.full(len(v), np.nan)
    v["_cap"] = high
    v["_wage"] = np.where(np.isnan(high), low, high)
    v["_wagetext"] = [wage_text(lo, hi) for lo, hi in zip(low.tolist(), high.tolist(), strict=True)]
    v["_short"] = _float(v["缺工人数"])
    v["_county"] = _by_value(v["县区"], lambda c: counties.id(c) if _present(c) else -2, np.int64)
    order = np.lexsort((v["_vid"].to_numpy(), v["岗位名称"].astype(str).to_numpy(),
                        v["统一社会信用代码"].astype(str).to_numpy(), -np.nan_to_num(v["_short"].to_numpy(), nan=0.0),
                        -np.nan_to_num(v["_wage"].to_numpy(), nan=-np.inf)))
    rank = np.empty(len(v), dtype=np.int64)
    rank[order] = np.arange(len(v))
    v["_ord"] = rank
    return v


def _prepare_seekers(seekers: pd.DataFrame, jobs: _Vocab, codes: _Vocab, counties: _Vocab
                     ) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, frozenset]]:
    """(seekers not employed with _sid; one row per seeker and occupation: _sid, _job, _sig, _skill,
    _exp, _county; the code sets of the signatures). _sig 0: any code (some intention of the
    occupation has none); otherwise the id of the seeker's set of codes for it."""
    s = seekers
    if "已就业" in s.columns:
        s = s[s["已就业"].fillna(False).astype(bool).to_numpy() == False]  # noqa: E712
    s = s.reset_index(drop=True).copy()
    s["_sid"] = np.arange(len(s), dtype=np.int64)
    s["_skill"] = _by_value(s["技能等级"], skill_code, np.int64) if "技能等级" in s.columns \
        else np.zeros(len(s), dtype=np.int64)
    s["_exp"] = _float(s["期望月薪"]) if "期望月薪" in s.columns else np.full(len(s), np.nan)
    s["_county"] = _by_value(s["县区"], lambda c: counties.id(c) if _present(c) else -1, np.int64)
    s["_wanted"] = _by_value(s["意向岗位"], _intentions)
    tok = pd.DataFrame({"_sid": s["_sid"], "_t": s["_wanted"]}).explode("_t")
    tok = tok[tok["_t"].notna()]
    keys = {t: job_key(t) for t in pd.unique(tok["_t"])}
    keys = {t: k for t, k in keys.items() if k[0]}
    tok = tok[tok["_t"].isin(list(keys))]
    job_of = {t: jobs.id(k[0]) for t, k in keys.items()}
    code_of = {t: codes.id(k[1]) if k[1] else 0 for t, k in keys.items()}
    tok = pd.DataFrame({"_sid": tok["_sid"].to_numpy(dtype=np.int64),
                        "_job": tok["_t"].map(job_of).to_numpy(dtype=np.int64),
                        "_code": tok["_t"].map(code_of).to_numpy(dtype=np.int64)}).drop_duplicates()
    # signature per (seeker, occupation): 0 when any intention is uncoded, else the set of codes
    pair_key = tok["_sid"].to_numpy() * (len(jobs.ids) + 1) + tok["_job"].to_numpy()
    uncoded = np.isin(pair_key, pair_key[tok["_code"].to_numpy() == 0])
    tok = tok.assign(_k=pair_key)
    any_code = tok[uncoded].drop_duplicates("_k").assign(_sig=0)
    coded = tok[~uncoded].sort_values(["_k", "_code"], kind="stable")
    sigs: dict[frozenset, int] = {}
    if len(coded):
        size = coded.groupby("_k")["_code"].transform("size").to_numpy()
        single = coded[size == 1]
        multi = coded[size > 1]
        one = single.assign(_sig=[sigs.setdefault(frozenset([c]), len(sigs) + 1) for c in single["_code"]])
        if len(multi):
            sets = multi.groupby("_k")["_code"].agg(lambda c: frozenset(c.tolist()))
            many = multi.drop_duplicates("_k").assign(
                _sig=[sigs.setdefault(sets[k], len(sigs) + 1) for k in multi.drop_duplicates("_k")["_k"]])
            coded = pd.concat([one, many])
        else:
            coded = one
    jobs_df = pd.concat([any_code, coded])[["_sid", "_job", "_sig"]] if len(tok) else \
        pd.DataFrame({c: pd.Series(dtype=np.int64) for c in ("_sid", "_job", "_sig")})
    jobs_df = jobs_df.sort_values(["_sid", "_job"], kind="stable").reset_index(drop=True)
    sid = jobs_df["_sid"].to_numpy()
    jobs_df["_skill"] = np.asarray(s["_skill"].to_numpy()[sid], dtype=np.int64)
    jobs_df["_exp"] = s["_exp"].to_numpy()[sid]
    jobs_df["_county"] = s["_county"].to_numpy()[sid]
    return s, jobs_df, {i: cs for cs, i in sigs.items()}


def _code_ok(sig: np.ndarray, vcode: np.ndarray, sets: dict[int, frozenset]) -> np.ndarray:
    """Occupation codes compatible: either side without a code, or the vacancy's code among the seeker's."""
    sig, vcode = np.asarray(sig), np.asarray(vcode)
    ok = (sig == 0) | (vcode == 0)
    if not ok.all():
        width = int(vcode.max()) + 1
        good = np.array([s * width + c for s, cs in sets.items() for c in cs if c < width], dtype=np.int64)
        rest = ~ok
        ok[rest] = np.isin(sig[rest] * width + vcode[rest], good)
    return ok


def _candidates(v: pd.DataFrame, sj: pd.DataFrame, sets: dict[int, frozenset], top_n: int
                ) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    """The few vacancies a seeker can be pushed, per seeker profile (module docstring).

    A profile is (occupation, skill, code signature): everything of a seeker but county and wage.
    Returns (profile id of every row of ``sj``, candidates per profile and county, candidates per
    profile), each candidate list cut to ``top_n`` per part (wage upper bound known or not).
    """
    cls = ["_job", "_vcode", "_req", "_capknown"]
    vv = v[["_vid", "_job", "_vcode", "_req", "_cap", "_ord", "_county"]]
    vv = vv.assign(_capknown=~np.isnan(vv["_cap"].to_numpy())).sort_values("_ord", kind="stable")
    near = vv.groupby([*cls, "_county"], sort=False).head(top_n)
    wide = vv.groupby(cls, sort=False).head(top_n)
    prof = sj[["_job", "_skill", "_sig"]].drop_duplicates().reset_index(drop=True)
    prof["_prof"] = np.arange(len(prof), dtype=np.int64)
    ids = sj[["_job", "_skill", "_sig"]].merge(prof, on=["_job", "_skill", "_sig"], how="left")["_prof"]

    def per_profile(lists: pd.DataFrame, part: list[str]) -> pd.DataFrame:
        x = prof.merge(lists, on="_job", how="inner")
        x = x[skill_meets(x["_skill"].to_numpy(), x["_req"].to_numpy())
              & _code_ok(x["_sig"].to_numpy(), x["_vcode"].to_numpy(), sets)]
        x = x.sort_values("_ord", kind="stable").groupby(part, sort=False).head(top_n)
        return x[["_prof", "_vid", "_cap", "_ord", "_county"]]

    return ids, per_profile(near, ["_prof", "_capknown", "_county"]), per_profile(wide, ["_prof", "_capknown"])


def match_seekers(seekers: pd.DataFrame, vacancies: pd.DataFrame, top_n: int | None = None) -> Push:
    """Push each job seeker (table M, 已就业 not 是) the best ``top_n`` admissible vacancies.

    ``vacancies``: table C rows with the enterprise's 企业名称, 县区 and 专员手机 (see
    :func:`vacancy_frame`); rows with 缺工人数 0 or blank are not open and are left out. Rules and
    ranking: module docstring. Returns :class:`Push`; ``push`` holds personal data (restricted/
    only), ``per_vacancy`` and ``share`` do not.
    """
    top_n = int(top_n or config().get("push_top_n", 3))
    jobs, codes, counties = _Vocab(), _Vocab(), _Vocab()
    v = _prepare_vacancies(vacancies, jobs, codes, counties)
    s, sj, sets = _prepare_seekers(seekers, jobs, codes, counties)
    prof, near, wide = _candidates(v, sj, sets, top_n)
    seek = pd.DataFrame({"_sid": sj["_sid"].to_numpy(), "_prof": prof.to_numpy(),
                         "_county": sj["_county"].to_numpy(), "_exp": sj["_exp"].to_numpy()})
    same = seek.merge(near, on=["_prof", "_county"], how="inner")
    other = seek.merge(wide.rename(columns={"_county": "_vcounty"}), on="_prof", how="inner")
    other = other[other["_vcounty"].to_numpy() != other["_county"].to_numpy()]
    sid = np.concatenate([same["_sid"].to_numpy(), other["_sid"].to_numpy()])
    vid = np.concatenate([same["_vid"].to_numpy(), other["_vid"].to_numpy()])
    far = np.concatenate([np.zeros(len(same), dtype=np.int64), np.ones(len(other), dtype=np.int64)])
    ord_ = np.concatenate([same["_ord"].to_numpy(), other["_ord"].to_numpy()])
    exp = np.concatenate([same["_exp"].to_numpy(), other["_exp"].to_numpy()])
    cap = np.concatenate([same["_cap"].to_numpy(), other["_cap"].to_numpy()])
    del seek, same, other  # half a million candidate pairs at province scale, no longer needed
    ok = np.isnan(exp) | np.isnan(cap) | (exp <= cap)  # occupation, code and skill hold by construction
    sid, vid, far, ord_ = sid[ok], vid[ok], far[ok], ord_[ok]
    order = np.lexsort((ord_, far, sid))
    sid, vid, far = sid[order], vid[order], far[order]
    del ord_, exp, cap, ok, order
    pairs = pd.DataFrame({"_sid": sid, "_vid": vid, "_far": far}).drop_duplicates(["_sid", "_vid"])
    pairs = pairs.groupby("_sid", sort=False).head(top_n)
    pairs = pairs.assign(推荐序号=pairs.groupby("_sid", sort=False).cumcount().to_numpy() + 1)

    push = _push_rows(pairs, s, v)
    counts = _admissible_counts(v, sj, sets)
    pushed = np.bincount(pairs["_vid"].to_numpy(), minlength=len(v)).astype(np.int64)
    n = len(v)
    per = pd.DataFrame({
        "企业名称": v["企业名称"] if "企业名称" in v.columns else v["统一社会信用代码"],
        "县区": v["县区"], "岗位名称": v["岗位名称"],
        "技能要求": v["技能要求"] if "技能要求" in v.columns else [None] * n,
        "月薪": v["_wagetext"], "缺工人数": v["缺工人数"], "匹配求职人数": counts, "推送人数": pushed,
    })
    per = per.assign(_o=v["_ord"]).sort_values(["县区", "_o"], kind="stable").drop(columns="_o")
    share = round(float((counts > 0).mean()) * 100, 1) if n else float("nan")
    return Push(push.reset_index(drop=True), per.reset_index(drop=True), share)


def _push_rows(pairs: pd.DataFrame, s: pd.DataFrame, v: pd.DataFrame) -> pd.DataFrame:
    if pairs.empty:
        return pd.DataFrame(columns=PUSH_COLUMNS)
    sid, vid = pairs["_sid"].to_numpy(), pairs["_vid"].to_numpy()

    def col(frame, name, ids):
        return frame[name].to_numpy(dtype=object)[ids] if name in frame.columns else np.full(len(ids), None)

    wages = v["_wagetext"].to_numpy(dtype=object)
    wanted = _by_value(s["_wanted"], lambda t: "、".join(map(str, t or ())))
    return pd.DataFrame({
        "姓名": col(s, "姓名", sid), "身份证号": col(s, "身份证号", sid), "手机号": col(s, "手机号", sid),
        "县区": col(s, "县区", sid), "意向岗位": wanted[sid],
        "技能等级": col(s, "技能等级", sid), "期望月薪": col(s, "期望月薪", sid),
        "推荐序号": pairs["推荐序号"].to_numpy(),
        "企业名称": col(v, "企业名称", vid), "企业县区": col(v, "县区", vid),
        "岗位名称": col(v, "岗位名称", vid), "技能要求": col(v, "技能要求", vid), "月薪": wages[vid],
        "缺工人数": col(v, "缺工人数", vid), "联系电话": col(v, "专员手机", vid),
        "同县区": np.where(pairs["_far"].to_numpy() == 0, "是", "否"),
    })


def _admissible_counts(v: pd.DataFrame, sj: pd.DataFrame, sets: dict[int, frozenset]) -> np.ndarray:
    """For every vacancy, how many seekers meet its hard rules (exact, without a cross product).

    Seekers are grouped by (occupation, code signature, skill); a vacancy meets the few groups of
    its occupation, and the wage rule is a count of sorted 期望月薪 per group (searchsorted).
    """
    out = np.zeros(len(v), dtype=np.int64)
    if v.empty or sj.empty:
        return out
    g = sj.groupby(["_job", "_sig", "_skill"], sort=True)
    groups = g.size().reset_index(name="_n")
    groups["_gid"] = np.arange(len(groups))
    gid = g.ngroup().to_numpy()
    exp = sj["_exp"].to_numpy()
    known = ~np.isnan(exp)
    groups["_nulls"] = np.bincount(gid[~known], minlength=len(groups))
    # every known expectation, sorted by (group, wage), on one axis: key = gid * span + wage
    span = float(max(np.nanmax(np.abs(exp)) if known.any() else 0.0, 1.0) * 4 + 10)
    keys = np.sort(gid[known] * span + exp[known])
    start = np.searchsorted(keys, np.arange(len(groups)) * span - span / 2)
    pairs = v[["_vid", "_job", "_vcode", "_req", "_cap"]].merge(groups, on="_job", how="inner")
    ok = skill_meets(pairs["_skill"].to_numpy(), pairs["_req"].to_numpy()) & \
        _code_ok(pairs["_sig"].to_numpy(), pairs["_vcode"].to_numpy(), sets)
    pairs = pairs[ok]
    gids, cap = pairs["_gid"].to_numpy(), pairs["_cap"].to_numpy()
    end_all = np.searchsorted(keys, gids * span + span / 2)
    bound = np.clip(np.where(np.isnan(cap), 0.0, cap), -span / 4, span / 4)  # stays inside the group's band
    upto = np.searchsorted(keys, gids * span + bound, side="right")
    with_wage = np.where(np.isnan(cap), end_all, upto) - start[gids]
    np.add.at(out, pairs["_vid"].to_numpy(), with_wage + pairs["_nulls"].to_numpy())
    return out


# ---------------------------------------------------------------- 余缺调剂

SHARE_COLUMNS = ["调出企业", "调出县区", "调入企业", "调入县区", "建议人数", "依据"]
_SHARE_PASSES = [(("县区", "企业类别"), "同县区"), (("县区",), "同县区"), (("企业类别",), "同类别"), ((), "同市")]


def share_suggestions(ledger: pd.DataFrame) -> pd.DataFrame:
    """余缺调剂建议: lend surplus staff (富余人数) to enterprises short of hands (缺工人数) in the city.

    Enterprises counted: those not 未报送. An enterprise with both surplus and shortage fills its
    own shortage first (net = 富余人数 − 缺工人数: lender when > 0, borrower when < 0). Greedy,
    deterministic passes: same county and category, same county (依据 同县区), same category (同类别),
    then anywhere in the city (同市). Within a pass and group, lenders by remaining surplus and
    borrowers by remaining shortage (largest first, then credit code) are paired in turn, each pair
    moving min(remaining surplus, remaining shortage): no enterprise lends more than its surplus
    and none receives more than its shortage. Output: :data:`SHARE_COLUMNS` (enterprise level).
    """
    led = ledger
    if "报送状态" in led.columns:
        led = led[ledger_rules.counted(led)]
    surplus = pd.to_numeric(led.get("富余人数"), errors="coerce").fillna(0).to_numpy() if "富余人数" in led \
        else np.zeros(len(led))
    short = pd.to_numeric(led["缺工人数"], errors="coerce").fillna(0).to_numpy()
    net = surplus - short
    base = led.assign(_net=net)[["统一社会信用代码", "企业名称", "县区", "企业类别", "_net"]]
    base = base.sort_values("统一社会信用代码", kind="stable").reset_index(drop=True)
    pairs = list(zip(base["统一社会信用代码"], base["_net"], strict=True))
    give = {c: int(n) for c, n in pairs if n > 0}
    need = {c: int(-n) for c, n in pairs if n < 0}
    info = base.set_index("统一社会信用代码")
    rows = []
    for keys, basis in _SHARE_PASSES:
        lenders = info.loc[[c for c in info.index if give.get(c, 0) > 0]]
        takers = info.loc[[c for c in info.index if need.get(c, 0) > 0]]
        if lenders.empty or takers.empty:
            continue
        lgroups = dict(iter(lenders.groupby(list(keys), sort=True))) if keys else {(): lenders}
        tgroups = dict(iter(takers.groupby(list(keys), sort=True))) if keys else {(): takers}
        for key in sorted(set(lgroups) & set(tgroups), key=str):
            ls = sorted(lgroups[key].index, key=lambda c: (-give[c], c))
            ts = sorted(tgroups[key].index, key=lambda c: (-need[c], c))
            i = j = 0
            while i < len(ls) and j < len(ts):
                a, b = ls[i], ts[j]
                n = min(give[a], need[b])
                if n > 0:
                    rows.append([info.at[a, "企业名称"], info.at[a, "县区"], info.at[b, "企业名称"], info.at[b, "县区"],
                                 n, basis])
                    give[a] -= n
                    need[b] -= n
                if give[a] == 0:
                    i += 1
                if need[b] == 0:
                    j += 1
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)


# ---------------------------------------------------------------- 专车专列

VEHICLE_COLUMNS = ["编号", "方式", "出发地", "上车地点", "计划日期", "最晚返岗日期", "人数", "座位数", "目的县区",
                   "目的企业"]
# a returning worker as the restricted lists show one: the enterprise by name, its credit code beside
PEOPLE_COLUMNS = ["姓名", "身份证号", "手机号", "出发地", "返岗企业", "统一社会信用代码", "计划返岗日期"]
SCATTERED_COLUMNS = [*PEOPLE_COLUMNS, "建议"]
# 零散返岗 without personal data (the working file): one row per 出发地 and 建议
SCATTERED_SUMMARY_COLUMNS = ["出发地", "最早返岗日期", "最晚返岗日期", "人数", "目的企业", "建议"]


class Vehicles(NamedTuple):
    vehicles: pd.DataFrame  # one row per proposed bus or train (no personal data)
    assignment: pd.DataFrame  # one row per worker in a vehicle, with its 编号 (restricted/ only)
    scattered: pd.DataFrame  # 零散返岗: workers with no vehicle, with advice (restricted/ only)


_PREFECTURE_RE = re.compile(r"^(.*?(?:省|自治区))?(.*?(?:自治州|地区|盟|市))")


def origin_text(text) -> str:
    """出发地 as written, after NFKC with spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))) if _present(text) else ""


def origin_group(text, level: str = "city") -> str:
    """The 出发地 a vehicle starts from: with ``level`` "city", the province and prefecture part
    (江西省九江市庐山市 → 江西省九江市, 重庆市万州区 → 重庆市; text without a prefecture stays as it is);
    with "full", the text itself."""
    s = origin_text(text)
    if level != "city":
        return s
    m = _PREFECTURE_RE.match(s)
    return (m.group(1) or "") + m.group(2) if m else s


def is_local(text, city) -> bool:
    """True when 出发地 lies in ``city`` (a reference.City) itself: its prefecture part is the city's
    name (江西省南昌市新建区, 南昌市), or the text starts with one of the city's counties (进贤县)."""
    from .reference import counties

    s = origin_text(text)
    if not s or city is None:
        return False
    m = _PREFECTURE_RE.match(s)
    if m and m.group(2) == city.full_name:
        return True
    return any(s.startswith(c.name) for c in counties() if c.city_code == city.code)


def _as_date(v) -> dt.date | None:
    if not _present(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def enterprise_columns(values, enterprises: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """(企业名称, 统一社会信用代码) for 返岗企业 values written as a credit code or as a name, looked up
    in ``enterprises`` (统一社会信用代码, 企业名称: the list); a value not on the list stays as written
    (in the name column) with no code (None)."""
    names, _ = _enterprise_lookup(enterprises)
    codes = {n: c for c, n in names.items()}

    def one(x):
        if not _present(x):
            return (None, None)
        x = str(x).strip()
        if x in names:
            return (names[x], x)
        return (x, codes.get(x))

    pairs = _by_value(values, one)
    return (np.array([p[0] for p in pairs], dtype=object), np.array([p[1] for p in pairs], dtype=object))


def plan_vehicles(f: pd.DataFrame | None, day: dt.date, seats: int | None = None, window_days: int | None = None,
                  train_threshold: int | None = None, train_capacity: int | None = None,
                  enterprises: pd.DataFrame | None = None, origin_level: str | None = None,
                  min_load: int | None = None, city=None) -> Vehicles:
    """Propose buses (专车) and trains (专列) for returning workers (table F).

    Eligible: 需要专车 是, 已到岗 not 是, 计划返岗日期 known. A planned day before ``day`` counts as
    ``day`` (nobody leaves in the past). A worker whose 出发地 lies in ``city`` itself
    (:func:`is_local`) gets no vehicle (零散, ``local_advice``). The others are grouped per 出发地
    (:func:`origin_group`: the prefecture, or the full text with ``origin_level`` "full"; the places
    within it are listed as 上车地点) and window, and :func:`yonggong.transport.allocate` gives each
    group vehicles — none under ``min_load`` (those workers are 零散 with ``scattered_advice``), 专列
    from ``train_threshold``, loads balanced. Within a group workers are placed in order of 返岗企业
    then planned day then ID, so a vehicle carries few destinations. Every eligible worker is in
    exactly one vehicle or on the 零散 list; no vehicle is over its capacity or under ``min_load``.
    计划日期 of a vehicle = the earliest planned day of its workers; 最晚返岗日期 = the latest.

    ``enterprises`` (ledger / list: 统一社会信用代码, 企业名称, 县区) turns 返岗企业 credit codes into
    names (the code beside them) and gives the destination county. Defaults from params/match.yaml
    ``transport``.
    """
    from . import transport

    rules = transport.rules(bus_seats=seats, window_days=window_days, train_threshold=train_threshold,
                            train_capacity=train_capacity, origin_level=origin_level, min_load=min_load)
    empty = Vehicles(pd.DataFrame(columns=VEHICLE_COLUMNS), pd.DataFrame(columns=["编号", "方式", *PEOPLE_COLUMNS]),
                     pd.DataFrame(columns=SCATTERED_COLUMNS))
    if f is None or f.empty:
        return empty
    n_rows = len(f)
    need = f["需要专车"].fillna(False).astype(bool).to_numpy() if "需要专车" in f.columns else np.zeros(n_rows, bool)
    arrived = f["已到岗"].fillna(False).astype(bool).to_numpy() if "已到岗" in f.columns else np.zeros(n_rows, bool)
    planned = _by_value(f["计划返岗日期"], lambda d: (max(_as_date(d), day) if _as_date(d) else None))
    keep = need & ~arrived & np.array([d is not None for d in planned], dtype=bool)
    if not keep.any():
        return empty
    w = f.loc[keep, [c for c in f.columns if c in _F_OUT]].copy()  # only what the lists show
    w["_date"] = planned[keep]
    w["_origin"] = _by_value(w["出发地"], lambda x: origin_group(x, rules.origin_level))
    w["_place"] = _by_value(w["出发地"], origin_text)
    w["_local"] = _by_value(w["出发地"], lambda x: is_local(x, city), dtype=bool).astype(bool)
    _, counties = _enterprise_lookup(enterprises)
    firm, w["统一社会信用代码"] = enterprise_columns(w["返岗企业"], enterprises)
    w["_firm"] = np.array([x or "" for x in firm], dtype=object)
    w["_dest"] = _by_value(w["返岗企业"], lambda x: counties.get(str(x).strip(), "") if _present(x) else "")
    w["_id"] = w["身份证号"].astype(str).to_numpy() if "身份证号" in w.columns else np.arange(len(w)).astype(str)
    people_cols = [c for c in PEOPLE_COLUMNS if c in w.columns]

    local = w[w["_local"]].sort_values(["_place", "_date", "_id"], kind="stable")
    w = transport.allocate(w[~w["_local"]], ["_origin"], ["_firm", "_date", "_id"], ("ZC", "ZL"), rules)
    ride, few = w[w["编号"] != ""].reset_index(drop=True), w[w["编号"] == ""]
    scattered = pd.concat([few.assign(建议=rules.scattered_advice), local.assign(建议=rules.local_advice)])
    scattered = scattered.assign(返岗企业=scattered["_firm"].replace("", None))[[*people_cols, "建议"]]
    scattered = scattered.reset_index(drop=True)

    vidx = pd.factorize(ride["编号"])[0] if len(ride) else np.zeros(0, dtype=np.int64)
    n_veh = int(vidx.max()) + 1 if len(vidx) else 0

    def listed(col: str, sort: bool) -> np.ndarray:
        """The distinct values of ``col`` per vehicle joined by 、 (sorted, or in row order)."""
        d = pd.DataFrame({"v": vidx, "x": ride[col].to_numpy()}).drop_duplicates()
        d = d[d["x"] != ""]
        if sort:
            d = d.sort_values(["v", "x"], kind="stable")
        return d.groupby("v", sort=True)["x"].agg("、".join).reindex(range(n_veh), fill_value="").to_numpy()

    first = ride.groupby(vidx, sort=True)
    vehicles = pd.DataFrame({
        "编号": first["编号"].first().to_numpy(), "方式": first["方式"].first().to_numpy(),
        "出发地": first["_origin"].first().to_numpy(), "上车地点": listed("_place", True),
        "计划日期": first["_date"].min().to_numpy(), "最晚返岗日期": first["_date"].max().to_numpy(),
        "人数": first.size().to_numpy().astype(np.int64), "座位数": first["座位数"].first().to_numpy().astype(np.int64),
        "目的县区": listed("_dest", True), "目的企业": listed("_firm", False),
    }, columns=VEHICLE_COLUMNS)
    people = ride.assign(返岗企业=ride["_firm"].replace("", None))
    return Vehicles(vehicles, people[["编号", "方式", *people_cols]].reset_index(drop=True), scattered)


def scattered_summary(scattered: pd.DataFrame) -> pd.DataFrame:
    """零散返岗 for the working file (no personal data): per 出发地 (as written) and 建议, the head
    count, the earliest and latest planned day and the enterprises."""
    if scattered is None or scattered.empty:
        return pd.DataFrame(columns=SCATTERED_SUMMARY_COLUMNS)
    s = scattered.assign(_d=scattered["计划返岗日期"].map(_as_date))
    out = s.groupby(["出发地", "建议"], sort=True).agg(
        最早返岗日期=("_d", "min"), 最晚返岗日期=("_d", "max"), 人数=("_d", "size"),
        目的企业=("返岗企业", lambda x: "、".join(sorted({v for v in x if v}))))
    return out.reset_index()[SCATTERED_SUMMARY_COLUMNS]


_F_OUT = ["姓名", "身份证号", "手机号", "出发地", "返岗企业", "计划返岗日期"]


def _enterprise_lookup(enterprises: pd.DataFrame | None) -> tuple[dict[str, str], dict[str, str]]:
    if enterprises is None or enterprises.empty:
        return {}, {}
    e = enterprises.drop_duplicates("统一社会信用代码")
    names = dict(zip(e["统一社会信用代码"], e["企业名称"], strict=True))
    if "县区" not in e.columns:
        return names, {}
    counties = dict(zip(e["统一社会信用代码"], e["县区"], strict=True))
    counties.update(dict(zip(e["企业名称"], e["县区"], strict=True)))
    return names, counties


# ---------------------------------------------------------------- 培训缺口


def job_names(vacancies: pd.DataFrame) -> pd.Series:
    """The canonical occupation of each vacancy row (:func:`job_key` of 岗位名称 and 职业编码): the
    one grouping of posts every table and text uses (操作工, 生产工 … count as 普工)."""
    codes = vacancies["职业编码"] if "职业编码" in vacancies.columns else pd.Series([None] * len(vacancies))
    seen: dict = {}
    out = []
    for n, c in zip(vacancies["岗位名称"].astype(object), codes.astype(object), strict=True):
        if (n, c) not in seen:
            seen[(n, c)] = job_key(n, c)[0]
        out.append(seen[(n, c)])
    return pd.Series(out, index=vacancies.index, dtype=object)

GAP_COLUMNS = ["岗位", "缺工人数", "培训报名人数", "缺口", "急需紧缺"]


def training_gap(vacancies: pd.DataFrame | None, training: pd.DataFrame | None,
                 urgent: tuple[str, ...] | list[str] | None = None) -> pd.DataFrame:
    """Occupations whose training enrolment falls below the shortage.

    Shortage: 缺工人数 of the vacancy rows summed by canonical occupation (:func:`job_key` of 岗位名称 and
    职业编码). Enrolment: 报名人数 of the training rows (table I) summed by canonical occupation of
    工种 (the same synonym groups) — pass the rows to count (:func:`training_upto` gives every row
    dated up to the day). Rows where enrolment < shortage, 缺口 = 缺工人数 − 培训报名人数; 急需紧缺 是 when
    a training or vacancy row of the occupation says 是否急需紧缺, or the occupation is in ``urgent``
    (default params ``urgent_jobs``). Order: 急需紧缺 first, then the larger gap, then the name.
    """
    if vacancies is None or vacancies.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    urgent = set(config().get("urgent_jobs") or []) if urgent is None else set(urgent)
    urgent = {normalise_job(u) for u in urgent}
    vjob = job_names(vacancies).tolist()
    short = pd.Series(_float(vacancies["缺工人数"]), index=vacancies.index).fillna(0).groupby(vjob).sum()
    short = short[short > 0]
    flagged = set(urgent)
    if "是否急需紧缺" in vacancies.columns:
        flagged |= {j for j, f in zip(vjob, vacancies["是否急需紧缺"], strict=True) if _present(f) and bool(f)}
    enrol = pd.Series(dtype="float64")
    if training is not None and not training.empty:
        tjob = [normalise_job(x) for x in training["工种"]]
        enrol = pd.Series(_float(training["报名人数"]), index=training.index).fillna(0).groupby(tjob).sum()
        if "是否急需紧缺" in training.columns:
            flagged |= {j for j, f in zip(tjob, training["是否急需紧缺"], strict=True) if _present(f) and bool(f)}
    out = pd.DataFrame({"岗位": short.index, "缺工人数": short.to_numpy().astype(np.int64)})
    out["培训报名人数"] = out["岗位"].map(enrol).fillna(0).astype(np.int64)
    out["缺口"] = out["缺工人数"] - out["培训报名人数"]
    out = out[out["缺口"] > 0].copy()
    out["急需紧缺"] = np.where(out["岗位"].isin(flagged), "是", "否")
    out = out.assign(_u=out["急需紧缺"] != "是").sort_values(["_u", "缺口", "岗位"], ascending=[True, False, True],
                                                            kind="stable")
    return out[GAP_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------- a city day


def open_vacancies(cd) -> pd.DataFrame:
    """The city's open vacancy rows for the day, with enterprise info (:func:`vacancy_frame`).

    Table C of the day when it was sent; otherwise the newest earlier table C within
    ``carry_forward_days`` (params/settings.yaml), like the ledger's carry-forward; enterprises on
    the list in force only, rows with 缺工人数 > 0.
    """
    c = cd.tables.get("C")
    if c is None:
        limit = int(settings()["carry_forward_days"])
        earlier = [d for d in cd.history.days if d < cd.day and cd.history.has(d, "C") and (cd.day - d).days <= limit]
        c = cd.history.table(max(earlier), "C") if earlier else None
    return vacancy_frame(c, cd.ledger)


def training_upto(cd) -> pd.DataFrame | None:
    """Table I rows dated on or before the day, from every folder; rows of one 日期 are taken from
    the newest folder that carries that 日期 (a re-sent day replaces the earlier sending)."""
    rows = cd.accumulated("I")
    if rows is None:
        return None
    rows = rows[rows["日期"].map(lambda d: _as_date(d) is not None and _as_date(d) <= cd.day)]
    newest = rows.groupby("日期")["_folder"].transform("max")
    return rows[rows["_folder"] == newest].reset_index(drop=True)


@dataclass
class Actions:
    """Everything of issue 8 for one city day."""

    vacancies: pd.DataFrame
    push: Push
    seekers: int  # job seekers not employed (table M, all rows sent up to the day)
    suggestions: pd.DataFrame
    vehicles: Vehicles
    gap: pd.DataFrame
    timings: dict


def city_day(cd) -> Actions:
    """精准推送, 余缺调剂, 专车专列 and 培训缺口 of a :class:`pipeline.CityDay` (timings in seconds).

    Job seekers: table M rows sent up to the day, newest per 身份证号, 已就业 not 是. Vacancies:
    :func:`open_vacancies`. Returning workers: table F rows up to the day, newest per 身份证号.
    Training: :func:`training_upto`. Surplus and shortage: the ledger.
    """
    import time

    t: dict[str, float] = {}
    t0 = time.perf_counter()
    vac = open_vacancies(cd)
    m = cd.accumulated("M", key="身份证号")
    if m is None:  # table M never sent: the share is "not reported" (NaN → "—"), not 0
        m = pd.DataFrame(columns=["姓名", "身份证号", "手机号", "县区", "意向岗位", "技能等级", "期望月薪", "已就业"])
        push = match_seekers(m, vac)._replace(share=float("nan"))
    else:
        push = match_seekers(m, vac)
    seekers = int((m["已就业"].fillna(False).astype(bool) == False).sum()) if len(m) else 0  # noqa: E712
    t["match"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    sug = share_suggestions(cd.ledger)
    t["share"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    veh = plan_vehicles(cd.accumulated("F", key="身份证号"), cd.day, enterprises=cd.ledger, city=cd.city)
    t["vehicles"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    gap = training_gap(vac, training_upto(cd))
    t["gap"] = time.perf_counter() - t1
    memory.release()  # the candidate pairs and groupings behind the lists
    return Actions(vac, push, seekers, sug, veh, gap, t)


def public_sheets(acts: Actions) -> dict[str, pd.DataFrame]:
    """Sheets for the 汇总表 workbook (enterprise and vacancy level only, no personal data)."""
    veh = acts.vehicles.vehicles.copy()
    for col in ("计划日期", "最晚返岗日期"):
        veh[col] = veh[col].map(lambda d: d.isoformat() if isinstance(d, dt.date) else d)
    per = acts.push.per_vacancy
    share = acts.push.share
    if share != share:  # table M never sent: nothing was matched, the rate is not reported ("—")
        note = "截至当日未报送求职人员登记（表M），未做岗位匹配"
        per = per.iloc[0:0]
    elif not len(per):
        note = "当日无空岗"
    else:
        note = ""
    summary = pd.DataFrame([{
        "空岗数": len(acts.push.per_vacancy),
        "有匹配求职者的空岗数": int((per["匹配求职人数"] > 0).sum()) if len(per) else 0,
        "匹配率(%)": share if len(per) and share == share else "—",
        "未就业求职人数": acts.seekers,
        "获推送求职人数": int(acts.push.push["身份证号"].nunique()) if len(acts.push.push) else 0,
        "说明": note}])
    return {"余缺调剂建议": acts.suggestions, "培训缺口": acts.gap, "专车专列计划": veh,
            "零散返岗": scattered_summary(acts.vehicles.scattered), "岗位匹配情况": per, "岗位匹配汇总": summary}


def gap_for(cd) -> pd.DataFrame:
    """培训缺口 of a city day: its open vacancies against table I enrolment up to the day."""
    return training_gap(open_vacancies(cd), training_upto(cd))


def brief_block(gap: pd.DataFrame, limit: int = 8, clean=str) -> dict:
    """The 培训缺口 part of the brief from :func:`training_gap` rows: a sentence, the first ``limit``
    rows as text (``clean`` applied to occupation names, e.g. brief.scrub) and how many more."""
    if gap is None or gap.empty:
        return {"text": "当日空岗岗位的培训报名人数均不低于缺工人数，或当日无空岗明细。", "rows": [], "more": 0}
    urgent = gap[gap["急需紧缺"] == "是"]
    text = (f"对照空岗和累计培训报名情况，{len(gap)}个岗位培训报名人数低于缺工人数，合计缺口{int(gap['缺口'].sum()):,}人"
            + (f"，其中急需紧缺岗位{len(urgent)}个、缺口{int(urgent['缺口'].sum()):,}人" if len(urgent) else "") + "。")
    rows = [{"岗位": clean(r["岗位"]), "缺工人数": f"{int(r['缺工人数']):,}", "培训报名人数": f"{int(r['培训报名人数']):,}",
             "缺口": f"{int(r['缺口']):,}", "急需紧缺": r["急需紧缺"]} for r in gap.head(limit).to_dict("records")]
    return {"text": text, "rows": rows, "more": max(len(gap) - limit, 0)}


def summary(acts: Actions) -> pd.DataFrame:
    """Counts for the notebook and logs (no personal data): 项目, 数值."""
    per, push = acts.push.per_vacancy, acts.push.push
    veh = acts.vehicles.vehicles
    rows = [
        ("空岗（岗位行）", len(per)),
        ("有符合条件求职者的空岗", int((per["匹配求职人数"] > 0).sum()) if len(per) else 0),
        ("空岗匹配率(%)", acts.push.share),
        ("未就业求职人数", acts.seekers),
        ("获推送求职人数", int(push["身份证号"].nunique()) if len(push) else 0),
        ("推送条数", len(push)),
        ("余缺调剂建议（对）", len(acts.suggestions)),
        ("余缺调剂建议人数", int(acts.suggestions["建议人数"].sum()) if len(acts.suggestions) else 0),
        ("建议专车（辆）", int((veh["方式"] == "专车").sum()) if len(veh) else 0),
        ("建议专列（列）", int((veh["方式"] == "专列").sum()) if len(veh) else 0),
        ("专车专列运送人数", int(veh["人数"].sum()) if len(veh) else 0),
        ("培训缺口岗位数", len(acts.gap)),
        ("培训缺口人数", int(acts.gap["缺口"].sum()) if len(acts.gap) else 0),
    ] + [(f"耗时_{k}(秒)", round(v, 2)) for k, v in acts.timings.items()]
    return pd.DataFrame(rows, columns=["项目", "数值"], dtype=object)
