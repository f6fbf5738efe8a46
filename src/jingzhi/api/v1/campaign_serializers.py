"""What the REST API reads and writes of campaigns and key projects. Inputs are parsed here; rules live in services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from jingzhi.api.v1.serializers import DivisionRef, UnitRef
from jingzhi.campaigns.models import CampaignStatus, Indicator, Kind, Stage, SubItem

# Figures are kept with two decimals; 1e12 is far beyond any household count or investment in 10k yuan.
_DECIMAL = {"max_digits": 14, "decimal_places": 2}


class UserRef(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="__str__")


class CaseRef(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    lead_unit = UnitRef(allow_null=True)
    reply_due = serializers.DateTimeField(allow_null=True)


class MilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)


class MonthValue(serializers.Serializer):
    month = serializers.DateField(help_text="The first day of the month.")
    plan = serializers.DecimalField(**_DECIMAL, allow_null=True)
    actual = serializers.DecimalField(**_DECIMAL, allow_null=True)


class IndicatorSerializer(serializers.Serializer):
    """An indicator with its current value over the sub-items you may see, the plan for today, and its status."""

    id = serializers.IntegerField(source="indicator.id")
    name = serializers.CharField(source="indicator.name")
    computation = serializers.ChoiceField(source="indicator.computation", choices=Indicator.Computation.choices)
    numerator = serializers.CharField(source="indicator.numerator.key", allow_null=True, default=None)
    denominator = serializers.CharField(source="indicator.denominator.key", allow_null=True, default=None)
    unit_of_measure = serializers.CharField(source="unit")
    direction = serializers.ChoiceField(source="indicator.direction", choices=Indicator.Direction.choices)
    target = serializers.DecimalField(source="indicator.target", **_DECIMAL)
    baseline = serializers.DecimalField(source="indicator.baseline", **_DECIMAL)
    is_primary = serializers.BooleanField(source="indicator.is_primary")
    value = serializers.DecimalField(source="actual", **_DECIMAL, allow_null=True,
                                     help_text="Null when there is nothing to compute it from (e.g. a ratio over 0).")
    plan = serializers.DecimalField(**_DECIMAL, help_text="Where the plan says the indicator should be today.")
    status = serializers.CharField(source="verdict.rag.value", help_text="green, amber, red or grey (no data).")
    reason = serializers.CharField(source="verdict.reason")
    months = MonthValue(many=True, help_text="Planned and actual value at the end of each month of the campaign.")


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit_of_measure = serializers.CharField()


class SubItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    division = DivisionRef()
    responsible_unit = UnitRef()
    status = serializers.ChoiceField(choices=SubItem.Status.choices)
    figures = serializers.DictField(source="metrics", child=serializers.CharField(),
                                    help_text="Metric key → current value.")
    note = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ReportLineSerializer(serializers.Serializer):
    sub_item = serializers.IntegerField(source="sub_item_id")
    metric = serializers.CharField()
    value = serializers.DecimalField(**_DECIMAL)


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = UnitRef()
    week = serializers.DateField(help_text="The Monday of the reported week.")
    narrative = serializers.CharField()
    obstacles = serializers.CharField()
    submitted_by = UserRef(allow_null=True)
    submitted_at = serializers.DateTimeField()
    on_time = serializers.BooleanField()
    lines = ReportLineSerializer(many=True)


class ReportPageSerializer(serializers.Serializer):
    """One page of weekly reports (`?page=N`, 50 a page by default)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReportSerializer(many=True)


class StageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    planned_on = serializers.DateField(allow_null=True)
    reached_on = serializers.DateField(allow_null=True)


class InvestmentSerializer(serializers.Serializer):
    month = serializers.DateField()
    planned = serializers.DecimalField(**_DECIMAL)
    completed = serializers.DecimalField(**_DECIMAL)


