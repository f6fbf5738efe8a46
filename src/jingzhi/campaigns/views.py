"""The campaign pages: board, campaign page, forms, ranking, key-project board. They parse input and call services."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.campaigns import forms as f
from jingzhi.campaigns import services as svc
from jingzhi.campaigns.models import (
    STAGE_ORDER,
    Campaign,
    Kind,
    Metric,
    Milestone,
    ProgressReport,
    Stage,
    SubItem,
)
from jingzhi.campaigns.ranking import unit_ranking
from jingzhi.campaigns.selectors import earlier_versions, linked_cases_for, reports_for, summarise
from jingzhi.campaigns.services.common import access_campaign, may_create, may_manage, reporting_units
from jingzhi.campaigns.services.subitems import sub_items_workbook
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import ApplicationError, NotFound
from jingzhi.core.http import apply_error
from jingzhi.core.replicas import reads_from_replica
from jingzhi.core.workbooks import XLSX, attach, export_filename
from jingzhi.org.models import Division


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    try:
        return access_campaign(pk=pk, actor=request.user)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None


def _today() -> date:
    return timezone.localdate()


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """All campaigns of the city the user may see: owner, progress, status with reason, trend."""
    campaigns = list(Campaign.objects.visible_to(request.user).filter(kind=Kind.CAMPAIGN)
                     .select_related("lead_official", "lead_unit"))
    summaries = summarise(campaigns, user=request.user, today=_today())
    counts: dict[str, int] = defaultdict(int)
    for s in summaries:
        counts[s.rag.value] += 1
    return render(request, "campaigns/board.html", {
        "summaries": summaries, "counts": counts, "may_create": may_create(request.user),  # type: ignore[arg-type]
    })


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    """Key projects by stage (columns) and county (rows), with investment."""
    campaigns = list(Campaign.objects.visible_to(request.user).filter(kind=Kind.KEY_PROJECT)
                     .select_related("lead_official", "lead_unit", "division"))
    summaries = summarise(campaigns, user=request.user, today=_today())
    counties: dict[str, dict[str, list[Any]]] = defaultdict(lambda: {s: [] for s in STAGE_ORDER})
    for s in summaries:
        counties[s.campaign.division.name][s.campaign.stage or Stage.SIGNED].append(s)
    rows = [(name, [cells[stage] for stage in STAGE_ORDER]) for name, cells in sorted(counties.items())]
    totals = {"total": sum((c.total_investment or 0) for c in campaigns), "invested": sum(s.invested for s in summaries)}
    return render(request, "campaigns/projects.html", {
        "rows": rows, "stages": Stage.choices, "summaries": summaries, "totals": totals,
        "may_create": may_create(request.user),  # type: ignore[arg-type]
    })


@login_required
@reads_from_replica
def ranking(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/ranking.html", {"rows": unit_ranking(user=request.user, today=_today())})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    [summary] = summarise([campaign], user=request.user, today=_today())
    sub_items = list(SubItem.objects.visible_to(request.user).filter(campaign=campaign)
                     .select_related("division", "responsible_unit"))
    metrics = list(Metric.objects.filter(campaign=campaign))
    rows = [(item, [(item.metrics or {}).get(m.key, "") for m in metrics]) for item in sub_items]
    reports = list(reports_for(campaign=campaign, user=request.user)[:20])
    earlier = earlier_versions(reports)
    for r in reports:
        r.earlier = earlier.get((r.unit_id, r.week), [])  # type: ignore[attr-defined]
    links = linked_cases_for(campaign=campaign, user=request.user)
    manage = may_manage(campaign, request.user)  # type: ignore[arg-type]
    context = {
        "c": campaign, "s": summary, "rows": rows, "metrics": metrics, "reports": reports, "links": links,
        "milestones": Milestone.objects.filter(campaign=campaign),
        "stages": _stage_rows(campaign) if campaign.kind == Kind.KEY_PROJECT else [],
        "manage": manage, "may_report": bool(reporting_units(campaign, request.user)),  # type: ignore[arg-type]
        "assisting": campaign.assisting_units.all(), "members": campaign.members.all(),
        "obstacle_form": f.ObstacleForm(sub_items=SubItem.objects.visible_to(request.user).filter(campaign=campaign)),
        "now": timezone.now(), "today": _today(),
    }
    if manage:
        context.update({
            "metric_form": f.MetricForm(), "indicator_form": f.IndicatorForm(campaign=campaign),
            "sub_item_form": f.SubItemForm(initial={"responsible_unit": campaign.lead_unit_id}),
            "milestone_form": f.MilestoneForm(), "import_form": f.ImportForm(),
            "stage_form": f.StageForm(), "investment_form": f.InvestmentForm(),
        })
    return render(request, "campaigns/detail.html", context)


def _stage_rows(campaign: Campaign) -> list[dict[str, Any]]:
    records = {r.stage: r for r in campaign.stage_records.all()}
    current = STAGE_ORDER.index(campaign.stage) if campaign.stage in STAGE_ORDER else -1
    return [{"label": label, "record": records.get(value), "reached": i <= current}
            for i, (value, label) in enumerate(Stage.choices)]


def _form_page(request: HttpRequest, *, campaign: Campaign | None) -> HttpResponse:
    initial: dict[str, Any] = {"kind": request.GET.get("kind") or Kind.CAMPAIGN,
                               "division": Division.objects.filter(parent__isnull=True).first()}
    # Pre-filled by a link (a hotspot's "propose a campaign"): only shown in the form, checked when it is sent.
    initial.update({k: request.GET[k][:2000] for k in ("title", "background", "goal") if request.GET.get(k)})
    if (request.GET.get("division") or "").isdigit():
        initial["division"] = Division.objects.filter(pk=int(request.GET["division"][:18])).first() or initial["division"]
    if campaign is not None:
        initial = {name: getattr(campaign, name) for name in (
            "kind", "title", "lead_official", "lead_unit", "division", "start", "deadline", "background", "goal",
            "investor", "total_investment", "stage")}
        initial.update({"assisting_units": campaign.assisting_units.all(), "members": campaign.members.all()})
    form = f.CampaignForm(request.POST or None, initial=initial)
    form_error = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        common = {"title": d["title"], "lead_official": d["lead_official"], "lead_unit": d["lead_unit"], "start": d["start"],
                  "deadline": d["deadline"], "background": d["background"], "goal": d["goal"],
                  "assisting_units": list(d["assisting_units"]), "members": list(d["members"]), "investor": d["investor"],
                  "total_investment": d["total_investment"]}
        try:
            if campaign is None:
                division = d["division"] or Division.objects.filter(parent__isnull=True).first()
                campaign = svc.campaign_create(actor=request.user, kind=d["kind"], division=division, stage=d["stage"],  # type: ignore[arg-type]
                                               **common)
                messages.success(request, _("Campaign created. Now add its figures, indicators and sub-items."))
            else:
                campaign = svc.campaign_update(campaign=campaign, actor=request.user, **common)  # type: ignore[arg-type]
                messages.success(request, _("Saved."))
            return redirect("campaigns:detail", pk=campaign.pk)
        except ApplicationError as e:
            form_error = apply_error(form, e)
    return render(request, "campaigns/form.html", {"form": form, "form_error": form_error, "c": campaign},
                  status=400 if request.method == "POST" else 200)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not may_create(request.user):  # type: ignore[arg-type]
        raise DjangoPermissionDenied
    return _form_page(request, campaign=None)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not may_manage(campaign, request.user):  # type: ignore[arg-type]
        raise DjangoPermissionDenied
    return _form_page(request, campaign=campaign)


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The weekly report form of a responsible unit: figures for its sub-items, progress, obstacles."""
    campaign = _campaign(request, pk)
    units = reporting_units(campaign, request.user)  # type: ignore[arg-type]
    if not units:
        raise DjangoPermissionDenied
    unit = next((u for u in units if str(u.pk) == (request.POST.get("unit") or request.GET.get("unit"))), units[0])
    items = SubItem.objects.filter(campaign=campaign).select_related("division")
    if unit.pk != campaign.lead_unit_id:
        items = items.filter(responsible_unit=unit)
    metrics = list(Metric.objects.filter(campaign=campaign))
    week = svc.week_of(_today())
    errors: dict[str, Any] = {}
    form_error = ""
    data = request.POST
    if request.method == "POST":
        try:
            week = date.fromisoformat(data.get("week", ""))
        except ValueError:
            errors["week"] = _("Choose a week.")
        figures = {item.pk: {m.key: data.get(f"f_{item.pk}_{m.key}", "") for m in metrics} for item in items}
        statuses = {item.pk: data[f"s_{item.pk}"] for item in items
                    if data.get(f"s_{item.pk}") and data[f"s_{item.pk}"] != item.status}
        if not errors:
            try:
                filed = svc.report_submit(campaign=campaign, actor=request.user, unit=unit, week=week,  # type: ignore[arg-type]
                                          narrative=data.get("narrative", ""), obstacles=data.get("obstacles", ""),
                                          figures=figures, statuses=statuses,
                                          correction_reason=data.get("correction_reason", ""))
                messages.success(request, _("Weekly report filed.") if filed.version == 1 else
                                 _("Correction filed as version %(v)s.") % {"v": filed.version})
                return redirect("campaigns:detail", pk=campaign.pk)
            except ApplicationError as e:
                errors, form_error = e.fields, str(e.message)
    rows = [{"item": item, "status": data.get(f"s_{item.pk}", item.status),
             "cells": [{"name": f"f_{item.pk}_{m.key}", "metric": m,
                        "value": data.get(f"f_{item.pk}_{m.key}", (item.metrics or {}).get(m.key, "")),
                        "error": errors.get(f"f_{item.pk}_{m.key}", "")} for m in metrics]} for item in items]
    return render(request, "campaigns/report.html", {
        "c": campaign, "unit": unit, "units": units, "rows": rows, "metrics": metrics, "week": week,
        "statuses": SubItem.Status.choices, "errors": errors, "form_error": form_error,
        "narrative": data.get("narrative", ""), "obstacles": data.get("obstacles", ""),
        "correction_reason": data.get("correction_reason", ""),
        "filed": ProgressReport.objects.filter(campaign=campaign, unit=unit, week=week, is_current=True).first(),
    }, status=400 if form_error else 200)


