"""Cases (诉求) and everything that happens to them: events, extensions, follow-ups, attachments, time-limit rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhi.cases.querysets import CaseQuerySet


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint (投诉)")
    HELP = "help", _("Help (求助)")
    INQUIRY = "inquiry", _("Inquiry (咨询)")
    SUGGESTION = "suggestion", _("Suggestion (建议)")
    REPORT = "report", _("Report (举报)")
    PRAISE = "praise", _("Praise (表扬)")
    ENTERPRISE = "enterprise", _("Enterprise need (企业诉求)")
    DISPUTE = "dispute", _("Dispute (矛盾纠纷)")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    UTILITIES = "utilities", _("Utilities (水电气热)")
    EMERGENCY = "emergency", _("Emergency")
    COMPLEX = "complex", _("Complex (疑难)")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    WEB = "web", _("Website")
    APP = "app", _("Mobile app")
    WINDOW = "window", _("Service window")
    LETTER = "letter", _("Letters and visits (信访)")
    OPEN311 = "open311", _("Open311")
    IMPORT = "import", _("Import")
    PROACTIVE = "proactive", _("Proactive (未诉先办)")


class Status(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted, awaiting dispatch")
    DISPATCHED = "dispatched", _("Dispatched, awaiting acknowledgement")
    RETURNED = "returned", _("Returned, awaiting review")
    HANDLING = "handling", _("In progress")
    SUSPENDED = "suspended", _("Waiting for the requester")
    REPLIED = "replied", _("Replied, awaiting follow-up")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another case")


OPEN_STATUSES = frozenset(s for s in Status.values if s not in {Status.CLOSED, Status.MERGED})


class Supervision(models.IntegerChoices):
    NONE = 0, _("None")
    REMINDED = 1, _("Reminded (催办)")
    SUPERVISED = 2, _("Supervised (督办)")
    FLAGGED = 3, _("Flagged (挂牌督办)")


class Resolution(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    PARTLY = "partly", _("Partly resolved")
    UNRESOLVED = "unresolved", _("Not resolved")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class Outcome(models.TextChoices):
    """What the unit's reply amounts to (办理结果类型), chosen with the reply."""

    RESOLVED = "resolved", _("Resolved (解决)")
    EXPLAINED = "explained", _("Explained (解释说明)")
    UNFOUNDED = "unfounded", _("Not borne out (不属实)")
    REFERRED = "referred", _("Referred to another channel (转其他渠道)")


class Review(models.TextChoices):
    """A public submission that looked like spam waits for a dispatcher before it joins the queue (issue 10)."""

    NONE = "", _("Not held")
    HELD = "held", _("Held for review")
    RELEASED = "released", _("Released after review")
    REJECTED = "rejected", _("Rejected as spam")


class ContactPreference(models.TextChoices):
    """How the requester wants to hear from us about the case (its number, the reply): respected by the outbound
    gateway (core/gateway.py). 电话: staff call back, nothing is texted; 不联系: nothing at all is sent."""

    SMS = "sms", _("By SMS")
    PHONE = "phone", _("By phone call only")
    NONE = "none", _("Do not contact")


