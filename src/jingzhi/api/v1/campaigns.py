"""Campaigns (攻坚) and key projects over REST: read what the campaign pages show, write through the same services.

Scoping is the pages' own: `access_campaign` answers 404 for a campaign outside your scope, sub-items are
`SubItem.objects.visible_to(user)`, indicator values are computed over the sub-items you may see (a county sees
its own figures), and linked cases follow the case visibility rule.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhi.api.v1 import campaign_serializers as s
from jingzhi.api.v1.base import ApiView, idempotency_key
from jingzhi.api.v1.lookups import division_by_code, unit_by_code, units_by_code, user_by_username
from jingzhi.campaigns import services as svc
from jingzhi.campaigns.models import (
    Campaign,
    CampaignStatus,
    Indicator,
    Kind,
    Metric,
    Milestone,
    SubItem,
)
from jingzhi.campaigns.selectors import CampaignSummary, linked_cases_for, reports_for, summarise
from jingzhi.campaigns.services.common import access_campaign, reporting_units
from jingzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from jingzhi.org.models import Division, User

TAGS = ["campaigns"]
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")
_ID = re.compile(r"^[1-9]\d{0,9}$")


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _today() -> date:
    return timezone.localdate()


def _summary(campaign: Campaign, user: User) -> CampaignSummary:
    [summary] = summarise([campaign], user=user, today=_today())
    return summary


def _detail(pk: int, user: User) -> dict[str, Any]:
    campaign = access_campaign(pk=pk, actor=user)
    return s.CampaignDetailSerializer(_summary(campaign, user)).data  # type: ignore[return-value]


def _metric(campaign: Campaign, key: str | None, field: str) -> Metric | None:
    if not key:
        return None
    metric = Metric.objects.filter(campaign=campaign, key=key).first()
    if metric is None:
        msg = _("The campaign has no figure “%(key)s”.") % {"key": key[:40]}
        raise ValidationFailed(msg, fields={field: msg})
    return metric


def _months(raw: dict[str, Any]) -> dict[date, Any]:
    plan: dict[date, Any] = {}
    for key, value in raw.items():
        m = _MONTH.match(key)
        month = None
        if m and 1 <= int(m.group(2)) <= 12:
            month = date(int(m.group(1)), int(m.group(2)), 1)
        if month is None or month.year < 2000:
            msg = _("“%(month)s” is not a month such as 2026-03.") % {"month": key[:20]}
            raise ValidationFailed(msg, fields={"monthly_targets": msg})
        plan[month] = value
    return plan


def _ids(raw: dict[str, Any], field: str) -> dict[int, Any]:
    """JSON object keys are strings: sub-item ids must be written as digits."""
    out: dict[int, Any] = {}
    for key, value in raw.items():
        if not _ID.match(key):
            msg = _("“%(key)s” is not a sub-item id.") % {"key": key[:20]}
            raise ValidationFailed(msg, fields={field: msg})
        out[int(key)] = value
    return out


def _valid(serializer_class: type[Any], request: Request, **kwargs: Any) -> dict[str, Any]:
    body = serializer_class(data=request.data, **kwargs)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class CampaignList(ApiView):
    @extend_schema(
        operation_id="campaigns_list", tags=TAGS, responses=s.CampaignSerializer(many=True),
        parameters=[OpenApiParameter("kind", str, enum=Kind.values, description="Campaigns or key projects only."),
                    OpenApiParameter("status", str, enum=CampaignStatus.values)],
    )
    def get(self, request: Request) -> Response:
        """The campaigns and key projects you may see, with their status against the plan and its reason."""
        qs = Campaign.objects.visible_to(request.user).select_related("lead_official", "lead_unit", "division")
        errors = {}
        for name, allowed in (("kind", Kind.values), ("status", CampaignStatus.values)):
            value = request.query_params.get(name)
            if value is None or value == "":
                continue
            if value not in allowed:
                errors[name] = _("Choose one of: %(values)s.") % {"values": ", ".join(allowed)}
            else:
                qs = qs.filter(**{name: value})
        if errors:
            raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
        summaries = summarise(list(qs), user=request.user, today=_today())
        return Response(s.CampaignSerializer(summaries, many=True).data)

    @extend_schema(operation_id="campaigns_create", tags=TAGS, request=s.CampaignInput,
                   responses={201: s.CampaignDetailSerializer})
    def post(self, request: Request) -> Response:
        """Start a campaign or key project (leaders and administrators)."""
        d = _valid(s.CampaignInput, request)
        division = (division_by_code(d["division"]) if d["division"]
                    else Division.objects.filter(parent__isnull=True).order_by("path").first())
        if division is None:
            raise ValidationFailed(_("Please correct the marked fields."), fields={"division": _("Choose the division.")})
        campaign = svc.campaign_create(
            actor=_user(request), kind=d["kind"], title=d["title"], background=d["background"], goal=d["goal"],
            lead_official=user_by_username(d["lead_official"], "lead_official"),
            lead_unit=unit_by_code(d["lead_unit"], "lead_unit"), division=division, start=d["start"],
            deadline=d["deadline"], assisting_units=units_by_code(d["assisting_units"], "assisting_units"),
            members=[user_by_username(u, "members") for u in d["members"]], investor=d["investor"],
            total_investment=d["total_investment"], stage=d["stage"],
        )
        return Response(_detail(campaign.pk, _user(request)), status=status.HTTP_201_CREATED,
                        headers={"Location": f"/api/v1/campaigns/{campaign.pk}/"})


class ProjectList(ApiView):
    @extend_schema(operation_id="projects_list", tags=TAGS, responses=s.CampaignSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Key projects (重点项目) you may see: investor, investment, stage, status. Create them as campaigns of kind
        `key_project`."""
        qs = (Campaign.objects.visible_to(request.user).filter(kind=Kind.KEY_PROJECT)
              .select_related("lead_official", "lead_unit", "division"))
        return Response(s.CampaignSerializer(summarise(list(qs), user=request.user, today=_today()), many=True).data)


