"""The Tieling demo's policy catalogue: a handful of real-sounding policies over the demo enterprises — two of them
免申即享 — one dishonesty record, a policy office at the science bureau, and the matches and grants they make.

Invented: the titles are modelled on the kinds of policy the city issues (研发费用后补助, 稳岗补贴, 专精特新奖励,
园区扶持); the document numbers, amounts and conditions are illustrative, not the real documents. So are the bank
accounts, payment references and the application of the money flows at the end.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from jingzhi.matching.facts import facts_for
from jingzhi.matching.models import DishonestyRecord, Grant, Match, Policy
from jingzhi.matching.services.accounts import AccountInput, grant_confirm_account
from jingzhi.matching.services.applications import application_decide, application_submit
from jingzhi.matching.services.grants import grant_decide
from jingzhi.matching.services.matching import rematch
from jingzhi.matching.services.payments import grant_pay
from jingzhi.matching.services.policies import policy_create, policy_publish
from jingzhi.org.models import Enterprise, Role, Unit, User
from jingzhi.org.services import user_upsert


def _policies(year: int) -> list[tuple[str, bool, dict[str, Any]]]:
    start, end = date(year, 1, 1).isoformat(), date(year + 1, 12, 31).isoformat()
    no_dishonesty = {"field": "dishonest", "op": "is", "value": False}
    return [
        ("KJJ", True, {
            "title": "科技型中小企业研发费用后补助", "level": "city", "document_number": f"铁科发〔{year}〕8号",
            "summary": "对研发投入强度达到3%的科技型中小企业、高新技术企业，按上年度研发费用的10%给予后补助，单户最高50万元。免申即享。",
            "valid_from": start, "valid_to": end, "no_application": True, "benefit_kind": "rate", "benefit_rate": "10",
            "benefit_base": "rd_spend", "benefit_cap": "50",
            "conditions": [{"field": "tags", "op": "has_any", "value": ["tech_sme", "high_tech"]},
                           {"field": "rd_ratio", "op": "gte", "value": "3"}, no_dishonesty]}),
        ("RSJ", True, {
            "title": "规上工业企业稳岗补贴", "level": "city", "document_number": f"铁人社发〔{year}〕21号",
            "summary": "上年度未裁员或裁员率低于全国城镇调查失业率控制目标的规上工业企业，给予一次性稳岗补贴5万元。免申即享。",
            "valid_from": start, "valid_to": end, "no_application": True, "benefit_kind": "fixed", "benefit_amount": "5",
            "conditions": [{"field": "industry", "op": "prefix", "value": ["C"]},
                           {"field": "tags", "op": "has_all", "value": ["above_scale"]},
                           {"field": "employees", "op": "gte", "value": "100"}, no_dishonesty]}),
        ("GXJ", False, {
            "title": "省级专精特新中小企业奖励", "level": "province", "document_number": f"辽工信发〔{year}〕35号",
            "summary": "对新认定的省级专精特新中小企业给予一次性奖励30万元，需企业申报。",
            "valid_from": start, "valid_to": end, "benefit_kind": "fixed", "benefit_amount": "30",
            "conditions": [{"field": "tags", "op": "has_all", "value": ["specialised"]},
                           {"field": "industry", "op": "prefix", "value": ["C"]},
                           {"field": "employees", "op": "gte", "value": "50"}, no_dishonesty]}),
        ("KJJ", False, {
            "title": "高新技术企业认定奖励", "level": "city", "document_number": f"铁政办发〔{year}〕17号",
            "summary": "对首次通过高新技术企业认定、在本市注册满1年的企业给予20万元奖励。",
            "valid_from": start, "valid_to": end, "benefit_kind": "fixed", "benefit_amount": "20",
            "conditions": [{"field": "tags", "op": "has_all", "value": ["high_tech"]},
                           {"field": "years_registered", "op": "gte", "value": "1"}]}),
        ("YZKFQ", False, {
            "title": "银州经济开发区入园企业发展扶持", "level": "county", "document_number": f"银开管发〔{year}〕4号",
            "summary": "开发区内年产值2000万元以上、纳税100万元以上的企业，按上年度纳税额的5%给予扶持，最高100万元。",
            "valid_from": start, "valid_to": end, "benefit_kind": "rate", "benefit_rate": "5", "benefit_base": "tax",
            "benefit_cap": "100",
            "conditions": [{"field": "division", "op": "within", "value": ["211202"]},
                           {"field": "output", "op": "gte", "value": "2000"}, {"field": "tax", "op": "gte", "value": "100"}]}),
    ]


def load_matching_demo(*, now: datetime) -> dict[str, int]:
    """Load the catalogue into a demo city whose enterprise service is loaded (enterprises/demo.py)."""
    today = timezone.localdate(now)
    units = {u.code: u for u in Unit.objects.filter(code__in=["KJJ", "RSJ", "GXJ", "YZKFQ", "KY"])}
    password = User.objects.get(username="operator").password
    user_upsert(actor=None, username="h_kjj", role=Role.HANDLER, display_name="科技局政策专员", unit=units["KJJ"],
                password_hash=password)
    made = 0
    for code, _no_application, content in _policies(today.year):
        policy, _ = policy_create(actor=None, issuer=units[code], content=content, idempotency_key=f"demo-policy-{content['title']}",
                                  is_demo=True)
        policy_publish(actor=None, policy=policy)
        made += 1
    # A draft of a county: open only to 开原市's office until it is published.
    policy_create(actor=None, issuer=units["KY"], is_demo=True, idempotency_key="demo-policy-ky-draft", content={
        "title": "开原市农业产业化龙头企业奖补（征求意见稿）", "level": "county", "document_number": "",
        "summary": "征求意见中。", "conditions": [{"field": "industry", "op": "prefix", "value": ["A"]}]})
    # One generated enterprise under a dishonesty listing: its near misses name the record.
    candidates = Enterprise.objects.filter(is_demo=True, tags__tag="tech_sme").order_by("pk").values_list("pk", flat=True)[:50]
    facts = facts_for(list(candidates), on=today)
    listed = next((eid for eid in candidates if facts[eid].get("rd_ratio") and facts[eid]["rd_ratio"].value >= 3), None)
    if listed is not None:
        DishonestyRecord.objects.create(enterprise_id=listed, authority="铁岭市市场监督管理局", listed_on=date(today.year, 3, 1),
                                        note="经营异常名录（示范数据）")
    summary = rematch(on=today)
    flows = _money_flows(now=now, password=password)
    return {"policies": made, "qualified": summary.qualified, "near": summary.near, "grants": summary.grants, **flows}


def _account(enterprise: Enterprise, n: int) -> AccountInput:
    return AccountInput(enterprise.name, "中国工商银行铁岭分行营业部", f"07160012092{n:08d}", "财务联络员", f"1390410{n:04d}")


def _door_user(enterprise: Enterprise, username: str, password: str) -> User:
    found = User.objects.filter(role=Role.ENTERPRISE, enterprise=enterprise, is_active=True).order_by("pk").first()
    return found or user_upsert(actor=None, username=username, role=Role.ENTERPRISE, display_name=f"{enterprise.name[:10]}联络员",
                                enterprise=enterprise, division=enterprise.division, password_hash=password)


def _money_flows(*, now: datetime, password: str) -> dict[str, int]:
    """From a decision to money (ADR 027): 莱尼 confirmed the account for its 稳岗补贴; one R&D grant of the science
    bureau approved and paid; one application for the high-tech award accepted and awaiting the decision."""
    office = User.objects.get(username="h_kjj")
    done = {"confirmed": 0, "paid": 0, "applications": 0}
    leni_user = User.objects.filter(username="qiye_leni").select_related("enterprise").first()
    leni_grant = Grant.objects.filter(enterprise_id=getattr(leni_user, "enterprise_id", 0), status=Grant.Status.PENDING).first()
    if leni_user is not None and leni_grant is not None:
        grant_confirm_account(actor=leni_user, grant=leni_grant, data=_account(leni_user.enterprise, 1))  # type: ignore[arg-type]
        done["confirmed"] += 1
    paid = (Grant.objects.filter(unit__code="KJJ", status=Grant.Status.PENDING, amount__gt=0)
            .select_related("enterprise").order_by("pk").first())
    if paid is not None:
        user = _door_user(paid.enterprise, "qiye_paid", password)
        grant_confirm_account(actor=user, grant=paid, data=_account(paid.enterprise, 2))
        grant_decide(actor=office, grant=paid, action="approve")
        grant_pay(actor=office, grant=paid, amount=paid.amount, paid_on=timezone.localdate(),
                  reference="铁财国库〔示范〕0001")
        done["paid"] += 1
    award = Policy.objects.filter(issuer__code="KJJ", current__no_application=False, status=Policy.Status.PUBLISHED).first()
    match = Match.objects.filter(policy=award).select_related("enterprise").order_by("pk").first()
    if award is not None and match is not None:
        user = _door_user(match.enterprise, "qiye_apply", password)
        app, _created = application_submit(actor=user, policy=award, statement="我单位已通过高新技术企业认定，申请认定奖励。（示范数据）",
                                           account=_account(match.enterprise, 3), now=now)
        application_decide(actor=office, application=app, action="accept")
        done["applications"] += 1
    return done