class Case(models.Model):
    """One request from a citizen or an enterprise, from intake to close. Changed only by services."""

    number = models.CharField(_("case number"), max_length=32, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    priority = models.CharField(_("priority"), max_length=12, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACCEPTED)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    # db_index=False on this and the other keys below: Meta.indexes holds the index each one needs (ADR 031).
    category = models.ForeignKey(
        "taxonomy.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("category"),
        db_index=False,
    )

    requester_name = models.CharField(_("requester"), max_length=50, blank=True)
    requester_phone = models.CharField(_("phone"), max_length=20, blank=True)
    requester_id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    contact_preference = models.CharField(
        _("contact preference"), max_length=8, choices=ContactPreference.choices, default=ContactPreference.SMS,
        db_default=ContactPreference.SMS,
    )
    # Keyed digests of the three fields above (core/lookup.py): caller history and the list's search match these
    # exactly, so nobody ever searches the plain personal data. db_default: rows written by raw SQL get "" too.
    requester_phone_digest = models.CharField(max_length=32, blank=True, default="", db_default="", editable=False)
    requester_id_digest = models.CharField(max_length=32, blank=True, default="", db_default="", editable=False)
    requester_name_digest = models.CharField(max_length=32, blank=True, default="", db_default="", editable=False)
    enterprise = models.ForeignKey(
        "org.Enterprise", on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("enterprise"),
        db_index=False,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    division = models.ForeignKey(
        "org.Division", on_delete=models.PROTECT, related_name="cases", verbose_name=_("division"), db_index=False
    )
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    lead_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="lead_cases", verbose_name=_("lead unit"),
        db_index=False,
    )
    assisting_units = models.ManyToManyField("org.Unit", blank=True, related_name="assisting_cases", verbose_name=_("assisting units"))

    created_at = models.DateTimeField(_("received at"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("registered by"),
        db_index=False,
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Deadlines, computed by the SLA engine at each transition and stored so lists can sort and filter on them.
    dispatch_due = models.DateTimeField(_("dispatch due"), null=True, blank=True)
    acknowledge_due = models.DateTimeField(_("acknowledge due"), null=True, blank=True)
    reply_due = models.DateTimeField(_("reply due"), null=True, blank=True, db_index=True)
    follow_up_due = models.DateTimeField(_("follow-up due"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    extensions_granted = models.PositiveSmallIntegerField(_("extensions granted"), default=0)

    supervision = models.PositiveSmallIntegerField(_("supervision"), choices=Supervision.choices, default=Supervision.NONE)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)

    # The handler inside the lead unit the unit head gave the case to (指派); empty: the unit as a whole.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_cases",
        verbose_name=_("assigned to"), db_index=False,
    )
    # The deadline a supervisor set with a manual 督办 (the instruction is the event's note).
    supervision_due = models.DateField(_("supervision deadline"), null=True, blank=True)

    reply = models.TextField(_("reply"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    resolution = models.CharField(_("resolution"), max_length=12, choices=Resolution.choices, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    contacted = models.BooleanField(_("requester contacted"), null=True, blank=True)

    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates", verbose_name=_("merged into"),
        db_index=False,
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True)  # unique: Meta
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.NONE, blank=True)
    review_reasons = models.JSONField(_("review reasons"), default=list, blank=True)
    # Bumped by every transition; a client that acted on an older version gets a conflict, not a lost update.
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "reply_due"]),
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["division", "created_at"]),
            # Metrics links and unit dashboards: a unit's / a category's cases by date.
            models.Index(fields=["lead_unit", "created_at"]),
            models.Index(fields=["category", "created_at"]),
            # Filtered lists of a subtree ("open complaints in this county"): the status is checked in the index.
            models.Index(fields=["division", "status", "created_at"]),
            # The SLA sweep (cases/sweep.py): per clock, (level, deadline) of the cases in which that clock runs.
            # Partial, so they hold open cases only and stay small however many closed cases accumulate.
            models.Index(fields=["supervision", "dispatch_due"], name="case_sweep_dispatch",
                         condition=models.Q(status__in=["accepted", "returned"])),
            models.Index(fields=["supervision", "acknowledge_due"], name="case_sweep_acknowledge",
                         condition=models.Q(status="dispatched")),
            models.Index(fields=["supervision", "reply_due"], name="case_sweep_reply",
                         condition=models.Q(status__in=["dispatched", "handling"])),
            models.Index(fields=["supervision", "follow_up_due"], name="case_sweep_follow_up",
                         condition=models.Q(status="replied")),
            # The 专班 board (enterprises): the open needs of a set of enterprises, by age. Partial: open only.
            models.Index(fields=["enterprise", "created_at"], name="case_open_enterprise",
                         condition=models.Q(enterprise__isnull=False, status__in=sorted(OPEN_STATUSES))),
            # Every index is written again whenever a case changes (no update of a case is HOT: its status and level
            # are indexed), so each costs every transition and every escalation of a sweep's burst (ADR 031).
            # Keys that are mostly empty are indexed where they are set; the lead unit, division and category are
            # served by the composite indexes above that start with them; the digests, the idempotency key and the
            # review flag are only compared whole, so they have no `varchar_pattern_ops` twin for LIKE.
            models.Index(fields=["enterprise"], name="case_enterprise", condition=models.Q(enterprise__isnull=False)),
            models.Index(fields=["created_by"], name="case_created_by", condition=models.Q(created_by__isnull=False)),
            models.Index(fields=["assignee"], name="case_assignee", condition=models.Q(assignee__isnull=False)),
            models.Index(fields=["merged_into"], name="case_merged_into", condition=models.Q(merged_into__isnull=False)),
            models.Index(fields=["requester_phone_digest"], name="case_requester_phone"),
            models.Index(fields=["requester_id_digest"], name="case_requester_id"),
            models.Index(fields=["requester_name_digest"], name="case_requester_name"),
            # The dispatchers' review tab: held submissions by age.
            models.Index(fields=["created_at"], name="case_held_for_review", condition=models.Q(review="held")),
        ]
        constraints = [
            # A retried submission finds its case by this key (intake); NULL for cases entered without one.
            models.UniqueConstraint(fields=["idempotency_key"], name="case_idempotency_key_unique"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(models.Model):
    """One thing that happened to a case: who, when, from which unit, what changed. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case"))
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor"),
        db_index=False,  # indexed where set (Meta): the sweep's system events, most of a burst, have no actor (ADR 031)
    )
    actor_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit"), db_index=False
    )
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        # The daily roll-up reads one day of one kind of event.
        indexes = [
            models.Index(fields=["action", "created_at"]),
            # Only where set: they serve the PROTECT checks when a user or unit is deleted, never a system event.
            models.Index(fields=["actor"], name="caseevent_actor", condition=models.Q(actor__isnull=False)),
            models.Index(fields=["actor_unit"], name="caseevent_actor_unit", condition=models.Q(actor_unit__isnull=False)),
        ]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A file that came with a case (photo, scan) or was added while handling it (with the unit's reply)."""

    class Purpose(models.TextChoices):
        INTAKE = "", _("With the request")
        REPLY = "reply", _("With the reply")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("case"))
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.INTAKE, blank=True)
    # A file sent with a reply that waits for the unit head's review belongs to that draft: until the draft is
    # approved only the lead unit sees it (web.views.cases.attachment_download).
    draft = models.ForeignKey("ReplyDraft", on_delete=models.PROTECT, null=True, blank=True, related_name="attachments",
                              verbose_name=_("reply draft"))
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class ExtensionRequest(models.Model):
    """A unit asks for more time before its reply deadline; a supervisor decides."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        LAPSED = "lapsed", _("Lapsed (the case moved on before a decision)")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extension_requests", verbose_name=_("case"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("requested at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(state="pending"), name="one_pending_extension_per_case")
        ]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.case_id} +{self.working_days}"


class FollowUp(models.Model):
    """回访: the requester was called back after a reply. Every follow-up is kept; the case holds the latest."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("case"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    contacted = models.BooleanField(_("requester contacted"))
    resolution = models.CharField(_("resolution"), max_length=12, choices=Resolution.choices, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("unit assessed"))
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["created_at"])]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.case_id} {self.satisfaction}"


