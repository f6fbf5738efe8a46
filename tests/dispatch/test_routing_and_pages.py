"""Routing (most specific rule wins, 兜底 fallback), the dispatch pages, and the admin's taxonomy export/import."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from jingzhi.dispatch import registry
from jingzhi.dispatch.selectors import route_for
from jingzhi.dispatch.services import category_ensure_path, routing_rule_set
from jingzhi.taxonomy.models import Category
from tests import factories as f
from tests.dispatch.conftest import CLEAR
from tests.factories import CaseFactory


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_most_specific_rule_wins_and_the_county_government_is_the_fallback(city: Any) -> None:
    heating = category_ensure_path(names=["城乡建设", "供暖"])
    building = heating.parent
    assert building is not None
    county_unit = f.unit("XFZJ", "西丰县住建局", city.county_a)
    town = f.division("211223001", "西丰镇", "township", city.county_a)
    routing_rule_set(actor=None, category=building, lead_unit=city.housing, assisting=[city.env])
    # level 1, city-wide
    route = route_for(category=heating, division=town)
    assert (route.lead_unit, route.assisting_units, route.reason) == (city.housing, [city.env], "城乡建设 @ *")
    # level 1 in the county beats level 1 city-wide
    routing_rule_set(actor=None, category=building, division=city.county_a, lead_unit=county_unit)
    assert route_for(category=heating, division=town).lead_unit == county_unit
    assert route_for(category=heating, division=city.county_b).lead_unit == city.housing
    # a deeper category beats a nearer division
    routing_rule_set(actor=None, category=heating, lead_unit=city.env)
    assert route_for(category=heating, division=town).lead_unit == city.env
    # no rule for the category at all: the county government (兜底); none above a city-level division
    other = category_ensure_path(names=["教育文体"])
    fallback = route_for(category=other, division=town)
    assert fallback.lead_unit == city.county_gov and fallback.rule is None and "兜底" in fallback.reason
    assert route_for(category=other, division=city.city).lead_unit is None


def test_the_intake_fragment_shows_ranked_suggestions_and_the_route(active_model: Any, routed_city: Any) -> None:
    client = _login(routed_city.operator)
    url = reverse("dispatch:suggest")
    response = client.get(url, {"title": "工厂夜间排放废水", "content": "臭气和噪音严重影响居民", "division": "211200"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "环境保护" in html and routed_city.env.name in html and active_model.version in html
    assert html.count("<li>") == 3
    assert _login(routed_city.handler).get(url, {"title": "x"}).status_code == 403


def test_the_intake_fragment_without_a_model_says_so(routed_city: Any) -> None:
    response = _login(routed_city.operator).get(reverse("dispatch:suggest"), {"title": "路灯坏了"})
    assert response.status_code == 200
    assert "没有启用的派单模型" in response.content.decode() or "No dispatch model" in response.content.decode()


def test_the_intake_form_has_the_suggestion_panel(routed_city: Any) -> None:
    html = _login(routed_city.operator).get(reverse("web:intake")).content.decode()
    assert reverse("dispatch:suggest") in html


def test_dry_run_shows_category_route_and_why(active_model: Any, routed_city: Any) -> None:
    client = _login(routed_city.dispatcher)
    response = client.get(reverse("dispatch:dry_run"), {"text": CLEAR["城乡建设"], "division": "211223", "address": "西丰镇"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "城乡建设" in html and routed_city.housing.name in html and "城乡建设 @ *" in html
    # education has no rule: the county government, with the reason
    html = client.get(reverse("dispatch:dry_run"), {"text": CLEAR["教育文体"], "division": "211223"}).content.decode()
    assert routed_city.county_gov.name in html and "兜底" in html
    assert client.get(reverse("dispatch:dry_run"), {"text": "", "division": ""}).status_code == 400
    assert _login(routed_city.operator).get(reverse("dispatch:dry_run")).status_code == 403


def test_the_settings_page_changes_the_target_and_shows_accuracy(active_model: Any, routed_city: Any) -> None:
    CaseFactory(actor=routed_city.operator, title="工厂夜间排放废水", content="臭气和噪音严重影响居民")
    client = _login(routed_city.dispatcher)
    url = reverse("dispatch:overview")
    html = client.get(url).content.decode()
    assert active_model.version in html and 'id="dispatch-accuracy"' in html
    response = client.post(url, {"target_precision": "0.95", "auto_dispatch": "on"})
    assert response.status_code == 302
    assert registry.settings_get().target_precision == Decimal("0.950")
    response = client.post(url, {"target_precision": "0.2"})
    assert response.status_code == 400
    assert registry.settings_get().target_precision == Decimal("0.950")
    assert _login(routed_city.handler).get(url).status_code == 403


def test_the_settings_page_reports_a_broken_active_model(active_model: Any, routed_city: Any) -> None:
    registry.clear_cache()
    Path(active_model.path).write_bytes(b"broken")
    html = _login(routed_city.dispatcher).get(reverse("dispatch:overview")).content.decode()
    assert 'role="alert"' in html and active_model.version in html


def test_the_case_page_shows_the_suggestion_to_the_hotline_centre(active_model: Any, routed_city: Any) -> None:
    case = CaseFactory(actor=routed_city.operator, title="今天天气晴朗", content="今天天气晴朗")
    url = reverse("web:case_detail", args=[case.number])
    html = _login(routed_city.dispatcher).get(url).content.decode()
    assert 'id="dispatch-suggestion"' in html and active_model.version in html


def test_taxonomy_excel_export_and_import_round_trip(routed_city: Any, admin_client: Client) -> None:
    category_ensure_path(names=["城乡建设", "城市建设和市政管理", "园林绿化环卫"])
    response = admin_client.get(reverse("admin:taxonomy_category_export"))
    assert response.status_code == 200
    import openpyxl

    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("一级分类", "二级分类", "三级分类")
    assert ("城乡建设", "城市建设和市政管理", "园林绿化环卫") in rows
    assert ("环境保护", None, None) in rows
    # importing the export into an emptier tree recreates the missing paths
    Category.objects.filter(level=3).delete()
    upload = io.BytesIO(response.content)
    upload.name = "categories.xlsx"
    result = admin_client.post(reverse("admin:taxonomy_category_import"), {"file": upload})
    assert result.status_code == 302
    assert Category.objects.filter(name="园林绿化环卫", level=3, parent__name="城市建设和市政管理").exists()
    from jingzhi.core.models import AuditLog

    # Both directions are in the audit log: the export, and the import with its counts.
    assert AuditLog.objects.filter(action="export", object_type="category_tree").count() == 1
    imported = AuditLog.objects.get(action="import", object_type="category")
    assert imported.detail["file"] == "categories.xlsx" and imported.detail["created"] >= 1


def test_admin_activates_a_model_and_refuses_to_train_on_too_few_cases(active_model: Any, routed_city: Any, admin_client: Client) -> None:
    url = reverse("admin:dispatch_classifiermodel_changelist")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"action": "activate", "_selected_action": [active_model.pk]}, follow=True)
    assert response.status_code == 200
    response = admin_client.post(reverse("admin:dispatch_classifiermodel_train"), {"level": "1"}, follow=True)
    assert "Not enough" in response.content.decode() or "不足" in response.content.decode()
    assert registry.active_model() == active_model


def test_the_dispatch_queue_shows_the_suggestion_of_waiting_cases(active_model: Any, routed_city: Any) -> None:
    waiting = CaseFactory(actor=routed_city.operator, title="今天天气晴朗", content="今天天气晴朗")
    html = _login(routed_city.dispatcher).get(reverse("web:dispatch_queue")).content.decode()
    assert waiting.number in html and "dispatch-hint" in html