def _post(request: HttpRequest, pk: int, form_class: Callable[..., Any] | None,
          call: Callable[[Campaign, dict[str, Any]], str], **form_kwargs: Any) -> HttpResponse:
    """Run one small form of the campaign page; messages carry the outcome back to the page."""
    campaign = _campaign(request, pk)
    data: dict[str, Any] = {}
    if form_class is not None:
        form = form_class(request.POST, request.FILES, **({"campaign": campaign} if form_kwargs.get("with_campaign") else {}))
        if not form.is_valid():
            for field, errs in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {' '.join(errs)}" if label else " ".join(errs))
            return redirect("campaigns:detail", pk=pk)
        data = form.cleaned_data
    try:
        done = call(campaign, data)
        if done:
            messages.success(request, done)
    except ApplicationError as e:
        details = [f"{v}" for v in e.fields.values()]
        messages.error(request, " ".join([str(e.message), *details]))
    return redirect("campaigns:detail", pk=pk)


def _ok(_result: object, message: str) -> str:
    """The message to show once a service call in a lambda has returned."""
    return message


@require_POST
@login_required
def add_metric(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, f.MetricForm, lambda c, d: _ok(
        svc.metric_define(campaign=c, actor=request.user, order=c.metrics.count(), **d), _("Figure saved.")))  # type: ignore[arg-type]


