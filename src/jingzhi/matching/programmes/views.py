"""Programme pages: the catalogue and its form, a programme's counties (qualify / nearly / why not), a county's page of
programmes and its figures form, application efforts, and the leaders' coverage of programmes × counties.
Views parse input and call one service; what a user sees is decided in access.py."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.core.errors import ApplicationError
from jingzhi.core.http import apply_error
from jingzhi.matching.forms import condition_rows, conditions_from_post
from jingzhi.matching.programmes import access
from jingzhi.matching.programmes.efforts import (
    OPEN_STAGES,
    effort_open,
    effort_record,
    overdue,
    suggested_official,
)
from jingzhi.matching.programmes.facts import FLAGS, NUMBERS, division_facts, source_label
from jingzhi.matching.programmes.forms import (
    EffortOpenForm,
    EffortStepForm,
    FiguresForm,
    ProgrammeForm,
    condition_choices,
)
from jingzhi.matching.programmes.matching import evaluate_division, match_trace
from jingzhi.matching.programmes.models import DivisionFigures, DivisionMatch, Effort, Programme
from jingzhi.matching.programmes.services import (
    CONTENT,
    programme_create,
    programme_publish,
    programme_revise,
    programme_withdraw,
)
from jingzhi.matching.rules import DIVISION_FIELDS, describe
from jingzhi.org.access import is_admin
from jingzhi.org.http import role_required
from jingzhi.org.models import Division, User

VIEW = tuple(access.VIEW_ROLES)


def _rows(trace: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "text": describe(row, fields=DIVISION_FIELDS), "source_text": source_label(row["source"])}
            for row in trace]


def _programme_for(request: HttpRequest, pk: int) -> Programme:
    p = access.programmes_visible_to(request.user).select_related("current", "office").filter(pk=pk).first()
    if p is None:
        raise Http404
    return p


def _division_for(request: HttpRequest, pk: int) -> Division:
    d = access.divisions_visible_to(request.user).filter(pk=pk).first()
    if d is None:
        raise Http404
    return d


@role_required(*VIEW)
def programme_list(request: HttpRequest) -> HttpResponse:
    seen = access.divisions_visible_to(request.user)
    programmes = list(access.programmes_visible_to(request.user).select_related("current", "office"))
    counts: dict[int, dict[str, int]] = {}
    for pid, outcome in DivisionMatch.objects.filter(programme__in=[p.pk for p in programmes],
                                                     division__in=seen.values("pk")).values_list("programme_id", "outcome"):
        counts.setdefault(pid, {}).setdefault(outcome, 0)
        counts[pid][outcome] += 1
    rows = [{"p": p, "qualified": counts.get(p.pk, {}).get("qualified", 0), "near": counts.get(p.pk, {}).get("near", 0)}
            for p in programmes]
    return render(request, "matching/programmes/list.html", {
        "rows": rows, "may_create": access.is_programme_office(request.user), "divisions": seen})


@role_required(*access.OFFICE_ROLES)
def programme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    programme = _programme_for(request, pk) if pk is not None else None
    if (programme is not None and not access.keeps(request.user, programme)) or not access.is_programme_office(request.user):
        raise Http404  # not a programme office, or not this programme's: the form does not exist for it
    initial: dict[str, Any] = {"token": secrets.token_hex(8)}
    conditions: list[dict[str, Any]] = []
    if programme is not None and programme.current is not None:
        v = programme.current
        initial.update({k: getattr(v, k) for k in CONTENT if k != "conditions"})
        for k in ("window_opens", "window_closes"):
            initial[k] = initial[k].isoformat() if initial[k] else ""
        conditions = v.conditions
    form = ProgrammeForm(request.POST or None, initial=initial)
    condition_error = ""
    if request.method == "POST":
        conditions = conditions_from_post(request.POST)
        if form.is_valid():
            content = {k: form.cleaned_data.get(k) for k in CONTENT if k != "conditions"}
            content["conditions"] = conditions
            try:
                if programme is None:
                    token = form.cleaned_data.get("token") or ""
                    office = form.cleaned_data.get("office") if is_admin(request.user) else request.user.unit  # type: ignore[union-attr]
                    programme, _created = programme_create(
                        actor=request.user, office=office, content=content,  # type: ignore[arg-type]
                        idempotency_key=f"programme-form:{request.user.pk}:{token}" if token else None)
                else:
                    programme_revise(actor=request.user, programme=programme, content=content)  # type: ignore[arg-type]
            except ApplicationError as e:
                condition_error = str(e.fields.get("conditions", ""))
                form.add_error(None, apply_error(form, e))
            else:
                messages.success(request, _("Saved."))
                return redirect("programmes:detail", pk=programme.pk)
    return render(request, "matching/programmes/form.html", {
        "form": form, "programme": programme, "rows": condition_rows(conditions), "condition_error": condition_error,
        "choices": condition_choices(), "pick_office": is_admin(request.user) and programme is None})


@role_required(*VIEW)
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_for(request, pk)
    v = programme.current
    seen = access.divisions_visible_to(request.user)
    matches = {m.division_id: m for m in DivisionMatch.objects.filter(programme=programme, division__in=seen.values("pk"))
               .select_related("version")}
    facts = division_facts(list(seen.values_list("pk", flat=True))) if v is not None else {}
    rows: list[dict[str, Any]] = []
    for d in seen.order_by("code"):
        m = matches.get(d.pk)
        # The standing decision where there is one; a draft is evaluated live (nothing is stored for it).
        r = match_trace(m) if m is not None else evaluate_division(list(v.conditions), facts[d.pk]) if v else None
        if r is None:
            continue
        rows.append({"division": d, "outcome": r.outcome, "trace": _rows(r.trace), "missing": r.missing,
                     "stored": m is not None, "version": m.version.number if m else v.number})  # type: ignore[union-attr]
    order = {"qualified": 0, "near": 1, "not": 2}
    rows.sort(key=lambda x: (order[x["outcome"]], x["division"].code))
    efforts = access.efforts_visible_to(request.user).filter(programme=programme).select_related("division", "official")
    return render(request, "matching/programmes/detail.html", {
        "programme": programme, "v": v, "rows": rows, "keeps": access.keeps(request.user, programme),
        "conditions": [describe(c, fields=DIVISION_FIELDS) for c in (v.conditions if v else [])],
        "versions": programme.versions.all(), "efforts": efforts, "events": programme.events.select_related("actor")[:50],
        "may_open": {d.pk for d in seen if access.may_open_effort(request.user, d)},
        "open_pairs": set(efforts.filter(stage__in=OPEN_STAGES).values_list("division_id", flat=True)),
        "today": timezone.localdate()})


@require_POST
@role_required(*access.OFFICE_ROLES)
def programme_state(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    programme = _programme_for(request, pk)
    try:
        if action == "publish":
            programme_publish(actor=request.user, programme=programme)  # type: ignore[arg-type]
            messages.success(request, _("Published; the counties are matched in the background."))
        else:
            programme_withdraw(actor=request.user, programme=programme, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]
            messages.success(request, _("Withdrawn."))
    except ApplicationError as e:
        messages.error(request, str(e))
    return redirect("programmes:detail", pk=pk)


@role_required(*VIEW)
def division_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A county's programmes: qualifies, nearly (what is missing, by how much), why not; its figures by year."""
    division = _division_for(request, pk)
    rows: list[dict[str, Any]] = []
    for m in (access.matches_visible_to(request.user).filter(division=division)
              .select_related("programme__current", "version")):
        r = match_trace(m)
        rows.append({"p": m.programme, "v": m.version, "outcome": r.outcome, "trace": _rows(r.trace), "missing": r.missing})
    order = {"qualified": 0, "near": 1, "not": 2}
    rows.sort(key=lambda x: (order[x["outcome"]], x["p"].pk))
    efforts = access.efforts_visible_to(request.user).filter(division=division).select_related("programme__current", "official")
    figures = DivisionFigures.objects.filter(division=division).select_related("entered_by")[:10]
    return render(request, "matching/programmes/division.html", {
        "division": division, "rows": rows, "efforts": efforts, "figures": figures, "numbers": NUMBERS, "flags": FLAGS,
        "labels": {k: DIVISION_FIELDS[k].label for k in (*NUMBERS, *FLAGS)},
        "may_enter": access.may_enter_figures(request.user, division), "today": timezone.localdate()})


