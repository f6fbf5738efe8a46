"""The dispute register (矛盾纠纷排查化解): disputes, their parties, steps, follow-up visits, linked cases, matches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhi.disputes.querysets import DisputeQuerySet


class DisputeType(models.TextChoices):
    FAMILY = "family", _("Family (家庭)")
    NEIGHBOUR = "neighbour", _("Neighbour (邻里)")
    MEDICAL = "medical", _("Doctor–patient (医患)")
    LABOUR = "labour", _("Labour (劳资)")
    LAND = "land", _("Land (土地)")
    PROPERTY = "property", _("Property management (物业)")
    OTHER = "other", _("Other (其他)")


class Risk(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    VIOLENT = 4, _("Could turn violent")


class Source(models.TextChoices):
    SCREENING = "screening", _("Police station screening")
    GRID = "grid", _("Grid worker")
    HOTLINE = "hotline", _("Hotline case")
    COURT = "court", _("Court")
    PETITION = "petition", _("Petition (信访)")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    OPEN = "open", _("Being resolved")
    RESOLVED = "resolved", _("Resolved")
    REFERRED = "referred", _("Referred to court or arbitration")
    CLOSED = "closed", _("Closed unresolved")


OPEN_STATUSES = (Status.OPEN,)


class Dispute(models.Model):
    """One dispute on the register: what, where, how dangerous, who answers for it, and how it ended."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    type = models.CharField(_("type"), max_length=12, choices=DisputeType.choices)
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("division"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    place_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    risk = models.PositiveSmallIntegerField(_("risk"), choices=Risk.choices, default=Risk.LOW)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    station = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible station or unit"))
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("mediator"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    outcome = models.TextField(_("outcome"), blank=True)
    screened_at = models.DateTimeField(_("screened at"), db_index=True)
    resolved_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Mediation sessions held when it was resolved: 1 means "resolved at the first mediation".
    sessions_to_resolve = models.PositiveSmallIntegerField(_("mediation sessions to resolve"), null=True, blank=True)
    # Escalation of a high-risk dispute: when it was raised and by when a step must be recorded.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalation_due = models.DateTimeField(_("act by"), null=True, blank=True)
    # Earlier disputes with a party in common (counted at registration), and whether one of them was open.
    repeat_count = models.PositiveSmallIntegerField(_("earlier disputes of the same parties"), default=0)
    flagged = models.BooleanField(_("party or place has an open dispute"), default=False)
    # Set when a later dispute of the same parties is registered within 90 days of this one's resolution.
    recurred_at = models.DateTimeField(_("recurred at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("registered by"))
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    cases = models.ManyToManyField("cases.Case", through="DisputeCase", related_name="+")

    objects = DisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-screened_at", "-pk"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Party(models.Model):
    """A party to a dispute. Personal data: shown masked; phone and ID number also kept as keyed hashes (keys.py)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="parties")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return f"party {self.pk} of dispute {self.dispute_id}"


class Step(models.Model):
    """A step taken to resolve the dispute: a visit, a mediation session, an agreement, a referral."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        MEDIATION = "mediation", _("Mediation session")
        AGREEMENT = "agreement", _("Agreement signed")
        COURT = "court", _("Referred to court")
        ARBITRATION = "arbitration", _("Referred to arbitration")
        NOTE = "note", _("Note")

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("step"), max_length=12, choices=Kind.choices)
    note = models.TextField(_("note"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return f"{self.kind} on dispute {self.dispute_id}"


class Visit(models.Model):
    """A follow-up visit (回访) due on a date; done when its note is recorded."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="visits")
    due = models.DateField(_("due"), db_index=True)
    done_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    stable = models.BooleanField(_("stable"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("by"))

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")

    def __str__(self) -> str:
        return f"visit due {self.due} on dispute {self.dispute_id}"


class DisputeCase(models.Model):
    """A hotline case tied to a dispute: the case it came from, a case linked by hand, or a flagged new case."""

    class Relation(models.TextChoices):
        ORIGIN = "origin", _("Registered from this case")
        LINKED = "linked", _("Linked")
        FLAGGED = "flagged", _("Flagged: same party or place")

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["dispute", "case"], name="disputes_case_once")]
        verbose_name = _("case of a dispute")
        verbose_name_plural = _("cases of disputes")

    def __str__(self) -> str:
        return f"case {self.case_id} → dispute {self.dispute_id}"


class Match(models.Model):
    """An earlier dispute with a party (or the house-level place) in common, found when a dispute was registered."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="matches")
    earlier = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=10)  # "party" or "place"
    was_open = models.BooleanField(_("open at the time"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dispute", "earlier", "reason"], name="disputes_match_once")]

    def __str__(self) -> str:
        return f"dispute {self.dispute_id} ~ {self.earlier_id} ({self.reason})"


class DisputeEvent(models.Model):
    """One thing that happened to a dispute (registered, risk changed, escalated, resolved…); append-only."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} on dispute {self.dispute_id}"


# Risk levels that are escalated to the station chief and the county 政法委, and the hours to act by default (a visit
# or mediation recorded). The policy rows (EscalationLimit, seeded with these by migration 0002) decide; a level
# without a row keeps its default here.
ESCALATED_RISKS = (Risk.HIGH, Risk.VIOLENT)
DEFAULT_ESCALATION_HOURS: dict[int, int] = {Risk.HIGH: 24, Risk.VIOLENT: 2}


class EscalationLimit(models.Model):
    """How many hours a station has to act on an escalated dispute of one risk level (policy as data, admin)."""

    risk = models.PositiveSmallIntegerField(_("risk level"), unique=True,
                                            choices=[(r.value, r.label) for r in ESCALATED_RISKS])
    hours = models.PositiveIntegerField(_("act within (hours)"))

    class Meta:
        ordering = ["risk"]
        verbose_name = _("dispute escalation limit")
        verbose_name_plural = _("dispute escalation limits")

    def __str__(self) -> str:
        return f"{self.get_risk_display()}: {self.hours} h"


# Follow-up visits scheduled when a dispute is resolved, in days after the resolution, by default (seeded as rows).
DEFAULT_FOLLOW_UP_DAYS = (7, 30)


class FollowUpVisitDay(models.Model):
    """A follow-up visit scheduled when a dispute is resolved, this many days after (policy as data, admin)."""

    days_after = models.PositiveSmallIntegerField(_("days after the resolution"), unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["days_after"]
        verbose_name = _("follow-up visit after resolution")
        verbose_name_plural = _("follow-up visits after resolution")

    def __str__(self) -> str:
        return f"+{self.days_after} d"