class SlaRule(models.Model):
    """A time limit for one clock, for cases of a kind and/or priority; the most specific matching rule wins."""

    class Clock(models.TextChoices):
        DISPATCH = "dispatch", _("Dispatch")
        ACKNOWLEDGE = "acknowledge", _("Acknowledge")
        REPLY = "reply", _("Reply")
        FOLLOW_UP = "follow_up", _("Follow-up")

    class TimeUnit(models.TextChoices):
        HOURS = "hours", _("hours (around the clock)")
        WORKING_HOURS = "working_hours", _("working hours")
        WORKING_DAYS = "working_days", _("working days")

    clock = models.CharField(_("clock"), max_length=12, choices=Clock.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, blank=True, help_text=_("Empty: any kind"))
    priority = models.CharField(
        _("priority"), max_length=12, choices=Priority.choices, blank=True, help_text=_("Empty: any priority")
    )
    amount = models.DecimalField(_("amount"), max_digits=6, decimal_places=2)
    time_unit = models.CharField(_("time unit"), max_length=14, choices=TimeUnit.choices)

    class Meta:
        ordering = ["clock", "priority", "kind"]
        constraints = [models.UniqueConstraint(fields=["clock", "kind", "priority"], name="sla_rule_unique")]
        verbose_name = _("time-limit rule")
        verbose_name_plural = _("time-limit rules")

    def __str__(self) -> str:
        return f"{self.get_clock_display()} {self.kind or '*'}/{self.priority or '*'}: {self.amount} {self.get_time_unit_display()}"


class CaseNumberSequence(models.Model):
    """The last number given out on one day; one upsert takes the next (cases/services/intake.py), so numbers never repeat."""

    day = models.DateField(_("day"), unique=True)
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ReplyReviewPolicy(models.Model):
    """Whether a unit's replies go to its head for review before they reach the requester (one row per unit).

    No row: replies go out directly. Changed by the unit's head or an administrator (services/reply_review.py).
    """

    unit = models.OneToOneField("org.Unit", on_delete=models.PROTECT, related_name="reply_review_policy", verbose_name=_("unit"))
    review_replies = models.BooleanField(_("replies are reviewed by the unit head"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("reply review policy")
        verbose_name_plural = _("reply review policies")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.review_replies}"


class ReplyDraft(models.Model):
    """A handler's reply waiting for the unit head (审核): approved, it goes out as the case's reply; returned, the
    handler edits and submits it again (the same row, one more round)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved and sent")
        LAPSED = "lapsed", _("Lapsed (the case moved on)")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reply_drafts", verbose_name=_("case"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by"))
    reply = models.TextField(_("reply"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    rounds = models.PositiveSmallIntegerField(_("times submitted"), default=1)
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        constraints = [
            # One reply in the making per case: waiting for the head, or back with the handler.
            models.UniqueConstraint(fields=["case"], condition=models.Q(state__in=["pending", "returned"]),
                                    name="one_open_reply_draft_per_case"),
        ]
        indexes = [models.Index(fields=["unit", "state"])]
        verbose_name = _("reply draft")
        verbose_name_plural = _("reply drafts")

    def __str__(self) -> str:
        return f"{self.case_id} {self.state}"


class SuspensionRequest(models.Model):
    """中止: the unit asks to stop the reply clock while it waits for the requester; a supervisor decides."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        LAPSED = "lapsed", _("Lapsed (the case moved on before a decision)")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="suspension_requests", verbose_name=_("case"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    reason = models.TextField(_("reason"))
    resume_by = models.DateField(_("expected to resume by"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("requested at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(state="pending"), name="one_pending_suspension_per_case")
        ]
        verbose_name = _("suspension request")
        verbose_name_plural = _("suspension requests")

    def __str__(self) -> str:
        return f"{self.case_id} {self.state}"