class LinkedCaseSerializer(serializers.Serializer):
    case = CaseRef()
    sub_item = serializers.CharField(source="sub_item.name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class CampaignSerializer(serializers.Serializer):
    """A campaign (or key project) as the board shows it: people, dates, and where it stands against the plan."""

    id = serializers.IntegerField(source="campaign.id")
    kind = serializers.ChoiceField(source="campaign.kind", choices=Kind.choices)
    title = serializers.CharField(source="campaign.title")
    status = serializers.ChoiceField(source="campaign.status", choices=CampaignStatus.choices)
    lead_official = UserRef(source="campaign.lead_official")
    lead_unit = UnitRef(source="campaign.lead_unit")
    division = DivisionRef(source="campaign.division")
    start = serializers.DateField(source="campaign.start")
    deadline = serializers.DateField(source="campaign.deadline")
    stage = serializers.CharField(source="campaign.stage", help_text="Key projects: the stage reached.")
    investor = serializers.CharField(source="campaign.investor")
    total_investment = serializers.DecimalField(source="campaign.total_investment", **_DECIMAL, allow_null=True)
    invested = serializers.DecimalField(**_DECIMAL, help_text="Key projects: investment completed to date (10k yuan).")
    rag = serializers.CharField(source="rag.value", help_text="green, amber, red or grey.")
    reason = serializers.CharField()
    progress_pct = serializers.IntegerField()
    sub_items_seen = serializers.IntegerField(help_text="Sub-items in your scope (a county sees its own).")
    sub_items_total = serializers.IntegerField()
    open_cases = serializers.IntegerField(help_text="Linked obstacle cases still open.")
    next_milestone = MilestoneSerializer(allow_null=True)
    last_report_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(source="campaign.version")


class CampaignDetailSerializer(CampaignSerializer):
    background = serializers.CharField(source="campaign.background")
    goal = serializers.CharField(source="campaign.goal")
    weekly_reports = serializers.BooleanField(source="campaign.weekly_reports")
    report_weekday = serializers.IntegerField(source="campaign.report_weekday")
    assisting_units = UnitRef(source="campaign.assisting_units.all", many=True)
    members = UserRef(source="campaign.members.all", many=True)
    is_demo = serializers.BooleanField(source="campaign.is_demo")
    created_at = serializers.DateTimeField(source="campaign.created_at")
    reasons = serializers.SerializerMethodField()
    indicators = IndicatorSerializer(many=True)
    metrics = MetricSerializer(source="campaign.metrics.all", many=True)
    milestones = MilestoneSerializer(source="campaign.milestones.all", many=True)
    stages = StageSerializer(source="campaign.stage_records.all", many=True)
    investments = InvestmentSerializer(source="campaign.investments.all", many=True)

    def get_reasons(self, summary: Any) -> list[dict[str, str]]:
        """Every verdict behind the status, worst first."""
        return [{"rag": v.rag.value, "reason": v.reason} for v in summary.reasons]


# ---- inputs -------------------------------------------------------------------------------------------------

_CODE = {"max_length": 30}
_NAME = {"max_length": 150}


class CampaignInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.CAMPAIGN)
    title = serializers.CharField(max_length=120)
    background = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    goal = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    lead_official = serializers.CharField(help_text="Username of the 包保 leader.", **_NAME)
    lead_unit = serializers.CharField(help_text="Unit code.", **_CODE)
    division = serializers.CharField(required=False, default="", allow_blank=True,
                                     help_text="Division code (default: the city).", **_CODE)
    start = serializers.DateField()
    deadline = serializers.DateField()
    assisting_units = serializers.ListField(child=serializers.CharField(**_CODE), required=False, default=list,
                                            max_length=50)
    members = serializers.ListField(child=serializers.CharField(**_NAME), required=False, default=list, max_length=100,
                                    help_text="Usernames of the task force.")
    investor = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    total_investment = serializers.DecimalField(**_DECIMAL, required=False, allow_null=True, default=None, min_value=0)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False, allow_blank=True, default="")