@require_POST
@login_required
def add_indicator(request: HttpRequest, pk: int) -> HttpResponse:
    def call(c: Campaign, d: dict[str, Any]) -> str:
        svc.indicator_define(campaign=c, actor=request.user, name=d["name"], computation=d["computation"],  # type: ignore[arg-type]
                             numerator=d["numerator"], denominator=d["denominator"], target=d["target"],
                             unit_of_measure=d["unit_of_measure"], direction=d["direction"], baseline=d["baseline"] or 0,
                             monthly_targets=d["monthly"], is_primary=d["is_primary"], order=c.indicators.count())
        return _("Indicator saved.")
    return _post(request, pk, f.IndicatorForm, call, with_campaign=True)


@require_POST
@login_required
def add_sub_item(request: HttpRequest, pk: int) -> HttpResponse:
    def call(c: Campaign, d: dict[str, Any]) -> str:
        metrics = {m.key: request.POST.get(f"m_{m.key}", "") for m in Metric.objects.filter(campaign=c)}
        svc.sub_item_upsert(campaign=c, actor=request.user, metrics=metrics, **d)  # type: ignore[arg-type]
        return _("Sub-item saved.")
    return _post(request, pk, f.SubItemForm, call)


@require_POST
@login_required
def add_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, f.MilestoneForm, lambda c, d: _ok(
        svc.milestone_add(campaign=c, actor=request.user, **d), _("Milestone added.")))  # type: ignore[arg-type]


