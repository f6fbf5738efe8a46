"""CAP messages with several <info> blocks (one per language, CAP 1.2 §3.2.2): the zh-CN block is read, blocks in
other languages are translations and are ignored; blocks of one language add their areas; a block of the same
language that would change the event or level is refused."""

from __future__ import annotations

from typing import Any

import pytest

from jingzhi.earlywarning.cap import CapError, parse
from jingzhi.earlywarning.models import InspectionTask
from jingzhi.earlywarning.services import warning_import_cap
from tests.earlywarning.conftest import NS, area


def info(language: str | None, event: str, severity: str, *areas: str) -> str:
    lang = f"<language>{language}</language>" if language else ""
    return (f"<info>{lang}<category>Met</category><event>{event}</event><urgency>Immediate</urgency>"
            f"<severity>{severity}</severity><certainty>Likely</certainty><headline>{event}</headline>{''.join(areas)}</info>")


def alert(*infos: str, identifier: str = "multi-1") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><alert xmlns="{NS}"><identifier>{identifier}</identifier>'
            "<sender>qx@test</sender><sent>2026-07-30T06:00:00+08:00</sent><status>Actual</status>"
            f"<msgType>Alert</msgType><scope>Public</scope>{''.join(infos)}</alert>").encode()


def test_the_zh_cn_block_is_read_and_the_english_translation_ignored(land: Any) -> None:
    data = alert(info("en-US", "Heavy rain red warning", "Extreme", area("Kaiyuan", "211282")),
                 info("zh-CN", "暴雨橙色预警", "Severe", area("西丰县", "211223")))
    parsed = parse(data)
    assert (parsed.warning_type, parsed.level, parsed.headline) == ("heavy_rain", "orange", "暴雨橙色预警")
    assert [a.description for a in parsed.areas] == ["西丰县"]
    outcome = warning_import_cap(actor=None, data=data)
    sites = set(InspectionTask.objects.filter(warning=outcome.warning).values_list("site__code", flat=True))
    assert sites == {"XF1", "XF2"} and outcome.warning.level == "orange"


def test_without_chinese_the_first_language_is_read() -> None:
    data = alert(info(None, "Heavy rain", "Minor", area("A", "211223")), info("fr-FR", "Pluie", "Extreme", area("B", "211282")))
    parsed = parse(data)
    assert (parsed.level, [a.description for a in parsed.areas]) == ("blue", ["A"])


def test_blocks_of_one_language_add_areas_but_may_not_change_the_level() -> None:
    more = parse(alert(info("zh-CN", "暴雨橙色预警", "Severe", area("西丰县", "211223")),
                       info("zh-CN", "暴雨橙色预警", "Severe", area("开原市", "211282"))))
    assert [a.description for a in more.areas] == ["西丰县", "开原市"]
    with pytest.raises(CapError) as refused:
        parse(alert(info("zh-CN", "暴雨橙色预警", "Severe", area("西丰县", "211223")),
                    info("zh-CN", "暴雨红色预警", "Extreme", area("开原市", "211282"))))
    assert refused.value.element == "info"
