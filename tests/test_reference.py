"""Reference data from params/: cities, counties, categories, name resolution."""

from __future__ import annotations

import pytest

from yonggong.errors import UserError
from yonggong.reference import categories, cities, city_counties, counties, resolve_city, resolve_county


def test_eleven_cities_and_one_hundred_counties():
    assert [c.name for c in cities()] == ["南昌", "景德镇", "萍乡", "九江", "新余", "鹰潭", "赣州", "吉安",
                                          "宜春", "抚州", "上饶"]
    assert len(counties()) == 100
    assert len(city_counties(resolve_city("赣州"))) == 18
    for c in counties():
        assert c.code[:4] == c.city_code[:4]
    codes = [c.code for c in counties()]
    assert codes == sorted(codes), "counties must be in GB/T 2260 order"


def test_eight_categories():
    assert len(categories()) == 8 and categories()[0] == "医用物资生产" and categories()[7] == "运输销售"


@pytest.mark.parametrize("value", ["南昌", "南昌市", "360100", " 南昌 ", "３６０１００"])
def test_city_resolution_accepts_short_long_and_code(value):
    assert resolve_city(value).code == "360100"


@pytest.mark.parametrize("value", ["北京", "南昌县", "../南昌", "南昌/../..", "", "3601", None])
def test_city_resolution_rejects_everything_else(value):
    with pytest.raises(UserError) as err:
        resolve_city(value)
    assert "未知的设区市" in err.value.message


def test_county_resolution():
    nc = resolve_city("南昌")
    gz = resolve_city("赣州")
    assert resolve_county("东湖区", nc).county.code == "360102"
    assert resolve_county("360121", nc).county.name == "南昌县"
    m = resolve_county("新建县", nc)
    assert m.county.name == "新建区" and "旧称" in m.note
    assert resolve_county("南康市", gz).county.name == "南康区"
    assert resolve_county("赣　县", gz).county.name == "赣县区"  # full-width padding
    assert resolve_county("赣县", gz).county.name == "赣县区"  # former name
    wl = resolve_county("湾里区", nc)
    assert wl.county is None and wl.ambiguous
    amb = resolve_county("南昌", nc)
    assert amb.county is None and amb.ambiguous
    other = resolve_county("章贡区", nc)
    assert other.county is None and "不属于" in other.note
    assert resolve_county("进贤", nc).county.name == "进贤县"
