"""Helpers for the application and payment tests: a policy to apply for, an account, an approved grant."""

from __future__ import annotations

from typing import Any

from jingzhi.matching.models import Grant
from jingzhi.matching.services.accounts import AccountInput, grant_confirm_account
from jingzhi.matching.services.grants import grant_decide
from jingzhi.matching.services.policies import policy_create, policy_publish
from tests.matching.conftest import RD_POLICY

# The same conditions as the 免申即享 R&D policy, but one applies for it: a fixed 30 万元.
APPLY_POLICY: dict[str, Any] = {
    **{k: v for k, v in RD_POLICY.items() if not k.startswith("benefit_")},
    "title": "专精特新中小企业奖励", "document_number": "辽工信发〔2026〕35号", "no_application": False,
    "benefit_kind": "fixed", "benefit_amount": "30",
}
LENI_ACCOUNT = AccountInput("莱尼线束系统(铁岭)有限公司", "中国工商银行铁岭分行营业部", "0716 0012 0920 0123 456",
                            "王经理", "13800138000")


def apply_policy(issuer: Any) -> Any:
    policy, _ = policy_create(actor=None, issuer=issuer, content=dict(APPLY_POLICY))
    policy_publish(actor=None, policy=policy)
    policy.refresh_from_db()
    return policy


def approved_grant(world: Any, *, confirm: bool = True) -> Grant:
    grant = Grant.objects.get(enterprise=world.firms.leni, policy=world.policy)
    if confirm:
        grant_confirm_account(actor=world.firms.leni_user, grant=grant, data=LENI_ACCOUNT)
    return grant_decide(actor=world.city.env_handler, grant=grant, action="approve")
