"""Supply ↔ demand (精准对接, issue 15): enterprises' needs and capabilities, the term table behind the suggestions,
the service office's introductions (对接) and what came of them.

Listings, introductions and their events only grow: a listing is closed, never deleted. The term rows are
derived (the listing's words, recomputed on every write) and are dropped when a listing closes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Unit(models.TextChoices):
    """Units of quantity a need and a capability are compared in (only like with like)."""

    TONNE = "t", _("tonnes (吨)")
    KG = "kg", _("kilograms (千克)")
    PIECE = "piece", _("pieces (件)")
    SET = "set", _("sets (套)")
    METRE = "m", _("metres (米)")
    SQUARE_METRE = "m2", _("square metres (平方米)")
    CUBIC_METRE = "m3", _("cubic metres (立方米)")
    MACHINE = "unit", _("machines (台)")


class Listing(models.Model):
    """One enterprise's need (采购需求) or capability (产品/产能), open until its date or until it is closed."""

    class Kind(models.TextChoices):
        NEED = "need", _("Need (采购需求)")
        CAPABILITY = "capability", _("Capability (产品/产能)")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("supply", "Open")
        CLOSED = "closed", pgettext_lazy("supply", "Closed")

    kind = models.CharField(pgettext_lazy("supply", "kind"), max_length=10, choices=Kind.choices)
    enterprise = models.ForeignKey("org.Enterprise", on_delete=models.PROTECT, related_name="listings",
                                   verbose_name=_("enterprise"))
    title = models.CharField(_("product"), max_length=100)
    description = models.CharField(pgettext_lazy("supply", "description"), max_length=1000, blank=True)
    # A need: the quantity wanted by `wanted_by`; a capability: what it can make or supply per month.
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    # GB/T 2260 code of the place: a division of the city's tree or a place outside it (places.py).
    place_code = models.CharField(_("place code"), max_length=12)
    place_name = models.CharField(_("place"), max_length=60)
    industry = models.CharField(_("industry (GB/T 4754)"), max_length=5, blank=True)
    valid_until = models.DateField(_("open until"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(pgettext_lazy("supply", "closed at"), null=True, blank=True)
    close_reason = models.CharField(_("why closed"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("published at"), default=timezone.now)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "kind", "status"]), models.Index(fields=["kind", "status", "valid_until"])]
        verbose_name = _("supply or demand listing")
        verbose_name_plural = _("supply and demand listings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_current(self) -> bool:
        """Open and not past its date."""
        return self.status == self.Status.OPEN and self.valid_until >= timezone.localdate()


class ListingTerm(models.Model):
    """The inverted index: one weighted term of an open listing (a word, a character pair or an industry prefix).

    Kind, enterprise and date are copied in so the suggestion query filters and sums on this table alone.
    """

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="terms")
    kind = models.CharField(max_length=10)
    term = models.CharField(max_length=40)
    weight = models.FloatField()
    enterprise_id = models.IntegerField()
    valid_until = models.DateField()

    class Meta:
        # Covering: the columns the suggestion query reads are in the index, so it never reads a row of the table
        # (ADR 029). Key columns rather than INCLUDE, which SQLite does not have.
        indexes = [models.Index(fields=["kind", "term", "valid_until", "enterprise_id", "listing", "weight"],
                                name="supplydemand_term_lookup"),
                   models.Index(fields=["listing"], name="supplydemand_term_listing")]

    def __str__(self) -> str:
        return f"{self.listing_id}:{self.term}"


class Introduction(models.Model):
    """对接: the service office put a need's enterprise in touch with a capability's; the outcome is tracked."""

    class Status(models.TextChoices):
        INTRODUCED = "introduced", _("Introduced")
        CONTACTED = "contacted", _("Contacted")
        NEGOTIATING = "negotiating", _("Negotiating")
        SIGNED = "signed", _("Contract signed")
        NOT_CONCLUDED = "not_concluded", _("Not concluded")

    need = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="introductions_as_need",
                             verbose_name=_("need"))
    capability = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="introductions_as_capability",
                                   verbose_name=_("capability"))
    # A public service platform that brokered it (the rubber institute), if any.
    via = models.ForeignKey("org.Enterprise", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                            verbose_name=_("through the platform"))
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.INTRODUCED)
    score = models.FloatField(_("score"), default=0)
    # The suggestion's reasons as they were when the introduction was made.
    reasons = models.JSONField(_("reasons"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("introduced by"))
    made_at = models.DateTimeField(_("introduced at"), default=timezone.now)
    contract_value = models.DecimalField(_("contract value (10,000 yuan)"), max_digits=12, decimal_places=2,
                                         null=True, blank=True)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    outcome_reason = models.CharField(_("why not concluded"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)

    class Meta:
        ordering = ["-made_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["need", "capability"], name="supplydemand_one_introduction_per_pair")]
        indexes = [models.Index(fields=["status", "made_at"])]
        verbose_name = _("introduction (对接)")
        verbose_name_plural = _("introductions (对接)")

    def __str__(self) -> str:
        return f"{self.need_id} ↔ {self.capability_id}"


class SupplyEvent(models.Model):
    """What happened to a listing or an introduction, by whom and when (append-only)."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    introduction = models.ForeignKey(Introduction, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="events")
    action = models.CharField(pgettext_lazy("supply", "action"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=pgettext_lazy("supply", "by"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("supply and demand event")
        verbose_name_plural = _("supply and demand events")

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"