class CampaignUpdateInput(serializers.Serializer):
    """Only the fields sent change; the rest keep their values."""

    title = serializers.CharField(max_length=120, required=False)
    background = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    goal = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    lead_official = serializers.CharField(required=False, **_NAME)
    lead_unit = serializers.CharField(required=False, **_CODE)
    start = serializers.DateField(required=False)
    deadline = serializers.DateField(required=False)
    assisting_units = serializers.ListField(child=serializers.CharField(**_CODE), required=False, max_length=50)
    members = serializers.ListField(child=serializers.CharField(**_NAME), required=False, max_length=100)
    investor = serializers.CharField(required=False, allow_blank=True, max_length=120)
    total_investment = serializers.DecimalField(**_DECIMAL, required=False, allow_null=True, min_value=0)


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=CampaignStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class MetricInput(serializers.Serializer):
    key = serializers.CharField(max_length=40, help_text="Lower-case letters, digits, underscores; starts with a letter.")
    label = serializers.CharField(max_length=40)
    unit_of_measure = serializers.CharField(required=False, allow_blank=True, default="", max_length=12)


class IndicatorInput(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    computation = serializers.ChoiceField(choices=Indicator.Computation.choices)
    numerator = serializers.CharField(required=False, allow_null=True, default=None, max_length=40,
                                      help_text="Metric key: what is counted or added up (the ratio's numerator).")
    denominator = serializers.CharField(required=False, allow_null=True, default=None, max_length=40,
                                        help_text="Metric key of a ratio's denominator.")
    target = serializers.DecimalField(**_DECIMAL)
    direction = serializers.ChoiceField(choices=Indicator.Direction.choices, default=Indicator.Direction.UP)
    baseline = serializers.DecimalField(**_DECIMAL, default=0)
    unit_of_measure = serializers.CharField(required=False, allow_blank=True, default="", max_length=12)
    is_primary = serializers.BooleanField(default=False)
    monthly_targets = serializers.DictField(
        child=serializers.DecimalField(**_DECIMAL), required=False, default=dict,
        help_text='The plan: month ("2026-03" or "2026-03-01") → the value to reach by its end.',
    )


class SubItemInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="A sub-item of the same name is updated.")
    division = serializers.CharField(**_CODE)
    responsible_unit = serializers.CharField(**_CODE)
    status = serializers.ChoiceField(choices=SubItem.Status.choices, default=SubItem.Status.NOT_STARTED)
    figures = serializers.DictField(child=serializers.DecimalField(**_DECIMAL, min_value=0), required=False, default=dict,
                                    help_text="Metric key → current value.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class MilestoneInput(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    due = serializers.DateField()


class MilestoneDoneInput(serializers.Serializer):
    done_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReportInput(serializers.Serializer):
    unit = serializers.CharField(required=False, default="", allow_blank=True, help_text="Unit code (default: your unit).",
                                 **_CODE)
    week = serializers.DateField(help_text="Any day of the reported week.")
    narrative = serializers.CharField(max_length=5000)
    obstacles = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    figures = serializers.DictField(
        child=serializers.DictField(child=serializers.DecimalField(**_DECIMAL)), required=False, default=dict,
        help_text="Sub-item id → metric key → value as it now stands (cumulative).",
    )
    statuses = serializers.DictField(child=serializers.ChoiceField(choices=SubItem.Status.choices), required=False,
                                     default=dict, help_text="Sub-item id → new status.")


class ObstacleInput(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    content = serializers.CharField(max_length=5000)
    sub_item = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=2**31 - 1)
    suggested_unit = serializers.CharField(required=False, allow_blank=True, default="", **_CODE)


class StageInput(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    reached_on = serializers.DateField(required=False, allow_null=True, default=None)
    planned_on = serializers.DateField(required=False, allow_null=True, default=None)


class InvestmentInput(serializers.Serializer):
    month = serializers.DateField(help_text="Any day of the month.")
    planned = serializers.DecimalField(**_DECIMAL, required=False, allow_null=True, default=None, min_value=0)
    completed = serializers.DecimalField(**_DECIMAL, required=False, allow_null=True, default=None, min_value=0)
