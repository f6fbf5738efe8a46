"""What the pages show about campaigns: indicator values, plans, status with its reason, trends. Reads only.

Everything is computed from the sub-items the user may see (a county sees its own county's numbers), in a
fixed number of queries however many campaigns are listed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from jingzhi.campaigns.indicators import (
    HUNDRED,
    Rag,
    Spec,
    Verdict,
    compute,
    fmt,
    judge,
    month_start,
    plan_on,
    worst,
)
from jingzhi.campaigns.models import (
    STAGE_ORDER,
    Campaign,
    CampaignCase,
    CampaignStatus,
    Indicator,
    Kind,
    Milestone,
    MonthlyInvestment,
    MonthlyTarget,
    ProgressReport,
    ReportLine,
    StageRecord,
    SubItem,
)
from jingzhi.cases.models import OPEN_STATUSES, Case

TREND_WEEKS = 26
# A milestone or stage this many days overdue turns the campaign red rather than amber.
RED_AFTER_DAYS = 14


def spec_of(indicator: Indicator) -> Spec:
    return Spec(
        name=indicator.name, computation=indicator.computation,
        numerator=indicator.numerator.key if indicator.numerator_id else None,  # type: ignore[union-attr]
        denominator=indicator.denominator.key if indicator.denominator_id else None,  # type: ignore[union-attr]
        unit_of_measure=indicator.unit_of_measure, direction=indicator.direction,
    )


@dataclass
class MonthPoint:
    month: date
    plan: Decimal | None
    actual: Decimal | None


@dataclass
class IndicatorView:
    indicator: Indicator
    actual: Decimal | None
    plan: Decimal
    verdict: Verdict
    months: list[MonthPoint]
    weekly: list[Decimal | None]
    target: Decimal | None = None  # the viewer's own target: a county's share of a count, else the campaign's

    def __post_init__(self) -> None:
        if self.target is None:
            self.target = self.indicator.target

    @property
    def unit(self) -> str:
        return "%" if self.indicator.computation == "ratio" else self.indicator.unit_of_measure

    @property
    def actual_text(self) -> str:
        return fmt(self.actual, self.unit)

    @property
    def plan_text(self) -> str:
        return fmt(self.plan, self.unit)

    @property
    def target_text(self) -> str:
        return fmt(self.target, self.unit)

    @property
    def bar_pct(self) -> int:
        return _pct(self.actual, self.target)

    @property
    def plan_pct(self) -> int:
        return _pct(self.plan, self.target)

    @property
    def chart(self) -> list[dict[str, Any]]:
        """Monthly plan vs actual as bar heights (0–100) for the inline chart."""
        top = max([p.plan or 0 for p in self.months] + [p.actual or 0 for p in self.months] + [self.target or 0, 1])
        return [{"month": p.month, "plan": p.plan, "actual": p.actual,
                 "plan_h": int((p.plan or 0) / top * 100), "actual_h": int((p.actual or 0) / top * 100),
                 "plan_text": fmt(p.plan, self.unit), "actual_text": fmt(p.actual, self.unit)} for p in self.months]


def _pct(value: Decimal | None, of: Decimal | None) -> int:
    if value is None or not of:
        return 0
    return max(0, min(100, int(value / of * HUNDRED)))


@dataclass
class CampaignSummary:
    campaign: Campaign
    indicators: list[IndicatorView] = field(default_factory=list)
    rag: Rag = Rag.GREY
    reason: str = ""
    reasons: list[Verdict] = field(default_factory=list)
    trend: list[Decimal | None] = field(default_factory=list)
    progress_pct: int = 0
    progress_text: str = "—"
    next_milestone: Milestone | None = None
    last_report_at: Any = None
    open_cases: int = 0
    sub_items_seen: int = 0
    sub_items_total: int = 0
    invested: Decimal = Decimal(0)
    months: list[MonthPoint] = field(default_factory=list)

    @property
    def scoped(self) -> bool:
        return self.sub_items_seen < self.sub_items_total

    @property
    def primary(self) -> IndicatorView | None:
        return next((v for v in self.indicators if v.indicator.is_primary), self.indicators[0] if self.indicators else None)

    @property
    def trend_points(self) -> str:
        """SVG polyline points (100 × 24 box) of the trend; gaps where nothing could be computed are skipped."""
        values = [float(v) for v in self.trend if v is not None]
        if len(values) < 2:
            return ""
        low, high = min(values), max(values)
        span = (high - low) or 1.0
        n = len(self.trend) - 1
        points = [f"{i * 100 / n:.1f},{22 - (float(v) - low) / span * 20:.1f}"
                  for i, v in enumerate(self.trend) if v is not None]
        return " ".join(points)

    @property
    def trend_arrow(self) -> str:
        values = [v for v in self.trend if v is not None]
        if len(values) < 5:
            return ""
        delta = values[-1] - values[-5]
        return "↑" if delta > 0 else ("↓" if delta < 0 else "→")


def _weeks(start: date, end: date) -> list[date]:
    first = start - timedelta(days=start.weekday())
    weeks = []
    w = first
    while w <= end:
        weeks.append(w)
        w += timedelta(days=7)
    return weeks


def _replay(items: dict[int, tuple[dict[str, Any], bool]], lines: list[tuple[int, str, Decimal, date]],
            weeks: list[date], specs: list[Spec]) -> list[list[Decimal | None]]:
    """Each indicator's value at the end of each week, replaying the reported figures in order.

    Before the campaign's first report there is no value (None). After it, a sub-item not yet reported on is
    taken at its first reported value; figures never reported (households, say) are the current ones. Sub-item
    status is not historised: "count of done" uses today's.
    """
    state = {sid: dict(metrics) for sid, (metrics, _done) in items.items()}
    seen: set[tuple[int, str]] = set()
    for sid, metric, value, _w in lines:
        if (sid, metric) not in seen:
            seen.add((sid, metric))
            state[sid][metric] = value
    series: list[list[Decimal | None]] = [[] for _ in specs]
    first_week = lines[0][3] if lines else None
    i = 0
    for w in weeks:
        while i < len(lines) and lines[i][3] <= w:
            sid, metric, value, _w = lines[i]
            state[sid][metric] = value
            i += 1
        if first_week is None or w < first_week:  # nothing reported yet: no history to show, not a guess
            for k in range(len(specs)):
                series[k].append(None)
            continue
        rows = [(state[sid], done) for sid, (_m, done) in items.items()]
        for k, spec in enumerate(specs):
            series[k].append(compute(spec, rows))
    return series


def _overdue(title: str, due: date, today: date) -> Verdict:
    days = (today - due).days
    rag = Rag.RED if days > RED_AFTER_DAYS else Rag.AMBER
    return Verdict(rag, _("%(title)s was due %(due)s, %(days)d days overdue") % {"title": title, "due": due.isoformat(),
                                                                                   "days": days})


def summarise(campaigns: Sequence[Campaign], *, user: Any, today: date) -> list[CampaignSummary]:
    """Indicator values, plan, status, reason and trend of each campaign, over the sub-items `user` may see."""
    ids = [c.pk for c in campaigns]
    if not ids:
        return []
    visible = list(SubItem.objects.visible_to(user).filter(campaign_id__in=ids).values_list("pk", "campaign_id", "metrics",
                                                                                             "status"))
    items: dict[int, dict[int, tuple[dict[str, Any], bool]]] = defaultdict(dict)
    for pk, cid, metrics, status in visible:
        items[cid][pk] = (metrics or {}, status == SubItem.Status.DONE)
    totals = dict(SubItem.objects.filter(campaign_id__in=ids).values("campaign_id").annotate(n=Count("pk"))
                  .values_list("campaign_id", "n"))
    indicators: dict[int, list[Indicator]] = defaultdict(list)
    for ind in Indicator.objects.filter(campaign_id__in=ids).select_related("numerator", "denominator"):
        indicators[ind.campaign_id].append(ind)
    targets: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for ind_id, month, value in MonthlyTarget.objects.filter(indicator__campaign_id__in=ids).values_list(
            "indicator_id", "month", "value"):
        targets[ind_id][month] = value
    lines: dict[int, list[tuple[int, str, Decimal, date]]] = defaultdict(list)
    for sid, cid, metric, value, week in ReportLine.objects.filter(sub_item_id__in=[v[0] for v in visible], report__is_current=True).values_list(
            "sub_item_id", "sub_item__campaign_id", "metric", "value", "report__week").order_by("report__week", "pk"):
        lines[cid].append((sid, metric, value, week))
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for m in Milestone.objects.filter(campaign_id__in=ids):
        milestones[m.campaign_id].append(m)
    last_report = dict(ProgressReport.objects.filter(campaign_id__in=ids).values("campaign_id")
                       .annotate(at=Max("submitted_at")).values_list("campaign_id", "at"))
    open_cases = dict(CampaignCase.objects.filter(campaign_id__in=ids, case__status__in=OPEN_STATUSES)
                      .values("campaign_id").annotate(n=Count("pk")).values_list("campaign_id", "n"))
    investments: dict[int, list[MonthlyInvestment]] = defaultdict(list)
    stages: dict[int, list[StageRecord]] = defaultdict(list)
    project_ids = [c.pk for c in campaigns if c.kind == Kind.KEY_PROJECT]
    if project_ids:
        for inv in MonthlyInvestment.objects.filter(campaign_id__in=project_ids):
            investments[inv.campaign_id].append(inv)
        for rec in StageRecord.objects.filter(campaign_id__in=project_ids):
            stages[rec.campaign_id].append(rec)

    summaries = []
    for c in campaigns:
        s = CampaignSummary(campaign=c, sub_items_seen=len(items[c.pk]), sub_items_total=totals.get(c.pk, 0),
                            last_report_at=last_report.get(c.pk), open_cases=open_cases.get(c.pk, 0))
        end = min(today, c.deadline + timedelta(days=6))
        weeks = _weeks(max(c.start, end - timedelta(weeks=52)), end)
        specs = [spec_of(i) for i in indicators[c.pk]]
        series = _replay(items[c.pk], lines[c.pk], weeks, specs)
        rows = list(items[c.pk].values())
        verdicts: list[Verdict] = []
        for ind, spec, weekly in zip(indicators[c.pk], specs, series, strict=True):
            actual = compute(spec, rows)
            share = Decimal(1)
            if spec.computation != "ratio" and len(items[c.pk]) < totals.get(c.pk, 0):
                # A county sees its own sub-items; its count or sum is measured against its share of the plan
                # (the campaign's plan × its sub-items ÷ all sub-items), never against the whole city's bars.
                share = Decimal(len(items[c.pk])) / Decimal(totals[c.pk])
            plan_args = {"monthly": {m: v * share for m, v in targets[ind.pk].items()}, "baseline": ind.baseline * share,
                         "target": ind.target * share, "start": c.start, "deadline": c.deadline}
            plan = plan_on(min(today, c.deadline), **plan_args)  # type: ignore[arg-type]
            verdict = judge(spec, actual=actual, plan=plan, margin_percent=c.amber_margin)
            if share != 1:
                verdict = Verdict(verdict.rag, _("%(reason)s (your area's share of the plan)") % {"reason": verdict.reason})
            verdicts.append(verdict)
            months = []
            month = month_start(c.start)
            while month <= month_start(c.deadline):
                month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                done_weeks = [v for w, v in zip(weeks, weekly, strict=True) if w <= month_end]
                actual_m = done_weeks[-1] if done_weeks and month <= today else None
                months.append(MonthPoint(month, plan_on(month_end, **plan_args), actual_m))  # type: ignore[arg-type]
                month = (month + timedelta(days=32)).replace(day=1)
            s.indicators.append(IndicatorView(ind, actual, plan, verdict, months, weekly, target=ind.target * share))
        primary = s.primary
        if primary is not None:
            s.trend = primary.weekly[-TREND_WEEKS:]
            s.progress_pct, s.progress_text = primary.bar_pct, primary.actual_text
        if c.kind == Kind.KEY_PROJECT:
            verdicts.extend(_project(s, c, investments[c.pk], stages[c.pk], today))
        pending = sorted((m for m in milestones[c.pk] if m.done_on is None), key=lambda m: m.due)
        s.next_milestone = pending[0] if pending else None
        verdicts.extend(_overdue(m.title, m.due, today) for m in pending if m.due < today)
        if c.status == CampaignStatus.COMPLETED:
            s.rag, s.reason = Rag.GREEN, _("Completed")
        elif c.status == CampaignStatus.SUSPENDED:
            s.rag, s.reason = Rag.GREY, _("Suspended")
        else:
            if today > c.deadline:
                verdicts.append(Verdict(Rag.RED, _("Deadline %(date)s has passed") % {"date": c.deadline.isoformat()}))
            decisive = worst(verdicts)
            if decisive is not None:
                s.rag, s.reason = decisive.rag, decisive.reason
            else:
                s.reason = _("No indicators yet")
        s.reasons = sorted(verdicts, key=lambda v: -v.rag.rank)
        summaries.append(s)
    return summaries


def _project(s: CampaignSummary, c: Campaign, investments: list[MonthlyInvestment], stages: list[StageRecord],
             today: date) -> list[Verdict]:
    """Key projects: cumulative investment against plan, and stages planned but not reached in time."""
    investments.sort(key=lambda i: i.month)
    planned = completed = Decimal(0)
    trend: list[Decimal | None] = []
    for inv in investments:
        if inv.month > today:
            break
        planned += inv.planned
        completed += inv.completed
        trend.append(completed)
        s.months.append(MonthPoint(inv.month, planned, completed))
    s.invested = completed
    if not s.indicators:
        s.trend = trend
        s.progress_pct = _pct(completed, c.total_investment)
        s.progress_text = fmt(completed, _("10k yuan"))
    verdicts = []
    if planned > 0:
        spec = Spec(name=_("Investment completed"), computation="sum", numerator=None, denominator=None,
                    unit_of_measure=_("10k yuan"))
        verdicts.append(judge(spec, actual=completed, plan=planned, margin_percent=c.amber_margin))
    reached = STAGE_ORDER.index(c.stage) if c.stage in STAGE_ORDER else 0
    for rec in stages:
        if rec.reached_on is None and rec.planned_on is not None and rec.planned_on < today \
                and STAGE_ORDER.index(rec.stage) > reached:
            verdicts.append(_overdue(rec.get_stage_display(), rec.planned_on, today))
    return verdicts


def reports_for(*, campaign: Campaign, user: Any) -> QuerySet[ProgressReport]:
    """The campaign's weekly reports this user may read, newest week first.

    All of them for a user who sees every sub-item; for one who sees only some (e.g. a county), the reports of
    the units answering for those sub-items and of the lead unit.
    """
    reports = ProgressReport.objects.filter(campaign=campaign, is_current=True).select_related("unit", "submitted_by")
    visible = SubItem.objects.visible_to(user).filter(campaign=campaign)
    if visible.count() < SubItem.objects.filter(campaign=campaign).count():
        reports = reports.filter(Q(unit_id__in=visible.values("responsible_unit_id")) | Q(unit_id=campaign.lead_unit_id))
    return reports


def earlier_versions(reports: Sequence[ProgressReport]) -> dict[tuple[int, date], list[ProgressReport]]:
    """The superseded versions of these (current) reports, newest first, keyed by (unit id, week)."""
    if not reports:
        return {}
    out: dict[tuple[int, date], list[ProgressReport]] = defaultdict(list)
    corrected = [r for r in reports if r.version > 1]
    if not corrected:
        return {}
    query = Q()
    for r in corrected:
        query |= Q(campaign_id=r.campaign_id, unit_id=r.unit_id, week=r.week)
    for old in ProgressReport.objects.filter(query, is_current=False).select_related("submitted_by").order_by("-version"):
        out[(old.unit_id, old.week)].append(old)
    return dict(out)


def linked_cases_for(*, campaign: Campaign, user: Any) -> QuerySet[CampaignCase]:
    """The obstacle cases of a campaign that this user may see: those the case's own visibility rule lets them
    open, and those they raised themselves (shown with status and reply; `openable` says whether the case page
    opens for them)."""
    visible = Case.objects.visible_to(user)
    return (CampaignCase.objects.filter(Q(case__in=visible.values("pk")) | Q(raised_by=user), campaign=campaign)
            .annotate(openable=Exists(visible.filter(pk=OuterRef("case_id"))))
            .select_related("case", "case__lead_unit", "sub_item"))


def campaign_link_of(*, case: Case, user: Any) -> CampaignCase | None:
    """The campaign an obstacle case was raised for, if this user may see that campaign (else None)."""
    return (CampaignCase.objects.filter(case=case, campaign__in=Campaign.objects.visible_to(user).values("pk"))
            .select_related("campaign", "sub_item").first())
