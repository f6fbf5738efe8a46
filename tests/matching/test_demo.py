"""The demo's policy catalogue: policies published, matches and 免申即享 grants made, 莱尼 sees its own."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jingzhi.demo.loader import load_demo
from jingzhi.matching.access import grants_visible_to, policies_visible_to
from jingzhi.matching.models import Grant, Match, Policy
from jingzhi.matching.models_benefits import Application, GrantConfirmation, Payment
from jingzhi.org.models import User

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_policies() -> None:
    load_demo(password="demo-pass-123", now=NOW, cases=0)
    assert Policy.objects.filter(status="published").count() == 5
    assert Match.objects.filter(outcome="qualified").count() > 20 and Match.objects.filter(outcome="near").exists()
    near = Match.objects.filter(outcome="near", missing__field="dishonest")
    assert near.exists()  # the listed enterprise misses the R&D subsidy by its record alone
    leni = User.objects.get(username="qiye_leni")
    titles = {g.version.title for g in grants_visible_to(leni)}
    assert "规上工业企业稳岗补贴" in titles
    assert Grant.objects.filter(unit__code="KJJ").count() > 10
    # From a decision to money (ADR 027): an account confirmed, a grant paid, an application being worked.
    assert GrantConfirmation.objects.filter(grant__enterprise=leni.enterprise).exists()
    paid = Payment.objects.select_related("grant").get()
    assert paid.grant is not None and paid.grant.status == "approved" and paid.amount == paid.grant.amount
    assert Application.objects.filter(status="accepted", unit__code="KJJ").count() == 1
    draft = Policy.objects.get(status="draft")
    assert not policies_visible_to(User.objects.get(username="h_kjj")).filter(pk=draft.pk).exists()
