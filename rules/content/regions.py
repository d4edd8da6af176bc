"""A prefecture-level city written under the wrong province ("湖北省张家界市", "甘肃银川").

Each name in such a pair is real, so the one-character near-miss check of places.py cannot see the slip:
the province comes from the writer's memory, and a neighbouring province is the usual mistake. A
province (full name or short form: 湖北省/湖北, 宁夏回族自治区/宁夏) written right before a city's name
(with or without 市) is checked against the city's own province from the same gazetteer data. Only city
names that exist in one province are used, so a name shared by two cities never yields a wrong answer.
"""

from __future__ import annotations

import json
import re
from functools import cache

from rules.content.chardata import cached
from rules.content.places import PlaceMiss, _data_file

#: A province-level name's own suffixes, stripped for its short form (湖北省 -> 湖北).
_PROVINCE_SUFFIXES = ("特别行政区", "自治区", "省", "市")
#: Characters that, right after a short city form, make it a different division's name (朝阳区, 吉林省).
_SUFFIX_CHARS = frozenset("区县旗镇乡街州盟省地")


def _short(province: str) -> str:
    """The short form a province-level name is written in (湖北省 -> 湖北, 广西壮族自治区 -> 广西, 内蒙古…)."""
    if province.endswith("自治区"):
        return province[:3] if province.startswith("内蒙古") else province[:2]
    return next((province[:-len(s)] for s in _PROVINCE_SUFFIXES if province.endswith(s)), province)


def _build() -> tuple[dict[str, str], dict[str, list[str]]]:
    """Province forms -> full name; city forms (名称, and without 市) -> [city's full name, its province]."""
    data = json.loads(_data_file("data/divisions_v1.json").read_text(encoding="utf-8"))["provinces"]
    provinces: dict[str, str] = {}
    cities: dict[str, set[tuple[str, str]]] = {}
    for pname, prov in data.items():
        provinces[pname] = pname
        provinces.setdefault(_short(pname), pname)
        for cname in prov.get("cities", {}):
            if len(cname) < 3 or cname == pname or "辖" in cname:  # "市辖区", "省直辖县级行政区划": no city
                continue
            forms = [cname] + ([cname[:-1]] if cname.endswith("市") and len(cname) >= 3 else [])
            for form in forms:
                cities.setdefault(form, set()).add((cname, pname))
    unique = {form: list(next(iter(found))) for form, found in cities.items() if len(found) == 1}
    return provinces, unique


class ProvinceChecker:
    """Finds cities written after the wrong province (see the module docstring)."""

    def __init__(self) -> None:
        self.provinces, self.cities = cached("provinces", _build)
        alternatives = sorted(self.provinces, key=len, reverse=True)
        cities = sorted(self.cities, key=len, reverse=True)
        self._pattern = re.compile(f"({'|'.join(map(re.escape, alternatives))})({'|'.join(map(re.escape, cities))})")

    def find(self, text: str) -> list[PlaceMiss]:
        """Every province-city pair in ``text`` whose city lies in another province."""
        out = []
        for m in self._pattern.finditer(text):
            if not m.group(2).endswith("市") and text[m.end():m.end() + 1] in _SUFFIX_CHARS:
                continue  # another division of the same stem: "北京市朝阳区" is not 辽宁 朝阳市
            written = self.provinces[m.group(1)]
            city, province = self.cities[m.group(2)]
            if province != written:
                right = f"{_short(province)}{m.group(2)}" if m.group(1) == _short(written) else province + city
                out.append(PlaceMiss(m.start(), m.end(), (right,), f"{city}属{province}，不属{written}"))
        return out


@cache
def province_checker() -> ProvinceChecker:
    """The process's checker."""
    return ProvinceChecker()
