"""精准推送: each job seeker's best admissible vacancies (:func:`match_seekers`).

The hard rules (occupation, skill, wage) are those of ``match_rules``.

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
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from .match_rules import by_value, config, float_array, job_key, present, skill_code, skill_meets, wage_text

_SPLIT_RE = re.compile(r"[、,，;；/／|]+")


def _intentions(value) -> tuple:
    if isinstance(value, tuple | list | np.ndarray):
        return tuple(v for v in value if present(v))
    if not present(value):
        return ()
    return tuple(t for t in _SPLIT_RE.split(str(value)) if t.strip())



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
    v["_req"] = by_value(req, skill_code, np.int64)
    high = float_array(v["月薪上限"]) if "月薪上限" in v.columns else np.full(len(v), np.nan)
    low = float_array(v["月薪下限"]) if "月薪下限" in v.columns else np.full(len(v), np.nan)
    v["_cap"] = high
    v["_wage"] = np.where(np.isnan(high), low, high)
    v["_wagetext"] = [wage_text(lo, hi) for lo, hi in zip(low.tolist(), high.tolist(), strict=True)]
    v["_short"] = float_array(v["缺工人数"])
    v["_county"] = by_value(v["县区"], lambda c: counties.id(c) if present(c) else -2, np.int64)
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
    s["_skill"] = by_value(s["技能等级"], skill_code, np.int64) if "技能等级" in s.columns \
        else np.zeros(len(s), dtype=np.int64)
    s["_exp"] = float_array(s["期望月薪"]) if "期望月薪" in s.columns else np.full(len(s), np.nan)
    s["_county"] = by_value(s["县区"], lambda c: counties.id(c) if present(c) else -1, np.int64)
    s["_wanted"] = by_value(s["意向岗位"], _intentions)
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
    wanted = by_value(s["_wanted"], lambda t: "、".join(map(str, t or ())))
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
