"""Caller history and requester search (issue 13): exact digests, the viewer's scope, masked names, roles."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jingzhi.cases.models import Case
from jingzhi.cases.requesters import rebuild_digests
from jingzhi.cases.selectors import CaseFilters, case_list, requester_history
from jingzhi.core.errors import PermissionDenied
from jingzhi.core.lookup import digest
from tests import factories as f
from tests.web.helpers import new_case

pytestmark = pytest.mark.django_db

PHONE, ID = "13812345678", "11010519491231002X"


def _cases(city: Any) -> tuple[Case, Case, Case]:
    a = new_case(city, division=city.county_a, requester_name="张三", requester_phone=PHONE, requester_id_number=ID)
    b = new_case(city, division=city.county_b, requester_name="张三", requester_phone=PHONE)
    other = new_case(city, division=city.county_a, requester_name="李四", requester_phone="13900001111")
    return a, b, other


def test_intake_stores_digests_not_searchable_plain_text(city: Any) -> None:
    a, _b, _other = _cases(city)
    a.refresh_from_db()
    assert a.requester_phone_digest == digest("phone", PHONE) and len(a.requester_phone_digest) == 32
    assert a.requester_id_digest == digest("id", ID.lower())  # normalised: the X in either case
    assert a.requester_name_digest == digest("name", "张 三")
    assert PHONE not in a.requester_phone_digest and digest("phone", PHONE) != digest("id", PHONE)


def test_history_is_exact_scoped_and_masked(city: Any) -> None:
    a, b, _other = _cases(city)
    rows, total = requester_history(user=city.operator, phone="138 1234 5678")  # the hotline sees the whole city
    assert total == 2 and [r.number for r in rows] == [b.number, a.number]
    assert all(r.requester == "张*" for r in rows)  # the name is masked even for the hotline
    assert requester_history(user=city.operator, phone="1381234567")[1] == 0  # no partial matches
    assert [r.number for r in requester_history(user=city.operator, id_number=ID)[0]] == [a.number]
    supervisor_b = f.user("supervisor", None, city.county_b, username="sup_b")
    assert [r.number for r in requester_history(user=supervisor_b, phone=PHONE)[0]] == [b.number]  # own county only
    for user in (city.leader, city.handler, city.unit_head):  # roles that may not see personal data
        with pytest.raises(PermissionDenied):
            requester_history(user=user, phone=PHONE)


def test_case_list_searches_phone_id_and_name_for_allowed_roles_only(city: Any) -> None:
    a, b, other = _cases(city)

    def found(user: Any, value: str) -> set[str]:
        return set(case_list(user=user, filters=CaseFilters(requester=value)).values_list("number", flat=True))
    assert found(city.operator, PHONE) == {a.number, b.number}
    assert found(city.operator, "+86 138-1234-5678".replace("-", "")) == {a.number, b.number}
    assert found(city.operator, ID) == {a.number}
    assert found(city.operator, "李四") == {other.number}
    assert found(city.operator, "李") == set()  # a name is matched whole, never as a part
    assert found(city.leader, PHONE) == set()  # the leader sees the cases, but may not search by personal data


def test_backfill_and_rebuild_after_a_key_change(city: Any, settings: Any) -> None:
    a, _b, _other = _cases(city)
    Case.objects.update(requester_phone_digest="", requester_id_digest="", requester_name_digest="")
    assert rebuild_digests() == 3
    a.refresh_from_db()
    assert a.requester_phone_digest == digest("phone", PHONE)
    settings.JINGZHI_LOOKUP_KEY = "a-new-key"
    assert digest("phone", PHONE) != a.requester_phone_digest  # a new key: stored digests must be rebuilt
    rebuild_digests()
    assert requester_history(user=city.operator, phone=PHONE)[1] == 2


def test_the_migration_backfills_existing_cases(city: Any) -> None:
    _cases(city)
    Case.objects.update(requester_phone_digest="")
    # The migration's own function, on the historical model of that migration.
    apps = MigrationExecutor(connection).loader.project_state(("cases", "0011_backfill_requester_digests")).apps
    importlib.import_module("jingzhi.cases.migrations.0011_backfill_requester_digests").backfill(apps, None)
    assert not Case.objects.filter(requester_phone_digest="").exists()
