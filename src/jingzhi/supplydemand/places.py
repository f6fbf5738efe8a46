"""Where a listing is: a GB/T 2260 code, from the city's division tree or from a short list of places outside it.

Places are compared by the code's prefixes (GB/T 2260: 2 digits province, 4 city, 6 county), so a buyer in
Shenyang's 铁西区 (210106) and a producer in Tieling's 银州区 (211202) are "in the same province", without the
outside place having to be a division of the city's tree (which holds one city and is what scopes every user).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingzhi.org.models import Division

# Places outside the city that trade with it (the rubber institute's buyers are in Shenyang). GB/T 2260 codes.
OUTSIDE: dict[str, str] = {
    "210100": "沈阳市", "210102": "沈阳市和平区", "210103": "沈阳市沈河区", "210104": "沈阳市大东区",
    "210105": "沈阳市皇姑区", "210106": "沈阳市铁西区", "210111": "沈阳市苏家屯区", "210112": "沈阳市浑南区",
    "210113": "沈阳市沈北新区", "210114": "沈阳市于洪区", "210200": "大连市", "210300": "鞍山市", "210400": "抚顺市",
    "210500": "本溪市", "210600": "丹东市", "210700": "锦州市", "210800": "营口市", "210900": "阜新市",
    "211000": "辽阳市", "211100": "盘锦市", "211300": "朝阳市", "211400": "葫芦岛市", "220100": "长春市",
    "220300": "四平市", "110000": "北京市", "120000": "天津市", "310000": "上海市",
}


def county_of(code: str) -> str:
    """The county part of a code ('' for a whole city or province)."""
    return code[:6] if len(code) >= 6 and code[4:6] != "00" else ""


def city_of(code: str) -> str:
    return code[:4] if len(code) >= 4 and code[2:4] != "00" else code[:2]


def place_name(code: str) -> str | None:
    """The name of a place code, or None when it is neither a division of the city nor a known outside place."""
    if code in OUTSIDE:
        return OUTSIDE[code]
    division = Division.objects.filter(code=code).only("name").first()
    return division.name if division is not None else None


def place_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The form's places: the city and its counties, then the places outside it."""
    inside = list(Division.objects.filter(level__in=[Division.Level.CITY, Division.Level.COUNTY])
                  .order_by("path").values_list("code", "name"))
    return [(_("In the city"), inside), (_("Outside the city"), sorted(OUTSIDE.items()))]


def nearness(a: str, b: str) -> str:
    """'county', 'city', 'province' or '' — how close two places are, by their codes."""
    if county_of(a) and county_of(a) == county_of(b):
        return "county"
    if city_of(a) == city_of(b):
        return "city"
    if a[:2] == b[:2]:
        return "province"
    return ""
