"""Every admin page that writes goes through a service that takes the signed-in user as the actor: as an
administrator the row changes and the audit log says who changed what (before → after); as a staff user who is
not an administrator (even one holding every Django model permission) nothing changes and nothing is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from jingzhi.api.models import ApiKey
from jingzhi.api.services import apikey_create
from jingzhi.cases.models import SlaRule
from jingzhi.cases.services.policy import sla_rule_set
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.core.models import AuditLog, CalendarDay, SlaPolicy
from jingzhi.dispatch.models import Category, DispatchSettings, RoutingRule
from jingzhi.dispatch.services import category_save, routing_rule_set
from jingzhi.metrics.engine import policy as metric_policy
from jingzhi.metrics.models import MetricPolicy
from jingzhi.metrics.services import metric_policy_set
from jingzhi.org.models import Division, Enterprise, Responsibility, Role, Unit, User
from jingzhi.org.services import responsibility_assign, user_save

pytestmark = pytest.mark.django_db



def _url(model: type, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, city):
    client.force_login(city.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def staff_client(client, city):
    """A supervisor made staff and given every model permission: the admin lets them in, the services do not."""
    user = city.supervisor
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    client.force_login(User.objects.get(pk=user.pk))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _category(name: str = "城乡建设") -> Category:
    return category_save(actor=None, category=None, name=name, parent=None, is_public=True)


def _credit_code() -> str:
    """A valid 统一社会信用代码 (GB 32100 check character computed, not hard-coded)."""
    from jingzhi.core.validators import validate_credit_code

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = "91211200MA0TEXT00"
    check = (31 - sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True)) % 31) % 31
    code = body + alphabet[check]
    validate_credit_code(code)
    return code


@dataclass
class Page:
    """One admin write: the URL and form to post, how to read the row back, and the audit action expected."""

    name: str
    setup: Callable[[Any], Any]  # city → context (e.g. the row to change)
    url: Callable[[Any, Any], str]  # (city, ctx) → URL
    data: Callable[[Any, Any], dict[str, Any]]
    changed: Callable[[Any, Any], bool]  # (city, ctx) → did the row change as posted?
    action: str


def _none(city: Any) -> None:
    return None


PAGES = [
    Page("sla policy", lambda c: SlaPolicy.objects.get_or_create()[0],
         lambda c, p: _url(SlaPolicy, "change", p.pk),
         lambda c, p: {"workday_start": "09:00", "workday_end": "17:00", "warn_ratio": "0.7",
                       "flag_after_working_days": "4", "extension_max_working_days": "10", "extensions_allowed": "1"},
         lambda c, p: SlaPolicy.objects.get(pk=p.pk).warn_ratio == 0.7, "sla_policy_update"),
    Page("sla rule add", _none, lambda c, x: _url(SlaRule, "add"),
         lambda c, x: {"clock": "reply", "kind": "praise", "priority": "", "amount": "3", "time_unit": "working_days"},
         lambda c, x: SlaRule.objects.filter(clock="reply", kind="praise", priority="").exists(), "sla_rule_create"),
    Page("sla rule change",
         lambda c: sla_rule_set(actor=None, rule=None, clock="reply", kind="praise", priority="", amount=Decimal(3),
                                time_unit="working_days"),
         lambda c, r: _url(SlaRule, "change", r.pk),
         lambda c, r: {"clock": "reply", "kind": "praise", "priority": "", "amount": "5", "time_unit": "working_days"},
         lambda c, r: SlaRule.objects.get(pk=r.pk).amount == Decimal(5), "sla_rule_update"),
    Page("sla rule delete",
         lambda c: sla_rule_set(actor=None, rule=None, clock="reply", kind="praise", priority="", amount=Decimal(3),
                                time_unit="working_days"),
         lambda c, r: _url(SlaRule, "delete", r.pk), lambda c, r: {"post": "yes"},
         lambda c, r: not SlaRule.objects.filter(pk=r.pk).exists(), "sla_rule_delete"),
    Page("metric policy", lambda c: metric_policy(), lambda c, p: _url(MetricPolicy, "change", p.pk),
         lambda c, p: {"response_weight": "0.2", "resolution_weight": "0.3", "satisfaction_weight": "0.5",
                       "partly_resolved_credit": "0.5", "basically_satisfied_credit": "0.9", "min_volume": "10"},
         lambda c, p: MetricPolicy.objects.get(pk=p.pk).response_weight == Decimal("0.2"), "metric_policy_update"),
    Page("routing rule add", lambda c: _category(), lambda c, cat: _url(RoutingRule, "add"),
         lambda c, cat: {"category": cat.pk, "division": "", "lead_unit": c.housing.pk, "assisting_units": [c.env.pk]},
         lambda c, cat: RoutingRule.objects.filter(category=cat, lead_unit=c.housing).exists(), "routing_rule_create"),
    Page("routing rule change",
         lambda c: routing_rule_set(actor=None, category=_category(), lead_unit=c.housing),
         lambda c, r: _url(RoutingRule, "change", r.pk),
         lambda c, r: {"category": r.category_id, "division": "", "lead_unit": c.env.pk, "assisting_units": []},
         lambda c, r: RoutingRule.objects.get(pk=r.pk).lead_unit_id == c.env.pk, "routing_rule_update"),
    Page("routing rule delete",
         lambda c: routing_rule_set(actor=None, category=_category(), lead_unit=c.housing),
         lambda c, r: _url(RoutingRule, "delete", r.pk), lambda c, r: {"post": "yes"},
         lambda c, r: not RoutingRule.objects.filter(pk=r.pk).exists(), "routing_rule_delete"),
    Page("category add", _none, lambda c, x: _url(Category, "add"),
         lambda c, x: {"name": "新类别", "parent": "", "is_public": "on"},
         lambda c, x: Category.objects.filter(name="新类别", level=1).exists(), "category_create"),
    Page("responsibility add", _none, lambda c, x: _url(Responsibility, "add"),
         lambda c, x: {"official": c.leader.pk, "target_type": "division", "division": c.county_a.pk, "enterprise": "",
                       "site_name": "", "note": "", "is_active": "on"},
         lambda c, x: Responsibility.objects.filter(official=c.leader, division=c.county_a).exists(),
         "responsibility_assign"),
    Page("responsibility end",
         lambda c: responsibility_assign(actor=None, official=c.leader, division=c.county_a),
         lambda c, r: _url(Responsibility, "change", r.pk),
         lambda c, r: {"official": c.leader.pk, "target_type": "division", "division": c.county_a.pk, "enterprise": "",
                       "site_name": "", "note": "", "is_active": ""},
         lambda c, r: not Responsibility.objects.get(pk=r.pk).is_active, "responsibility_update"),
    Page("division add", _none, lambda c, x: _url(Division, "add"),
         lambda c, x: {"code": "211202", "name": "银州区", "level": "county", "parent": c.city.pk},
         lambda c, x: Division.objects.filter(code="211202").exists(), "division_create"),
    Page("unit add", _none, lambda c, x: _url(Unit, "add"),
         lambda c, x: {"code": "GAJ", "name": "市公安局", "short_name": "", "kind": "department", "division": c.city.pk,
                       "parent": "", "is_active": "on"},
         lambda c, x: Unit.objects.filter(code="GAJ").exists(), "unit_create"),
    Page("user add", _none, lambda c, x: _url(User, "add"),
         lambda c, x: {"username": "newbie", "display_name": "新人", "role": Role.HANDLER, "unit": c.housing.pk,
                       "division": "", "phone": "", "is_active": "on", "new_password": "Long-enough-9"},
         lambda c, x: User.objects.filter(username="newbie").exists(), "user_create"),
    Page("user made admin", _none, lambda c, x: _url(User, "change", c.handler.pk),
         lambda c, x: {"display_name": "承办人", "role": Role.ADMIN, "unit": c.housing.pk, "division": "", "phone": "",
                       "is_active": "on", "new_password": ""},
         lambda c, x: User.objects.get(pk=c.handler.pk).is_superuser, "user_update"),
    Page("enterprise add", _none, lambda c, x: _url(Enterprise, "add"),
         lambda c, x: {"name": "铁岭某公司", "credit_code": _credit_code(), "division": c.city.pk, "description": ""},
         lambda c, x: Enterprise.objects.filter(name="铁岭某公司").exists(), "enterprise_create"),
    Page("calendar day", _none, lambda c, x: _url(CalendarDay, "add"),
         lambda c, x: {"date": "2031-10-08", "is_workday": "", "note": "国庆节"},
         lambda c, x: CalendarDay.objects.filter(date="2031-10-08").exists(), "calendar_day_set"),
    Page("api key add", _none, lambda c, x: _url(ApiKey, "add"),
         lambda c, x: {"name": "wechat", "for_user": "", "role": "operator", "division": "", "unit": ""},
         lambda c, x: ApiKey.objects.filter(name="wechat").exists(), "apikey_create"),
    Page("api key revoke",
         lambda c: apikey_create(name="wechat", actor=None, role="operator")[0],
         lambda c, k: _url(ApiKey, "changelist"),
         lambda c, k: {"action": "revoke", "_selected_action": [k.pk]},
         lambda c, k: ApiKey.objects.get(pk=k.pk).revoked_at is not None, "apikey_revoke"),
    Page("dispatch settings",
         lambda c: DispatchSettings.objects.get_or_create()[0],
         lambda c, s: _url(DispatchSettings, "change", s.pk),
         lambda c, s: {"target_precision": "0.95", "auto_dispatch": "on"},
         lambda c, s: DispatchSettings.objects.get(pk=s.pk).target_precision == Decimal("0.95"), "dispatch_settings_update"),
]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_an_administrator_changes_the_row_and_the_audit_log_says_so(admin_client, city, page):
    ctx = page.setup(city)
    logged = AuditLog.objects.filter(action=page.action).count()
    response = admin_client.post(page.url(city, ctx), page.data(city, ctx))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert page.changed(city, ctx)
    entry = AuditLog.objects.filter(action=page.action).order_by("-pk").first()
    assert AuditLog.objects.filter(action=page.action).count() == logged + 1
    assert entry is not None and entry.actor_id == city.admin.pk


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_a_staff_user_who_is_not_an_administrator_is_refused(staff_client, city, page):
    if page.name == "dispatch settings":
        pytest.skip("dispatchers may change the dispatch settings; a supervisor may not (checked below)")
    ctx = page.setup(city)
    logged = AuditLog.objects.count()
    response = staff_client.post(page.url(city, ctx), page.data(city, ctx))
    assert response.status_code in (200, 302, 403)
    if response.status_code == 200:  # the form came back with the service's refusal
        assert "Only administrators" in response.content.decode()
    elif response.status_code == 302:  # an admin action: refused in a message on the list
        assert "Only administrators" in staff_client.get(response["Location"]).content.decode()
    assert not page.changed(city, ctx)
    assert AuditLog.objects.count() == logged


def test_a_supervisor_cannot_change_the_dispatch_settings(staff_client, city):
    row = DispatchSettings.objects.get_or_create()[0]
    response = staff_client.post(_url(DispatchSettings, "change", row.pk), {"target_precision": "0.95", "auto_dispatch": "on"})
    assert response.status_code == 200 and "Only administrators and dispatchers" in response.content.decode()
    assert DispatchSettings.objects.get(pk=row.pk).target_precision == row.target_precision != Decimal("0.95")


def test_the_audit_row_keeps_before_and_after_of_a_role_change(admin_client, city):
    admin_client.post(_url(User, "change", city.handler.pk), {
        "display_name": "承办人", "role": Role.ADMIN, "unit": city.housing.pk, "division": "", "phone": "",
        "is_active": "on", "new_password": ""})
    entry = AuditLog.objects.get(action="user_update", object_id="handler")
    assert entry.detail["changes"]["role"] == {"before": "handler", "after": "admin"}
    assert entry.detail["changes"]["is_superuser"] == {"before": False, "after": True}
    assert "password_set" not in entry.detail


def test_a_password_set_by_an_administrator_is_audited_without_the_password(admin_client, city):
    admin_client.post(_url(User, "change", city.handler.pk), {
        "display_name": "承办人", "role": Role.HANDLER, "unit": city.housing.pk, "division": "", "phone": "",
        "is_active": "on", "new_password": "Another-long-9"})
    entry = AuditLog.objects.get(action="user_update", object_id="handler")
    assert entry.detail["password_set"] is True
    assert "Another-long-9" not in str(entry.detail)
    assert User.objects.get(pk=city.handler.pk).check_password("Another-long-9")


def test_saving_a_user_unchanged_writes_no_audit_row(city):
    before = AuditLog.objects.count()
    user_save(actor=city.admin, username="handler", role=Role.HANDLER, display_name=city.handler.display_name,
              unit=city.housing)
    assert AuditLog.objects.count() == before


def test_no_admin_page_writes_around_a_service(rf, city):
    """Every registered admin either cannot write, or saves and deletes through overridden methods (services)."""
    from django.contrib import admin
    from django.contrib.admin import ModelAdmin

    request = rf.get("/admin/")
    request.user = city.admin
    writing = []
    for model, model_admin in admin.site._registry.items():
        kind = type(model_admin)
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
            writing.append(model._meta.label)
            assert kind.save_model is not ModelAdmin.save_model, model
            m2m_in_form = model_admin.get_form(request).base_fields.keys() & {f.name for f in model._meta.many_to_many}
            if m2m_in_form:  # the form's own save_m2m would write these rows around the service
                assert kind.save_related is not ModelAdmin.save_related, model
        if model_admin.has_delete_permission(request):
            writing.append(model._meta.label)
            assert kind.delete_model is not ModelAdmin.delete_model, model
            assert kind.delete_queryset is not ModelAdmin.delete_queryset, model
    assert "auth.Group" not in writing and "cases.SlaRule" in writing and "dispatch.RoutingRule" in writing


# ------------------------------------------------------------------------------------------- weights rule


def test_the_weights_rule_lives_in_the_service(city):
    with pytest.raises(ValidationFailed) as e:
        metric_policy_set(actor=city.admin, response_weight=Decimal("0.5"), resolution_weight=Decimal("0.5"),
                          satisfaction_weight=Decimal("0.4"), partly_resolved_credit=Decimal("0.5"),
                          basically_satisfied_credit=Decimal("0.9"), min_volume=10)
    assert "add up to 1" in str(e.value.message)
    with pytest.raises(ValidationFailed, match="negative"):
        metric_policy_set(actor=city.admin, response_weight=Decimal("-0.1"), resolution_weight=Decimal("0.7"),
                          satisfaction_weight=Decimal("0.4"), partly_resolved_credit=Decimal("0.5"),
                          basically_satisfied_credit=Decimal("0.9"), min_volume=10)
    with pytest.raises(PermissionDenied):
        metric_policy_set(actor=city.supervisor, response_weight=Decimal("0.2"), resolution_weight=Decimal("0.3"),
                          satisfaction_weight=Decimal("0.5"), partly_resolved_credit=Decimal("0.5"),
                          basically_satisfied_credit=Decimal("0.9"), min_volume=10)
    assert metric_policy().response_weight == Decimal("0.1")  # nothing changed
    assert not AuditLog.objects.filter(action="metric_policy_update").exists()


def test_the_admin_form_shows_the_services_weights_error_in_chinese(client, city):
    client.force_login(city.admin)
    row = metric_policy()
    response = client.post(_url(MetricPolicy, "change", row.pk), {
        "response_weight": "0.5", "resolution_weight": "0.5", "satisfaction_weight": "0.4",
        "partly_resolved_credit": "0.5", "basically_satisfied_credit": "0.9", "min_volume": "10",
    }, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "三项权重之和必须为 1" in response.content.decode()
    assert MetricPolicy.objects.get(pk=row.pk).response_weight == Decimal("0.1")


def test_a_second_rule_for_the_same_clock_kind_and_priority_is_refused(city):
    sla_rule_set(actor=None, rule=None, clock="reply", kind="praise", priority="", amount=Decimal(3), time_unit="working_days")
    with pytest.raises(ValidationFailed):
        sla_rule_set(actor=city.admin, rule=None, clock="reply", kind="praise", priority="", amount=Decimal(4),
                     time_unit="working_days")
    with pytest.raises(ValidationFailed) as e:
        sla_rule_set(actor=city.admin, rule=None, clock="reply", kind="help", priority="", amount=Decimal("2.5"),
                     time_unit="working_days")
    assert "amount" in e.value.fields


def test_the_systems_own_writes_are_not_audited_but_an_import_by_an_administrator_is(city):
    from jingzhi.org.imports import import_units
    from jingzhi.org.services import unit_upsert
    from tests.org.files import xlsx

    unit_upsert(actor=None, code="NEW", name="新单位", division=city.city)  # the demo loader, fixtures
    assert not AuditLog.objects.filter(object_id="NEW").exists()
    upload = xlsx([["单位代码", "单位名称", "类型", "区划代码"], ["GAJ", "市公安局", "部门", "211200"]], "units.xlsx")
    result = import_units(rows_file=upload, actor=city.admin)
    assert result.ok, result.errors
    entry = AuditLog.objects.get(action="unit_create", object_id="GAJ")
    assert entry.actor == city.admin and entry.detail["changes"]["name"] == {"before": None, "after": "市公安局"}