@require_POST
@login_required
def milestone_done(request: HttpRequest, pk: int, milestone: int) -> HttpResponse:
    def call(c: Campaign, d: dict[str, Any]) -> str:
        m = Milestone.objects.filter(campaign=c, pk=milestone).first()
        if m is None:
            raise NotFound(_("Milestone not found."))
        svc.milestone_complete(milestone=m, actor=request.user)  # type: ignore[arg-type]
        return _("Milestone reached.")
    return _post(request, pk, None, call)


@require_POST
@login_required
def set_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, None, lambda c, d: _ok(
        svc.campaign_set_status(campaign=c, actor=request.user, status=request.POST.get("status", "")), _("Saved.")))  # type: ignore[arg-type]


@require_POST
@login_required
def raise_obstacle(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = f.ObstacleForm(request.POST, sub_items=SubItem.objects.visible_to(request.user).filter(campaign=campaign))

    def call(c: Campaign, d: dict[str, Any]) -> str:
        if not form.is_valid():
            raise ApplicationError(_("Please correct the marked fields."),
                                   fields={k: " ".join(str(e) for e in v) for k, v in form.errors.items()})
        link, _created = svc.obstacle_raise(campaign=c, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        return _("Obstacle raised as case %(number)s; it follows the normal case lifecycle.") % {"number": link.case.number}
    return _post(request, pk, None, call)


@require_POST
@login_required
def set_stage(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, f.StageForm, lambda c, d: _ok(
        svc.project_stage_set(campaign=c, actor=request.user, **d), _("Stage saved.")))  # type: ignore[arg-type]


@require_POST
@login_required
def set_investment(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, f.InvestmentForm, lambda c, d: _ok(
        svc.project_investment_set(campaign=c, actor=request.user, **d), _("Investment saved.")))  # type: ignore[arg-type]


@login_required
def import_sub_items(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not may_manage(campaign, request.user):  # type: ignore[arg-type]
        raise DjangoPermissionDenied
    form = f.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = svc.sub_items_import(campaign=campaign, actor=request.user, rows_file=form.cleaned_data["file"])  # type: ignore[arg-type]
        except ApplicationError as e:
            messages.error(request, str(e.message))
        if result is not None and result.ok:
            messages.success(request, _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.") % {
                "created": result.created, "updated": result.updated, "unchanged": result.unchanged})
            return redirect("campaigns:detail", pk=pk)
    return render(request, "campaigns/import.html", {"c": campaign, "form": form, "result": result},
                  status=400 if result is not None and not result.ok else 200)


def _scope_name(user: Any) -> str:
    """Whose sub-items the file holds: the user's unit or division; nothing for the city-wide roles."""
    if getattr(user, "unit_id", None):
        return str(user.unit.short_name or user.unit.name)
    return str(user.division.name) if getattr(user, "division_id", None) else ""


@login_required
def export_sub_items(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    items = list(SubItem.objects.visible_to(request.user).filter(campaign=campaign)
                 .select_related("division", "responsible_unit"))
    response = HttpResponse(sub_items_workbook(campaign=campaign, items=items), content_type=XLSX)
    filename = export_filename(f"{campaign.title}-{_('Sub-items')}", _scope_name(request.user), timezone.localdate())
    attach(response, filename)
    audit_record(actor=request.user, action="export", object_type="campaign_sub_items", object_id=campaign.pk,
                 request=request, detail={"file": filename, "rows": len(items)})
    return response

