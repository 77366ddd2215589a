"""Reference data from ``params/``: cities, counties (GB/T 2260), categories, table specs.

Everything here is read from files; nothing is typed into code. Loaders are cached because
the files never change during a run.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from . import paths
from .errors import UserError


def _read_csv(name: str) -> list[dict[str, str]]:
    with (paths.PARAMS_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# libyaml's parser when PyYAML has it (the wheels do): the same safe loading, ~10x faster
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load_yaml(name: str) -> dict:
    """Read ``params/<name>`` as YAML (UTF-8)."""
    with (paths.PARAMS_DIR / name).open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=YamlLoader)


def settings() -> dict:
    """Thresholds and run settings (``params/settings.yaml``)."""
    return load_yaml("settings.yaml")


def campaign_start() -> dt.date:
    """The day the 24-hour dispatch mechanism started (``campaign_start`` of settings.yaml)."""
    v = settings()["campaign_start"]
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


@dataclass(frozen=True)
class City:
    code: str  # GB/T 2260, e.g. 360100
    name: str  # short name, e.g. 南昌 (folder names use it)
    full_name: str  # 南昌市
    bureau: str  # 南昌市人力资源和社会保障局


@dataclass(frozen=True)
class County:
    code: str
    city_code: str
    name: str


@cache
def regions() -> dict:
    """params/regions.yaml, checked: every province with its short name and abbreviation, the
    cities by province (names without 市), no city under two provinces."""
    raw = load_yaml("regions.yaml")
    try:
        provinces = {name: (str(v["short"]), str(v["abbr"])) for name, v in raw["provinces"].items()}
        cities = {prov: [str(c) for c in (names or [])] for prov, names in raw["cities"].items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise UserError(f"params/regions.yaml 格式有误：缺少 {exc}") from exc
    by_city: dict[str, str] = {}
    for prov, names in cities.items():
        if prov not in provinces:
            raise UserError(f"params/regions.yaml：cities 中的“{prov}”不在 provinces 中")
        for c in names:
            if c in by_city:
                raise UserError(f"params/regions.yaml：城市“{c}”同时属于{by_city[c]}和{prov}")
            by_city[c] = prov
    prefixes = sorted(((form, full) for full, (short, abbr) in provinces.items() for form in (full, short)),
                      key=lambda p: -len(p[0]))
    abbrs = {abbr: full for full, (_, abbr) in provinces.items()}
    return {"provinces": provinces, "cities": cities, "by_city": by_city, "prefixes": prefixes, "abbrs": abbrs}


@cache
def cities() -> tuple[City, ...]:
    """The 11 设区市 in GB/T 2260 order."""
    return tuple(City(**r) for r in _read_csv("cities.csv"))


@cache
def counties() -> tuple[County, ...]:
    """All county-level units in GB/T 2260 order."""
    return tuple(County(**r) for r in _read_csv("counties.csv"))


def city_counties(city: City) -> list[County]:
    """The counties of one city in GB/T 2260 order."""
    return [c for c in counties() if c.city_code == city.code]


@cache
def categories() -> tuple[str, ...]:
    """The 8 key-enterprise categories, in code order."""
    return tuple(r["name"] for r in _read_csv("categories.csv"))


def resolve_city(value: str) -> City:
    """Resolve 南昌 / 南昌市 / 360100 to a City; anything else is a UserError (exit 2).

    The value is matched against the list only, so nothing that could escape the
    outputs folder (``..``, slashes) is ever accepted.
    """
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    for c in cities():
        if text in (c.code, c.name, c.full_name):
            return c
    names = "、".join(c.name for c in cities())
    raise UserError(f"未知的设区市“{value}”。请填写以下之一（简称、全称或代码均可）：{names}")


@dataclass(frozen=True)
class CountyMatch:
    """Outcome of resolving a county cell."""

    county: County | None
    note: str = ""  # why it needed mapping or why it failed (Chinese)
    ambiguous: bool = False


@cache
def _county_aliases() -> dict[str, tuple[str, str]]:
    return {r["alias"]: (r["code"], r["note"]) for r in _read_csv("county_aliases.csv")}


def resolve_county(raw: object, city: City) -> CountyMatch:
    """Resolve a county cell for ``city``: today's names, former names, padded forms.

    Returns a CountyMatch whose ``county`` is None when the name is unknown, belongs to
    another city, or is ambiguous (then ``ambiguous`` is set).
    """
    text = "".join(unicodedata.normalize("NFKC", str(raw or "")).split())
    if not text:
        return CountyMatch(None, "县区为空")
    own = city_counties(city)
    by_name = {c.name: c for c in own}
    by_code = {c.code: c for c in own}
    if text in by_name:
        return CountyMatch(by_name[text])
    if text in by_code:
        return CountyMatch(by_code[text])
    if text in _county_aliases():
        code, note = _county_aliases()[text]
        if not code:
            return CountyMatch(None, f"“{text}”已撤销合并，无法确定今属县区", ambiguous=True)
        if code in by_code:
            return CountyMatch(by_code[code], f"旧称“{text}”已按今名“{by_code[code].name}”处理")
        return CountyMatch(None, f"“{text}”不属于{city.full_name}")
    # Without its suffix (南康 for 南康区); ambiguous when it is also the city's own name.
    stems = [c for c in own if c.name[:-1] == text or c.name.rstrip("县区市") == text]
    if text in (city.name, city.full_name) and stems:
        return CountyMatch(None, f"“{text}”既是市名又是县名，无法确定", ambiguous=True)
    if len(stems) == 1:
        return CountyMatch(stems[0], f"“{text}”已按“{stems[0].name}”处理")
    if len(stems) > 1:
        return CountyMatch(None, f"“{text}”可能指多个县区", ambiguous=True)
    other = [c for c in counties() if c.name == text and c.city_code != city.code]
    if other:
        return CountyMatch(None, f"“{text}”不属于{city.full_name}")
    return CountyMatch(None, f"未知县区“{text}”")


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    default: object = None
    personal: bool = False


@dataclass(frozen=True)
class TableSpec:
    code: str  # A … M
    name: str  # 重点企业清单
    key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...] = field(default_factory=tuple)
    personal: bool = False
    categorical: tuple[str, ...] = ()  # low-cardinality text columns kept as pandas categoricals

    @functools.cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


@cache
def table_specs() -> dict[str, TableSpec]:
    """Tables A–P as declared in ``params/tables.yaml``."""
    raw = load_yaml("tables.yaml")["tables"]
    out = {}
    for code, t in raw.items():
        cols = tuple(
            ColumnSpec(
                name=c["name"],
                type=c.get("type", "text"),
                required=bool(c.get("required", False)),
                aliases=tuple(c.get("aliases", ())),
                values=tuple(str(v) for v in c.get("values", ())),
                default=c.get("default"),
                personal=bool(c.get("personal", False)),
            )
            for c in t["columns"]
        )
        out[code] = TableSpec(code, t["name"], tuple(t.get("key", ())), cols, bool(t.get("personal")),
                              tuple(t.get("categorical", ())))
    return out


def params_files() -> list[Path]:
    """Every file under params/ (hashed into the manifest and the up-to-date check)."""
    return sorted(p for p in paths.PARAMS_DIR.rglob("*") if p.is_file())