@role_required(*access.OFFICE_ROLES)
def figures_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from jingzhi.matching.programmes.services import figures_set

    division = _division_for(request, pk)
    if not access.may_enter_figures(request.user, division):
        raise Http404
    latest = DivisionFigures.objects.filter(division=division).first()
    values: dict[str, Any] = {k: getattr(latest, k) for k in (*NUMBERS, *FLAGS)} if latest else {}
    form = FiguresForm(request.POST or None, initial={"year": latest.year if latest else timezone.localdate().year - 1,
                                                      "source": latest.source if latest else ""})
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in NUMBERS} | {k: request.POST.get(k) for k in FLAGS}
        if form.is_valid():
            try:
                figures_set(actor=request.user, division=division, year=form.cleaned_data["year"], values=values,  # type: ignore[arg-type]
                            source=form.cleaned_data["source"])
            except ApplicationError as e:
                errors = {k: str(v) for k, v in e.fields.items()}
                form.add_error(None, str(e))
                for k in ("year", "source"):
                    if k in errors:
                        form.add_error(k, errors[k])
            else:
                messages.success(request, _("Figures saved; the division is re-matched in the background."))
                return redirect("programmes:division", pk=division.pk)
    fields = [{"name": k, "label": DIVISION_FIELDS[k].label, "unit": DIVISION_FIELDS[k].unit, "flag": k in FLAGS,
               "value": "" if values.get(k) is None else values.get(k), "error": errors.get(k, "")} for k in (*NUMBERS, *FLAGS)]
    return render(request, "matching/programmes/figures.html", {"division": division, "form": form, "fields": fields})


