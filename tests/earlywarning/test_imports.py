"""Danger sites from a spreadsheet: good rows create sites with their 包保 officials; one bad row saves nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest

from jingzhi.core.errors import PermissionDenied
from jingzhi.earlywarning.imports import sites_import
from jingzhi.earlywarning.models import DangerSite, SiteOfficial

HEADER = "点位编码,点位名称,类型,区划代码,地址,纬度,经度,风险等级,应急责任单位代码,包保责任人\n"


def csv_file(text: str) -> Any:
    f = io.BytesIO(text.encode("utf-8"))
    f.name = "sites.csv"
    return f


def test_sites_import_creates_sites_with_officials_and_refuses_a_bad_file(land: Any, city: Any) -> None:
    good = HEADER + ("XF9,寇河新段,险工险段,211223100,西丰镇,42.70,124.70,高,SLJ,xf_town:乡镇级; xf_county:县区级\n"
                     "KY9,开原老楼,老旧房屋,211282,,,,,,\n")
    result = sites_import(actor=city.dispatcher, rows_file=csv_file(good))
    assert result.ok and result.created == 2, result.errors
    site = DangerSite.objects.get(code="XF9")
    assert (site.site_type, site.risk_level, site.emergency_unit) == ("levee", "high", land.water)
    assert {(o.responsibility.official.username, o.level) for o in SiteOfficial.objects.filter(site=site)} == {
        ("xf_town", "township"), ("xf_county", "county")}
    bad = HEADER + "XF10,新点位,险工险段,211223100,,42.7,abc,,,nobody:乡镇级\n"
    result = sites_import(actor=city.dispatcher, rows_file=csv_file(bad))
    assert not result.ok and result.bad_rows == [2]
    assert {e.column for e in result.errors} >= {"经度", "包保责任人"}
    assert not DangerSite.objects.filter(code="XF10").exists()
    with pytest.raises(PermissionDenied):
        sites_import(actor=city.handler, rows_file=csv_file(good))
