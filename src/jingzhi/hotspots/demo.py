"""The Tieling demo's live hotspots: three clusters of recent cases, one of them already acted on.

Demo data, invented: the residential communities (锦绣华府, 向阳家园), the texts and the people. The cases are
registered through intake like any other, so the hotspots are found by the case-created hook, not written here;
the dispatcher then dispatches the first hotspot's cases to the environment bureau in one action.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from jingzhi.cases.services import case_create
from jingzhi.hotspots.models import Hotspot, HotspotMember
from jingzhi.hotspots.services import hotspot_dispatch_all
from jingzhi.org.models import Division, Unit, User

# (division code, acted on by dispatching to this unit code, [(days ago, title, content)])
CLUSTERS: list[tuple[str, str | None, list[tuple[float, str, str]]]] = [
    ("211202001001", "STHJ", [
        (9.5, "锦绣华府小区旁边新建搅拌站夜间施工噪音扰民", "锦绣华府小区旁边的搅拌站每天夜里施工，搅拌机噪音很大，粉尘飘进家里。"),
        (7.2, "投诉锦绣华府小区附近搅拌站粉尘污染", "锦绣华府小区附近搅拌站粉尘大，噪音扰民，孩子晚上睡不着。"),
        (5.1, "锦绣华府小区附近搅拌站噪音太大影响休息", "搅拌站半夜还在施工，噪音扰民，请环保部门查一查。"),
        (3.4, "举报锦绣华府小区附近非法搅拌站", "锦绣华府小区附近的搅拌站没有手续，噪音粉尘污染严重。"),
        (1.3, "锦绣华府小区搅拌站噪音扰民问题仍未解决", "上次反映锦绣华府小区旁边搅拌站噪音的问题还没有解决，晚上照常施工。"),
        (0.2, "锦绣华府小区居民再次投诉搅拌站噪音粉尘", "搅拌站噪音和粉尘还在，锦绣华府小区居民无法正常休息。"),
    ]),
    ("211204002001", None, [
        (6.0, "向阳家园小区开发商捆绑销售车位", "向阳家园小区开发商要求买房必须同时购买车位，不买车位不给签合同。"),
        (4.5, "投诉向阳家园小区强制捆绑销售车位", "向阳家园小区购房时被要求捆绑购买车位十万元，违反规定。"),
        (2.0, "向阳家园小区车位捆绑销售谁来管", "向阳家园开发商强制业主购买车位，多次反映无果。"),
        (0.5, "向阳家园小区购房被迫捆绑购买车位", "向阳家园小区开发商捆绑销售车位，请住建部门查处。"),
    ]),
    ("211223100033", None, [
        (2.5, "西丰县城东社区幸福小区连续停水三天", "城东社区幸福小区从前天开始停水，至今没有来水，也没有通知。"),
        (1.6, "城东社区幸福小区停水无人解决", "幸福小区停水三天了，打自来水公司电话没人管。"),
        (0.4, "幸福小区停水什么时候恢复供水", "城东社区幸福小区一直停水，老人孩子生活困难，请尽快恢复供水。"),
    ]),
]


def load_hotspot_demo(*, now: datetime, operator: User, dispatcher: User) -> list[Hotspot]:
    """Register the clusters' cases (through intake, so the hook finds the hotspots) and act on the first."""
    found: list[Hotspot] = []
    for n, (division_code, unit_code, messages) in enumerate(CLUSTERS):
        division = Division.objects.filter(code=division_code).first()
        if division is None:
            continue
        cases = []
        for i, (days_ago, title, content) in enumerate(messages):
            case, _created = case_create(
                actor=operator, channel="hotline", kind="complaint", title=title, content=content,
                division_code=division.code, requester_name="示范市民", requester_phone=f"1390410{n}{i:03d}",
                address=division.name, received_at=now - timedelta(days=days_ago),
                idempotency_key=f"demo-hotspot-{n}-{i}",
            )
            cases.append(case)
        member = HotspotMember.objects.filter(case=cases[-1]).select_related("hotspot").first()
        if member is None:
            continue
        found.append(member.hotspot)
        unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
        if unit is not None:
            hotspot_dispatch_all(actor=dispatcher, hotspot_id=member.hotspot_id, unit=unit)
    return found