class CampaignDetail(ApiView):
    @extend_schema(operation_id="campaigns_retrieve", tags=TAGS, responses=s.CampaignDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One campaign: people, indicators with value, plan and status, milestones; key projects add stages and
        investment. Outside your scope: 404."""
        return Response(_detail(pk, _user(request)))

    @extend_schema(operation_id="campaigns_partial_update", tags=TAGS, request=s.CampaignUpdateInput,
                   responses=s.CampaignDetailSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        """Change the description, people or dates; fields not sent keep their values."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        d = _valid(s.CampaignUpdateInput, request)
        people: dict[str, Any] = {
            "lead_official": user_by_username(d["lead_official"], "lead_official") if "lead_official" in d
            else campaign.lead_official,
            "lead_unit": unit_by_code(d["lead_unit"], "lead_unit") if "lead_unit" in d else campaign.lead_unit,
            "assisting_units": units_by_code(d["assisting_units"], "assisting_units") if "assisting_units" in d
            else list(campaign.assisting_units.all()),
            "members": [user_by_username(u, "members") for u in d["members"]] if "members" in d
            else list(campaign.members.all()),
        }
        kept: dict[str, Any] = {name: d.get(name, getattr(campaign, name)) for name in (
            "title", "background", "goal", "start", "deadline", "investor", "total_investment")}
        svc.campaign_update(campaign=campaign, actor=user, **people, **kept)
        return Response(_detail(pk, user))


class CampaignStatusView(ApiView):
    @extend_schema(operation_id="campaigns_set_status", tags=TAGS, request=s.StatusInput,
                   responses=s.CampaignDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Mark the campaign completed, suspended, or under way again."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        d = _valid(s.StatusInput, request)
        svc.campaign_set_status(campaign=campaign, actor=user, status=d["status"], note=d["note"])
        return Response(_detail(pk, user))


class MetricList(ApiView):
    @extend_schema(operation_id="campaigns_metrics_list", tags=TAGS, responses=s.MetricSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The figures kept per sub-item (e.g. 受阻户数); indicators are computed from them."""
        campaign = access_campaign(pk=pk, actor=_user(request))
        return Response(s.MetricSerializer(Metric.objects.filter(campaign=campaign), many=True).data)

    @extend_schema(operation_id="campaigns_metrics_define", tags=TAGS, request=s.MetricInput,
                   responses={201: s.MetricSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Add a figure, or rename the one with this key."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        d = _valid(s.MetricInput, request)
        metric = svc.metric_define(campaign=campaign, actor=user, order=campaign.metrics.count(), **d)
        return Response(s.MetricSerializer(metric).data, status=status.HTTP_201_CREATED)


def _indicator_args(campaign: Campaign, d: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": d["name"], "computation": d["computation"], "target": d["target"], "direction": d["direction"],
        "baseline": d["baseline"], "unit_of_measure": d["unit_of_measure"], "is_primary": d["is_primary"],
        "numerator": _metric(campaign, d["numerator"], "numerator"),
        "denominator": _metric(campaign, d["denominator"], "denominator"),
        "monthly_targets": _months(d["monthly_targets"]),
    }


def _indicator_view(campaign: Campaign, user: User, indicator_id: int) -> dict[str, Any]:
    summary = _summary(campaign, user)
    view = next(v for v in summary.indicators if v.indicator.pk == indicator_id)
    return s.IndicatorSerializer(view).data  # type: ignore[return-value]


class IndicatorList(ApiView):
    @extend_schema(operation_id="campaigns_indicators_list", tags=TAGS, responses=s.IndicatorSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """Each indicator's current value (over the sub-items you may see), target, plan for today and status."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        return Response(s.IndicatorSerializer(_summary(campaign, user).indicators, many=True).data)

    @extend_schema(operation_id="campaigns_indicators_create", tags=TAGS, request=s.IndicatorInput,
                   responses={201: s.IndicatorSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Define an indicator (count, sum, or ratio of two figures) with its target and monthly plan."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        d = _valid(s.IndicatorInput, request)
        indicator = svc.indicator_define(campaign=campaign, actor=user, order=campaign.indicators.count(),
                                         **_indicator_args(campaign, d))
        return Response(_indicator_view(campaign, user, indicator.pk), status=status.HTTP_201_CREATED)


class IndicatorDetail(ApiView):
    @extend_schema(operation_id="campaigns_indicators_update", tags=TAGS, request=s.IndicatorInput,
                   responses=s.IndicatorSerializer)
    def put(self, request: Request, pk: int, indicator_id: int) -> Response:
        """Change an indicator and replace its monthly plan."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        indicator = Indicator.objects.filter(campaign=campaign, pk=indicator_id).first()
        if indicator is None:
            raise NotFound(_("Indicator not found."))
        d = _valid(s.IndicatorInput, request)
        svc.indicator_define(campaign=campaign, actor=user, indicator=indicator, order=indicator.order,
                             **_indicator_args(campaign, d))
        return Response(_indicator_view(campaign, user, indicator.pk))


class SubItemList(ApiView):
    @extend_schema(operation_id="campaigns_sub_items_list", tags=TAGS, responses=s.SubItemSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The sub-items you may see (a county: those in the county or of its units)."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        items = SubItem.objects.visible_to(user).filter(campaign=campaign).select_related("division", "responsible_unit")
        return Response(s.SubItemSerializer(items, many=True).data)

    @extend_schema(operation_id="campaigns_sub_items_upsert", tags=TAGS, request=s.SubItemInput,
                   responses={201: s.SubItemSerializer, 200: s.SubItemSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Add a sub-item, or update the one of the same name (200). Figures not sent keep their values."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        d = _valid(s.SubItemInput, request)
        item, created = svc.sub_item_upsert(
            campaign=campaign, actor=user, name=d["name"], division=division_by_code(d["division"]),
            responsible_unit=unit_by_code(d["responsible_unit"], "responsible_unit"), status=d["status"],
            metrics=d["figures"], note=d["note"],
        )
        return Response(s.SubItemSerializer(item).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class MilestoneList(ApiView):
    @extend_schema(operation_id="campaigns_milestones_list", tags=TAGS, responses=s.MilestoneSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The campaign's dated steps, earliest first."""
        campaign = access_campaign(pk=pk, actor=_user(request))
        return Response(s.MilestoneSerializer(Milestone.objects.filter(campaign=campaign), many=True).data)

    @extend_schema(operation_id="campaigns_milestones_create", tags=TAGS, request=s.MilestoneInput,
                   responses={201: s.MilestoneSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Add a milestone."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        milestone = svc.milestone_add(campaign=campaign, actor=user, **_valid(s.MilestoneInput, request))
        return Response(s.MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)


class MilestoneComplete(ApiView):
    @extend_schema(operation_id="campaigns_milestones_complete", tags=TAGS, request=s.MilestoneDoneInput,
                   responses=s.MilestoneSerializer)
    def post(self, request: Request, pk: int, milestone_id: int) -> Response:
        """Mark a milestone reached (today unless `done_on` says otherwise); a second call changes nothing."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        milestone = Milestone.objects.filter(campaign=campaign, pk=milestone_id).first()
        if milestone is None:
            raise NotFound(_("Milestone not found."))
        d = _valid(s.MilestoneDoneInput, request)
        return Response(s.MilestoneSerializer(svc.milestone_complete(milestone=milestone, actor=user,
                                                                     done_on=d["done_on"])).data)


class ReportPage(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ReportList(ApiView):
    @extend_schema(operation_id="campaigns_reports_list", tags=TAGS, responses=s.ReportPageSerializer,
                   parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)])
    def get(self, request: Request, pk: int) -> Response:
        """Weekly reports you may read, newest week first, with their figures (50 a page)."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        reports = reports_for(campaign=campaign, user=user).prefetch_related("lines")
        paginator = ReportPage()
        page = paginator.paginate_queryset(reports, request, view=self)
        return paginator.get_paginated_response(s.ReportSerializer(page, many=True).data)

    @extend_schema(operation_id="campaigns_reports_submit", tags=TAGS, request=s.ReportInput,
                   responses={201: s.ReportSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """File your unit's weekly report (once per unit and week; a second one is 409)."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        d = _valid(s.ReportInput, request)
        if d["unit"]:
            unit = unit_by_code(d["unit"], "unit")
        else:
            units = reporting_units(campaign, user)
            if not units:
                raise PermissionDenied(_("Your unit does not report for this campaign."))
            unit = units[0]
        report = svc.report_submit(
            campaign=campaign, actor=user, unit=unit, week=d["week"], narrative=d["narrative"],
            obstacles=d["obstacles"], figures=_ids(d["figures"], "figures"), statuses=_ids(d["statuses"], "statuses"),
        )
        return Response(s.ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class LinkedCaseList(ApiView):
    @extend_schema(operation_id="campaigns_cases_list", tags=TAGS, responses=s.LinkedCaseSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """Obstacle cases raised for this campaign that you may see; each follows the normal case lifecycle."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        return Response(s.LinkedCaseSerializer(linked_cases_for(campaign=campaign, user=user), many=True).data)

    @extend_schema(
        operation_id="campaigns_obstacles_raise", tags=TAGS, request=s.ObstacleInput,
        responses={201: s.LinkedCaseSerializer, 200: s.LinkedCaseSerializer},
        parameters=[OpenApiParameter(
            "Idempotency-Key", str, OpenApiParameter.HEADER,
            description="Any unique string (≤ 64 printable characters). A retry returns the first case with 200.",
        )],
    )
    def post(self, request: Request, pk: int) -> Response:
        """Raise an obstacle needing another unit as a case linked to the campaign (and sub-item)."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        raw_key = idempotency_key(request)
        d = _valid(s.ObstacleInput, request)
        sub_item = None
        if d["sub_item"] is not None:
            sub_item = SubItem.objects.visible_to(user).filter(campaign=campaign, pk=d["sub_item"]).first()
            if sub_item is None:
                msg = _("Choose a sub-item of this campaign.")
                raise ValidationFailed(msg, fields={"sub_item": msg})
        link, created = svc.obstacle_raise(
            campaign=campaign, actor=user, title=d["title"], content=d["content"], sub_item=sub_item,
            suggested_unit=unit_by_code(d["suggested_unit"], "suggested_unit") if d["suggested_unit"] else None,
            idempotency_key=raw_key or None,
        )
        return Response(s.LinkedCaseSerializer(link).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class StageView(ApiView):
    @extend_schema(operation_id="projects_stage_set", tags=TAGS, request=s.StageInput, responses=s.CampaignDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Key projects: the planned or reached date of a stage; reaching a later stage moves the project on."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        svc.project_stage_set(campaign=campaign, actor=user, **_valid(s.StageInput, request))
        return Response(_detail(pk, user))


class InvestmentView(ApiView):
    @extend_schema(operation_id="projects_investment_set", tags=TAGS, request=s.InvestmentInput,
                   responses=s.CampaignDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Key projects: a month's planned and completed investment (10k yuan)."""
        user = _user(request)
        campaign = access_campaign(pk=pk, actor=user)
        svc.project_investment_set(campaign=campaign, actor=user, **_valid(s.InvestmentInput, request))
        return Response(_detail(pk, user))