@role_required(*access.OFFICE_ROLES)
def figures_import(request: HttpRequest) -> HttpResponse:
    """County figures from Excel or CSV (a programme office): the whole file checked first, every bad row listed."""
    from jingzhi.enterprises.forms import ImportForm
    from jingzhi.matching.programmes.imports import import_division_figures

    if not access.is_programme_office(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_division_figures(rows_file=form.cleaned_data["file"], actor=request.user)  # type: ignore[arg-type]
    return render(request, "matching/programmes/import.html", {"form": form, "result": result})


@role_required(*access.OFFICE_ROLES)
def figures_template(request: HttpRequest) -> HttpResponse:
    from jingzhi.core.spreadsheets import template_workbook
    from jingzhi.matching.programmes.imports import COLUMNS

    if not access.is_programme_office(request.user):
        raise Http404
    response = HttpResponse(template_workbook(COLUMNS, title=_("Division figures")),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="division-figures-template.xlsx"'
    return response


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


@role_required(*VIEW)
def effort_new(request: HttpRequest, pk: int, division_pk: int) -> HttpResponse:
    programme = _programme_for(request, pk)
    division = _division_for(request, division_pk)
    if not access.may_open_effort(request.user, division):
        raise Http404
    suggested = suggested_official(division)
    form = EffortOpenForm(request.POST or None, initial={"token": secrets.token_hex(8),
                                                        "official": suggested.username if suggested else ""})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        official = User.objects.filter(username=d["official"].strip(), is_active=True).first() if d["official"] else None
        try:
            effort, _created = effort_open(actor=request.user, programme=programme, division=division, official=official,  # type: ignore[arg-type]
                                           deadline=_parse_date(d["deadline"] or ""),
                                           idempotency_key=f"effort-form:{request.user.pk}:{d['token']}" if d["token"] else None)
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
        else:
            messages.success(request, _("Application opened."))
            return redirect("programmes:effort", pk=effort.pk)
    return render(request, "matching/programmes/effort_new.html", {
        "programme": programme, "division": division, "form": form, "suggested": suggested})


@role_required(*VIEW)
def effort_list(request: HttpRequest) -> HttpResponse:
    qs = access.efforts_visible_to(request.user).select_related("programme__current", "division", "official")
    late = overdue(qs)
    return render(request, "matching/programmes/efforts.html", {
        "late": late, "open": qs.filter(stage__in=OPEN_STAGES).exclude(pk__in=late.values("pk")),
        "closed": qs.exclude(stage__in=OPEN_STAGES)[:100]})


@role_required(*VIEW)
def effort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    effort = (access.efforts_visible_to(request.user).select_related("programme__current", "division", "official", "version")
              .filter(pk=pk).first())
    if effort is None:
        raise Http404
    form = EffortStepForm(request.POST or None)
    may = access.may_record(request.user, effort) and effort.stage in OPEN_STAGES
    if request.method == "POST":
        if not may:
            raise Http404
        if form.is_valid():
            try:
                effort_record(actor=request.user, effort=effort, stage=form.cleaned_data["stage"],  # type: ignore[arg-type]
                              note=form.cleaned_data["note"], amount=form.cleaned_data["amount"])
            except ApplicationError as e:
                form.add_error(None, apply_error(form, e))
            else:
                messages.success(request, _("Step recorded."))
                return redirect("programmes:effort", pk=pk)
    m = DivisionMatch.objects.filter(programme=effort.programme, division=effort.division).select_related("version").first()
    return render(request, "matching/programmes/effort.html", {
        "e": effort, "form": form, "may": may, "events": effort.events.select_related("actor"),
        "overdue": effort.stage in OPEN_STAGES and effort.deadline < timezone.localdate(),
        "trace": _rows(match_trace(m).trace) if m else [], "match": m})


@role_required(*VIEW)
def coverage(request: HttpRequest) -> HttpResponse:
    """Programmes × counties: the outcome of each pair, the efforts open and won; overdue efforts first."""
    seen = list(access.divisions_visible_to(request.user).order_by("code"))
    programmes = list(access.programmes_visible_to(request.user).filter(status=Programme.Status.PUBLISHED)
                      .select_related("current"))
    outcome = {(m.programme_id, m.division_id): m.outcome for m in DivisionMatch.objects.filter(
        programme__in=[p.pk for p in programmes], division__in=[d.pk for d in seen]).only("programme_id", "division_id", "outcome")}
    efforts = access.efforts_visible_to(request.user).filter(programme__in=[p.pk for p in programmes])
    stage = {(e.programme_id, e.division_id): e for e in efforts.order_by("opened_at")}
    grid = [{"p": p, "cells": [{"division": d, "outcome": outcome.get((p.pk, d.pk), ""),
                                "effort": stage.get((p.pk, d.pk))} for d in seen]} for p in programmes]
    won = efforts.filter(stage=Effort.Stage.WON)
    return render(request, "matching/programmes/coverage.html", {
        "divisions": seen, "grid": grid, "late": overdue(efforts).select_related("division", "official", "programme__current"),
        "won": won.count(), "won_amount": sum((e.amount or 0) for e in won), "today": timezone.localdate()})
