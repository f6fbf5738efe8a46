"""Factories for tests: each builds through the service that production uses where one exists."""

from __future__ import annotations

import itertools
from typing import Any

import factory

from jingzhi.cases.models import Case
from jingzhi.cases.services import case_create
from jingzhi.org.models import Division, Role, Unit, User
from jingzhi.org.services import division_upsert, unit_upsert, user_upsert

_codes = itertools.count(1)


def division(code: str = "211200", name: str = "铁岭市", level: str = "city", parent: Division | None = None) -> Division:
    return division_upsert(actor=None, code=code, name=name, level=level, parent=parent)


def unit(code: str | None = None, name: str | None = None, division_: Division | None = None, **kw: Any) -> Unit:
    n = next(_codes)
    return unit_upsert(actor=None, code=code or f"U{n}", name=name or f"测试单位{n}", division=division_ or division(), **kw)


def user(role: str = Role.HANDLER, unit_: Unit | None = None, division_: Division | None = None, **kw: Any) -> User:
    n = next(_codes)
    return user_upsert(actor=None, username=kw.pop("username", f"{role}{n}"), role=role, unit=unit_, division=division_,
                       password=kw.pop("password", "test-pass-123"), display_name=kw.pop("display_name", f"用户{n}"), **kw)


class CaseFactory(factory.Factory):
    """Cases are created through case_create (intake), like every real case."""

    class Meta:
        model = Case

    channel = "hotline"
    kind = "complaint"
    priority = "normal"
    title = factory.Sequence(lambda n: f"小区供暖温度不达标 {n}")
    content = "家里暖气温度只有十五度，已经反映多次，请尽快处理。"
    requester_name = "张三"
    requester_phone = "13812345678"
    division_code = "211200"

    @classmethod
    def _create(cls, model_class: type[Case], *args: Any, actor: User | None = None, **kwargs: Any) -> Case:
        case, _created = case_create(actor=actor, **kwargs)
        return case

    _build = _create
