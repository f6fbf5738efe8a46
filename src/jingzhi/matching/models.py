"""Policy matching (精准对接, issue 15): the policy catalogue with versioned eligibility rules as data, the match of
each enterprise against each policy with its trace, and 免申即享 grants in the issuing unit's review queue.

The registry the rules read (enterprise, tags, yearly figures) lives in org (ADR 015); a dishonesty record
(失信) is kept here because only matching reads it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhi.matching.fields import TraceField


class Level(models.TextChoices):
    NATIONAL = "national", _("National (国家)")
    PROVINCE = "province", _("Provincial (省)")
    CITY = "city", _("City (市)")
    COUNTY = "county", _("County (县)")


class Policy(models.Model):
    """A policy (惠企政策 or 上级项目): who issued it, whether it is published; its content lives in versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    issuer = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="policies", verbose_name=_("issuing unit"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The version in force: every edit adds a version and moves this pointer; old versions stay for replay.
    current = models.ForeignKey("PolicyVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("current version"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    is_demo = models.BooleanField(_("demo data"), default=False)
    # A retried "new policy" form finds the policy its first submission made.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "issuer"])]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return self.current.title if self.current_id else f"#{self.pk}"  # type: ignore[union-attr]


class PolicyVersion(models.Model):
    """One version of a policy's content and rules; never changed after it is made (a decision points at it)."""

    class Target(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprises")
        DIVISION = "division", _("Divisions (programmes)")

    class BenefitKind(models.TextChoices):
        NONE = "none", _("No money (a title, a service)")
        FIXED = "fixed", _("A fixed amount")
        RATE = "rate", _("A share of a figure, with a cap")

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions", verbose_name=_("policy"))
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    target = models.CharField(_("target"), max_length=10, choices=Target.choices, default=Target.ENTERPRISE)
    # 免申即享: a qualifying enterprise gets the benefit without applying; the issuing unit reviews it.
    no_application = models.BooleanField(_("免申即享 (no application)"), default=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    benefit_kind = models.CharField(_("benefit"), max_length=6, choices=BenefitKind.choices, default=BenefitKind.NONE)
    # Money in 10,000 yuan (万元), as the registry's figures.
    benefit_amount = models.DecimalField(_("amount (10,000 yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    benefit_rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    benefit_base = models.CharField(_("of the figure"), max_length=20, blank=True)
    benefit_cap = models.DecimalField(_("cap (10,000 yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    # Eligibility as data: a list of {"field", "op", "value"} conditions, all of which must hold (matching/rules.py).
    conditions = models.JSONField(_("conditions"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("made by"))
    created_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique")]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class FactSnapshot(models.Model):
    """The facts of one enterprise as a decision saw them, stored once per distinct set of facts.

    Decisions (matches, grants) point at a snapshot instead of each carrying its own trace: the trace is the
    version's conditions evaluated over the snapshot (services/matching.py: decision_trace), so a decision replays
    exactly, and 10,000 enterprises × 500 policies write 10,000 snapshots, not millions of traces.
    """

    enterprise = models.ForeignKey("org.Enterprise", on_delete=models.CASCADE, related_name="fact_snapshots",
                                   verbose_name=_("enterprise"))
    # sha256 of the canonical JSON of `facts`: the same facts are one row.
    digest = models.CharField(_("digest"), max_length=64)
    # {field: [value, source, as_of]}; a blank as_of means "as registered on taken_on".
    facts = TraceField(_("facts"), default=dict)
    taken_on = models.DateField(_("taken on"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "digest"], name="fact_snapshot_unique")]
        verbose_name = _("facts snapshot")
        verbose_name_plural = _("facts snapshots")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.taken_on}"


class Match(models.Model):
    """The standing decision for one enterprise and one policy when it qualifies or nearly qualifies.

    Pairs that do not qualify keep no row: their explanation is computed when a page asks (rules are cheap),
    so a re-match writes only the rows that matter. The row keeps the version and the facts it was made with,
    so it can be replayed (services/matching.py: replay).
    """

    class Outcome(models.TextChoices):
        QUALIFIED = "qualified", _("Qualifies")
        NEAR = "near", _("Nearly qualifies")

    # A derived table (re-computable from the policies and the registry by a full re-match) written in bulk: its
    # references carry no database constraint and no index of their own — per-row foreign-key checks cost more
    # than the insert itself at two million rows (ADR 024, 2026-12-07 amendment). Deletes go through the ORM,
    # which cascades and protects in Python; the unique pair and (policy, outcome) indexes serve every lookup.
    enterprise = models.ForeignKey("org.Enterprise", on_delete=models.CASCADE, related_name="policy_matches",
                                   verbose_name=_("enterprise"), db_index=False, db_constraint=False)
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="matches", verbose_name=_("policy"),
                               db_index=False, db_constraint=False)
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="matches", verbose_name=_("version"),
                                db_index=False, db_constraint=False)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    # For a near miss: the one condition that fails and by how much.
    missing = TraceField(_("missing condition"), default=dict, blank=True)
    snapshot = models.ForeignKey(FactSnapshot, on_delete=models.PROTECT, related_name="+", verbose_name=_("facts used"),
                                 db_index=False, db_constraint=False)
    evaluated_on = models.DateField(_("evaluated for"))
    evaluated_at = models.DateTimeField(_("evaluated at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "policy"], name="match_pair_unique")]
        indexes = [models.Index(fields=["policy", "outcome"])]
        verbose_name = _("match")
        verbose_name_plural = _("matches")

    def __str__(self) -> str:
        return f"{self.enterprise_id}×{self.policy_id} {self.outcome}"


class Grant(models.Model):
    """免申即享: a benefit a qualifying enterprise gets without applying, in the issuing unit's review queue.

    One per enterprise, policy and period (a year): nothing is paid twice (the unique constraint).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        OBJECTED = "objected", _("Objected by the enterprise")

    enterprise = models.ForeignKey("org.Enterprise", on_delete=models.PROTECT, related_name="policy_grants",
                                   verbose_name=_("enterprise"))
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="grants", verbose_name=_("policy"))
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="grants", verbose_name=_("version"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="policy_grants", verbose_name=_("reviewing unit"))
    period = models.PositiveSmallIntegerField(_("period (year)"))
    amount = models.DecimalField(_("amount (10,000 yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    snapshot = models.ForeignKey(FactSnapshot, on_delete=models.PROTECT, related_name="+", verbose_name=_("facts used"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "policy", "period"], name="grant_once_per_period")]
        indexes = [models.Index(fields=["unit", "status"])]
        verbose_name = _("免申即享 grant")
        verbose_name_plural = _("免申即享 grants")

    def __str__(self) -> str:
        return f"{self.enterprise_id}×{self.policy_id} {self.period}"


class DishonestyRecord(models.Model):
    """A dishonesty listing (失信): while it stands, rules asking for "no dishonesty record" fail."""

    enterprise = models.ForeignKey("org.Enterprise", on_delete=models.CASCADE, related_name="dishonesty_records",
                                   verbose_name=_("enterprise"))
    authority = models.CharField(_("listed by"), max_length=100)
    listed_on = models.DateField(_("listed on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-listed_on"]
        verbose_name = _("dishonesty record (失信)")
        verbose_name_plural = _("dishonesty records (失信)")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.listed_on}"


class MatchingEvent(models.Model):
    """What happened to a policy or a grant, and who did it (the timeline of the catalogue and the queue)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="events", verbose_name=_("policy"))
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                              verbose_name=_("grant"))
    action = models.CharField(_("action"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("matching event")
        verbose_name_plural = _("matching events")

    def __str__(self) -> str:
        return f"{self.policy_id} {self.action}"


# Accounts, applications and payments (ADR 027) live in their own module; importing them registers them.
from jingzhi.matching.models_benefits import (  # noqa: E402, F401
    Application,
    ApplicationEvent,
    GrantConfirmation,
    PayeeAccount,
    Payment,
)

# Divisions to programmes (ADR 028) keep their models in their own module; imported here so Django finds them.
from jingzhi.matching.programmes.models import (  # noqa: E402, F401
    DivisionFigures,
    DivisionMatch,
    Effort,
    Programme,
    ProgrammeEvent,
    ProgrammeOffice,
    ProgrammeVersion,
)
