"""Enterprise service fixtures: two enterprises in two counties, their users, a 包保 official and a 专班."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from jingzhi.core.validators import credit_code_check_char
from jingzhi.enterprises.services.registry import enterprise_save
from jingzhi.enterprises.services.taskforces import task_force_save
from jingzhi.org.models import Role
from jingzhi.org.services import responsibility_assign, user_upsert
from tests import factories as f
from tests.api.conftest import api, key_for  # noqa: F401 — fixtures, found by pytest by name
from tests.web.conftest import _media_root, client_for  # noqa: F401 — fixtures, found by pytest by name


def code(first17: str) -> str:
    """A credit code with its right check character."""
    return first17 + credit_code_check_char(first17)


@dataclass
class Firms:
    city: Any
    leni: Any
    other: Any
    leni_user: Any
    other_user: Any
    official: Any
    member: Any
    task_force: Any


@pytest.fixture
def firms(city: Any) -> Firms:
    return make_firms(city)


def make_firms(city: Any) -> Firms:
    """The enterprises, users, 包保 official and 专班 of these tests (a function, for the browser tests too)."""
    leni = enterprise_save(actor=None, enterprise=None, name="莱尼线束系统(铁岭)有限公司", credit_code=code("91211200663742195"),
                           division=city.county_a, industry="C3670", size="large", employees=1200,
                           tags=["key", "above_scale"])
    other = enterprise_save(actor=None, enterprise=None, name="开原某机械公司", credit_code=code("91211282MA0TQ2E85"),
                            division=city.county_b, industry="C34", size="small", tags=["tech_sme"])
    leni_user = user_upsert(actor=None, username="leni", role=Role.ENTERPRISE, enterprise=leni, password="Leni-door-2026")
    other_user = user_upsert(actor=None, username="kaiyuan", role=Role.ENTERPRISE, enterprise=other, password="Kaiyuan-door-2026")
    official = f.user("unit_head", city.env, username="baobao")
    responsibility_assign(actor=None, official=official, enterprise=leni)
    member = f.user("handler", city.housing, username="zhuanban")
    tf = task_force_save(actor=None, task_force=None, name="银州经济开发区专班", park="银州经济开发区", leader=city.leader,
                         members=[member], enterprises=[leni])
    return Firms(city, leni, other, leni_user, other_user, official, member, tf)
