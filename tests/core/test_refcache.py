"""Reference data kept per process (core/refcache.py): reloaded when a service announces a change, anywhere."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache

from jingzhi.cases import sla
from jingzhi.cases.models import SlaRule
from jingzhi.cases.services.policy import sla_rule_set
from jingzhi.core import refcache
from jingzhi.org.selectors import division_by_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on(settings: Any) -> None:
    settings.JINGZHI_REFCACHE = True
    refcache.forget()


def _reply_limit() -> Decimal:
    return sla.rule_book().limit("reply", kind="inquiry", priority="").amount


def test_a_copy_is_reused_until_a_service_announces_a_change(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    first = _reply_limit()
    # A write that bypasses the services is not seen: the copy is kept (which is why only services write rules).
    SlaRule.objects.filter(clock="reply", kind="inquiry", priority="").update(amount=first + 4)
    assert _reply_limit() == first
    rule = SlaRule.objects.get(clock="reply", kind="inquiry", priority="")
    with django_capture_on_commit_callbacks(execute=True):
        sla_rule_set(actor=city.admin, rule=rule, clock="reply", kind="inquiry", priority="", amount=Decimal(7),
                        time_unit="working_days")
    assert _reply_limit() == Decimal(7)


def test_another_process_reloads_when_the_shared_token_changes(city: Any) -> None:
    before = _reply_limit()
    SlaRule.objects.filter(clock="reply", kind="inquiry", priority="").update(amount=before + 1)
    assert _reply_limit() == before
    # Another process's service committed a change: it replaced the token in the shared cache.
    cache.set("jingzhi:refdata:version", "from-another-process", timeout=None)
    assert _reply_limit() == before + 1


def test_a_forgotten_token_means_a_reload_never_a_stale_copy(city: Any) -> None:
    before = _reply_limit()
    SlaRule.objects.filter(clock="reply", kind="inquiry", priority="").update(amount=before + 2)
    cache.clear()  # a restarted Redis, an evicted key
    assert _reply_limit() == before + 2


def test_divisions_by_code_are_kept_and_new_codes_are_found_at_once(city: Any) -> None:
    from tests import factories as f

    assert division_by_code("211223") == city.county_a
    assert division_by_code("211299") is None
    added = f.division("211299", "新区", "county", city.city)  # through the service, as the admin and imports do
    assert division_by_code("211299") == added
