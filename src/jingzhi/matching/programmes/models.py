"""Programmes over divisions: their versions, the divisions' yearly figures, the standing match of each county, the
application efforts and the events of all of them. Imported by matching/models.py so Django finds them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProgrammeOffice(models.Model):
    """A unit that keeps programmes (发改 / 农业农村 / 水利 …): its handlers and unit head publish programmes and enter
    the yearly figures of the divisions in its own division's subtree. Rows, not code: the city designates them."""

    unit = models.OneToOneField("org.Unit", on_delete=models.CASCADE, related_name="programme_office",
                                verbose_name=_("unit"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("programme office")
        verbose_name_plural = _("programme offices")

    def __str__(self) -> str:
        return str(self.unit)


class DivisionFigures(models.Model):
    """One year of a county-level division's figures, as the programmes' conditions read them (rules.DIVISION_FIELDS).

    Blank means "not on file" (a condition on it fails with "no data", never with a guessed zero)."""

    division = models.ForeignKey("org.Division", on_delete=models.CASCADE, related_name="programme_figures",
                                 verbose_name=_("division"))
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.DecimalField(_("resident population (10,000)"), max_digits=10, decimal_places=2, null=True, blank=True)
    gdp = models.DecimalField(_("GDP (100 million yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    primary_share = models.DecimalField(_("primary industry share (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    grain_output = models.DecimalField(_("grain output (10,000 t)"), max_digits=10, decimal_places=2, null=True, blank=True)
    cultivated_land = models.DecimalField(_("cultivated land (10,000 mu)"), max_digits=10, decimal_places=2, null=True, blank=True)
    mechanisation = models.DecimalField(_("farm mechanisation (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    forest_cover = models.DecimalField(_("forest cover (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    water_length = models.DecimalField(_("rivers and channels (km)"), max_digits=10, decimal_places=2, null=True, blank=True)
    rural_road_coverage = models.DecimalField(_("villages on hardened roads (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    provincial_demo = models.BooleanField(_("provincial demonstration zone held"), default=False)
    water_plan = models.BooleanField(_("water-system plan approved"), default=False)
    # Where the figures come from (统计公报, 统计年鉴, 部门报送): shown in every trace with the year.
    source = models.CharField(_("source"), max_length=100)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["division", "-year"]
        constraints = [models.UniqueConstraint(fields=["division", "year"], name="division_figures_year_unique")]
        verbose_name = _("division figures")
        verbose_name_plural = _("division figures")

    def __str__(self) -> str:
        return f"{self.division_id} {self.year}"


class Programme(models.Model):
    """A national or provincial programme (上级项目) counties apply for; its content lives in versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    office = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="programmes",
                               verbose_name=_("keeping office"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    current = models.ForeignKey("ProgrammeVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("current version"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    is_demo = models.BooleanField(_("demo data"), default=False)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.current.title if self.current_id else f"#{self.pk}"  # type: ignore[union-attr]


class ProgrammeVersion(models.Model):
    """One version of a programme's content and published conditions; never changed (a decision points at it)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="versions", verbose_name=_("programme"))
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    issuer = models.CharField(_("issued by"), max_length=120)  # 农业农村部、财政部 …: bodies outside the city
    level = models.CharField(_("level"), max_length=10)  # matching.models.Level (national / province)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    window_opens = models.DateField(_("applications open"), null=True, blank=True)
    window_closes = models.DateField(_("applications close"), null=True, blank=True)
    funding = models.DecimalField(_("funding (10,000 yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    # Published conditions over division facts: [{"field", "op", "value"}], all must hold (rules.DIVISION_FIELDS).
    conditions = models.JSONField(_("conditions"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("made by"))
    created_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        ordering = ["programme", "-number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="programme_version_unique")]
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def level_label(self) -> str:
        from jingzhi.matching.models import Level  # matching.models imports this module at its end

        return str(dict(Level.choices).get(self.level, self.level))


class DivisionMatch(models.Model):
    """The standing decision for one county and one programme, with the version and the facts it was made with.

    Counties are few (seven in Tieling), so every pair keeps a row, "not" included; the facts are stored on the row
    ({field: [value, source, as_of]}) and the trace is the version's conditions evaluated over them (replay)."""

    class Outcome(models.TextChoices):
        QUALIFIED = "qualified", _("Qualifies")
        NEAR = "near", _("Nearly qualifies")
        NOT = "not", _("Does not qualify")

    division = models.ForeignKey("org.Division", on_delete=models.CASCADE, related_name="programme_matches",
                                 verbose_name=_("division"))
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="matches", verbose_name=_("programme"))
    version = models.ForeignKey(ProgrammeVersion, on_delete=models.PROTECT, related_name="matches", verbose_name=_("version"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    missing = models.JSONField(_("missing condition"), default=dict, blank=True)
    facts = models.JSONField(_("facts used"), default=dict)
    evaluated_at = models.DateTimeField(_("evaluated at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["division", "programme"], name="division_match_pair_unique")]
        verbose_name = _("division match")
        verbose_name_plural = _("division matches")

    def __str__(self) -> str:
        return f"{self.division_id}×{self.programme_id} {self.outcome}"


class Effort(models.Model):
    """An application effort (申报): one county applying for one programme, a responsible official (包保) answering
    for it to a deadline, tracked through its stages to the result."""

    class Stage(models.TextChoices):
        PREPARING = "preparing", _("Preparing materials (材料准备)")
        SUBMITTED = "submitted", _("Submitted (申报)")
        REVIEWING = "reviewing", _("Under review (评审)")
        WON = "won", _("Won (入选)")
        NOT_WON = "not_won", _("Not won (未入选)")
        DROPPED = "dropped", _("Dropped")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="efforts", verbose_name=_("programme"))
    version = models.ForeignKey(ProgrammeVersion, on_delete=models.PROTECT, related_name="efforts",
                                verbose_name=_("version applied under"))
    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="programme_efforts",
                                 verbose_name=_("division"))
    official = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="programme_efforts",
                                 verbose_name=_("responsible official (包保)"))
    deadline = models.DateField(_("deadline"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.PREPARING)
    amount = models.DecimalField(_("amount won (10,000 yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [models.UniqueConstraint(
            fields=["programme", "division"], condition=models.Q(stage__in=["preparing", "submitted", "reviewing"]),
            name="effort_one_open_per_pair")]
        verbose_name = _("application effort")
        verbose_name_plural = _("application efforts")

    def __str__(self) -> str:
        return f"{self.division_id}×{self.programme_id} {self.stage}"


class ProgrammeEvent(models.Model):
    """What happened to a programme, a division's figures or an effort, and who did it (append-only)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                                  verbose_name=_("programme"))
    effort = models.ForeignKey(Effort, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                               verbose_name=_("effort"))
    division = models.ForeignKey("org.Division", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                 verbose_name=_("division"))
    action = models.CharField(_("action"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("programme event")
        verbose_name_plural = _("programme events")

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"
