"""Policy matching fixtures: the enterprise fixtures of tests/enterprises, figures, and a policy office per unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from jingzhi.enterprises.services.registry import figures_set
from jingzhi.matching.services.policies import policy_create, policy_publish
from tests.api.conftest import api, key_for  # noqa: F401 — fixtures, found by pytest by name
from tests.enterprises.conftest import Firms, make_firms
from tests.web.conftest import _media_root, client_for  # noqa: F401 — fixtures, found by pytest by name

# 研发费用的 10 %, 上限 50 万元, for 专精特新-free manufacturers with ≥ 100 employees and R&D ≥ 3 % of output.
RD_POLICY: dict[str, Any] = {
    "title": "研发费用后补助", "level": "city", "document_number": "铁政发〔2026〕12号", "valid_from": "2026-01-01",
    "valid_to": "2027-12-31", "no_application": True, "benefit_kind": "rate", "benefit_rate": "10",
    "benefit_base": "rd_spend", "benefit_cap": "50",
    "conditions": [
        {"field": "industry", "op": "prefix", "value": ["C"]},
        {"field": "employees", "op": "gte", "value": 100},
        {"field": "rd_ratio", "op": "gte", "value": 3},
        {"field": "dishonest", "op": "is", "value": False},
    ],
}


@dataclass
class World:
    firms: Firms
    city: Any
    policy: Any


@pytest.fixture
def firms(city: Any) -> Firms:
    return make_firms(city)


@pytest.fixture
def world(firms: Firms) -> World:
    city = firms.city
    # 莱尼: 1200 employees, R&D 4 % of output → qualifies; 开原某机械: no employees on file, R&D 2 % → not.
    figures_set(actor=None, enterprise=firms.leni, year=2025, output="10000", tax="500", rd_spend="400", employees="1200")
    figures_set(actor=None, enterprise=firms.other, year=2025, output="1000", tax="50", rd_spend="20", employees="")
    policy, _ = policy_create(actor=None, issuer=city.env, content=dict(RD_POLICY))
    policy_publish(actor=None, policy=policy)
    policy.refresh_from_db()
    return World(firms, city, policy)
