"""A small, deliberately awkward data set around the 2024 National Day holiday (1–7 October; 29 September and
12 October were make-up working days). Working hours 08:30–17:30. Every step goes through the production services.

Housing bureau (住建局, county A and B):
  case 1  received Mon 30 Sep 09:00, dispatched 09:10, acknowledged 10:10 (on time), replied Tue 8 Oct 10:10 across
          the holiday (10.0 working hours), followed up 8 Oct 11:00: contacted, resolved, satisfied.
  case 2  dispatched 30 Sep 09:10, acknowledged 13:10 (late: due 11:10; 4.0 h), extension approved 8 Oct 08:40,
          replied 8 Oct 11:10 (11.0 h), followed up 12:00 unresolved + unsatisfied, reopened 12:10, replied again
          14:10 (14.0 h from dispatch), followed up 15:00 partly resolved + basically satisfied.
  case 3  county B; dispatched 09:10 to the environment bureau, which returned it 09:40; redispatched to housing 10:00,
          acknowledged 10:30 (0.5 h), replied 8 Oct 09:00 (8.0 h), follow-up 10:00 could not reach the requester.
  case 4  a duplicate received 30 Sep 09:30, merged into case 1 at 09:40: not counted as received.
Environment bureau (生态环境局, below the minimum volume): case 5, county B, received 30 Sep 09:00, dispatched 09:10,
  acknowledged 09:20, replied 10:10, followed up 11:00 contacted, resolved, satisfied.
County government (西丰县政府): case 6, an emergency received Tue 8 Oct 08:00, dispatched 08:05, still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from jingzhi.cases import services as s
from jingzhi.cases.models import Case, ExtensionRequest
from jingzhi.metrics import rollup
from jingzhi.metrics.engine import policy
from jingzhi.metrics.periods import Period
from tests.cases.helpers import sh
from tests.factories import CaseFactory

PERIOD = Period("custom", date(2024, 9, 30), date(2024, 10, 8))


@dataclass
class Data:
    city: Any
    cases: dict[int, Case]


def _new(city: Any, at: Any, division: Any, **kw: Any) -> Case:
    return CaseFactory(actor=city.operator, received_at=at, division_code=division.code, **kw)


@pytest.fixture
def data(city: Any) -> Data:
    c = city
    op, disp, sup = c.operator, c.dispatcher, c.supervisor
    cases: dict[int, Case] = {}

    k = _new(c, sh(2024, 9, 30, 9), c.county_a)
    k = s.case_dispatch(case=k, unit=c.housing, actor=disp, at=sh(2024, 9, 30, 9, 10))
    k = s.case_acknowledge(case=k, actor=c.handler, at=sh(2024, 9, 30, 10, 10))
    k = s.case_reply(case=k, actor=c.handler, reply="已修复。", at=sh(2024, 10, 8, 10, 10))
    cases[1] = s.case_follow_up(case=k, actor=op, contacted=True, resolution="resolved", satisfaction="satisfied",
                                at=sh(2024, 10, 8, 11))

    k = _new(c, sh(2024, 9, 30, 9), c.county_a)
    k = s.case_dispatch(case=k, unit=c.housing, actor=disp, at=sh(2024, 9, 30, 9, 10))
    k = s.case_acknowledge(case=k, actor=c.handler, at=sh(2024, 9, 30, 13, 10))
    s.case_request_extension(case=k, actor=c.handler, working_days=3, reason="需要协调供热公司", at=sh(2024, 10, 8, 8, 35))
    s.extension_approve(request=ExtensionRequest.objects.get(case=k), actor=sup, at=sh(2024, 10, 8, 8, 40))
    k = s.case_reply(case=Case.objects.get(pk=k.pk), actor=c.handler, reply="已协调。", at=sh(2024, 10, 8, 11, 10))
    k = s.case_follow_up(case=k, actor=op, contacted=True, resolution="unresolved", satisfaction="unsatisfied",
                         at=sh(2024, 10, 8, 12))
    k = s.case_reopen(case=k, actor=op, reason="群众不满意", at=sh(2024, 10, 8, 12, 10))
    k = s.case_reply(case=k, actor=c.handler, reply="再次处理。", at=sh(2024, 10, 8, 14, 10))
    cases[2] = s.case_follow_up(case=k, actor=op, contacted=True, resolution="partly", satisfaction="basically",
                                at=sh(2024, 10, 8, 15))

    k = _new(c, sh(2024, 9, 30, 9), c.county_b)
    k = s.case_dispatch(case=k, unit=c.env, actor=disp, at=sh(2024, 9, 30, 9, 10))
    k = s.case_return(case=k, actor=c.env_handler, reason="不属于本单位职责", at=sh(2024, 9, 30, 9, 40))
    k = s.case_redispatch(case=k, unit=c.housing, actor=disp, at=sh(2024, 9, 30, 10))
    k = s.case_acknowledge(case=k, actor=c.handler, at=sh(2024, 9, 30, 10, 30))
    k = s.case_reply(case=k, actor=c.handler, reply="已处理。", at=sh(2024, 10, 8, 9))
    cases[3] = s.case_follow_up(case=k, actor=op, contacted=False, note="三次电话无人接听", at=sh(2024, 10, 8, 10))

    dup = _new(c, sh(2024, 9, 30, 9, 30), c.county_a)
    cases[4] = s.case_merge(case=dup, into=cases[1], actor=op, note="同一问题", at=sh(2024, 9, 30, 9, 40))

    k = _new(c, sh(2024, 9, 30, 9), c.county_b)
    k = s.case_dispatch(case=k, unit=c.env, actor=disp, at=sh(2024, 9, 30, 9, 10))
    k = s.case_acknowledge(case=k, actor=c.env_handler, at=sh(2024, 9, 30, 9, 20))
    k = s.case_reply(case=k, actor=c.env_handler, reply="已处理。", at=sh(2024, 9, 30, 10, 10))
    cases[5] = s.case_follow_up(case=k, actor=op, contacted=True, resolution="resolved", satisfaction="satisfied",
                                at=sh(2024, 9, 30, 11))

    k = _new(c, sh(2024, 10, 8, 8), c.county_a, priority="emergency")
    cases[6] = s.case_dispatch(case=k, unit=c.county_gov, actor=disp, at=sh(2024, 10, 8, 8, 5))

    pol = policy()
    pol.min_volume = 2
    pol.save()
    rollup.refresh()
    return Data(city=city, cases={n: Case.objects.get(pk=k.pk) for n, k in cases.items()})
