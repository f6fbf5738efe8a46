"""The organisation: the division tree, units, users and their roles, 包保 responsibilities, enterprises."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhi.core.validators import validate_credit_code


class Division(models.Model):
    """An administrative division (GB/T 2260 code): province → city → county → township → community."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County / district")
        TOWNSHIP = "township", _("Township / subdistrict")
        COMMUNITY = "community", _("Community / village")

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    # Materialised path "/211200/211202/" so a subtree is one indexed prefix match.
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    # Residents (the latest census), for figures per 10,000 residents on the map; blank where unknown.
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A government body that handles cases: a department, a county government, a police station, a utility."""

    class Kind(models.TextChoices):
        HOTLINE = "hotline", _("Hotline centre")
        DEPARTMENT = "department", _("Department")
        COUNTY_GOVERNMENT = "county_government", _("County-level government")
        TOWNSHIP_GOVERNMENT = "township_government", _("Township government")
        POLICE_STATION = "police_station", _("Police station")
        # 政法委: the committee that oversees dispute resolution (矛盾纠纷排查化解) in its division's subtree.
        POLITICAL_LEGAL = "political_legal", _("Political and legal affairs committee (政法委)")
        UTILITY = "utility", _("Public utility")
        COURT = "court", _("Court")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="units", verbose_name=_("division"))
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent unit")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator (受理)")
    DISPATCHER = "dispatcher", _("Dispatcher (派单)")
    HANDLER = "handler", _("Unit handler (承办人)")
    UNIT_HEAD = "unit_head", _("Unit head (单位负责人)")
    SUPERVISOR = "supervisor", _("Supervisor (督办)")
    LEADER = "leader", _("Leader (领导)")
    ADMIN = "admin", _("Administrator")
    # A person of one enterprise (issue 14): signs in at the enterprise's own door and sees that enterprise only.
    ENTERPRISE = "enterprise", _("Enterprise user (企业用户)")


class User(AbstractUser):
    """A person who signs in. Role, unit and division decide what they may do and see."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.HANDLER)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("unit"))
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("division")
    )
    display_name = models.CharField(_("name"), max_length=50, blank=True)
    # Set for Role.ENTERPRISE only: the one enterprise whose needs and page this user sees.
    enterprise = models.ForeignKey(
        "Enterprise", on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("enterprise")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # An initial password set by someone else (an administrator, an import, the CLI) must be replaced at the
    # first sign-in: web/signin.py sends the user to the change-password page until it is.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    objects = UserManager()  # type: ignore[misc]  # the stubs declare it a ClassVar on AbstractUser

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Enterprise(models.Model):
    """A company the city serves point to point (跑在前面); identified by its unified social credit code.

    The registry (一企一档, issue 14) keeps its fields here, in org, so that every feature app (enterprise
    service, policy matching) can read them without importing another feature app (ADR 015).
    """

    class Size(models.TextChoices):
        # 《统计上大中小微型企业划分办法》
        LARGE = "large", _("Large")
        MEDIUM = "medium", _("Medium")
        SMALL = "small", _("Small")
        MICRO = "micro", _("Micro")

    name = models.CharField(_("name"), max_length=100, unique=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code])
    division = models.ForeignKey(Division, on_delete=models.PROTECT, verbose_name=_("division"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # GB/T 4754-2017: a section letter and up to four digits (C3670 = 汽车零部件及配件制造).
    industry = models.CharField(_("industry (GB/T 4754)"), max_length=5, blank=True, db_index=True)
    size = models.CharField(_("size"), max_length=8, choices=Size.choices, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name


class EnterpriseTag(models.Model):
    """One label an enterprise holds (专精特新, 高新技术企业…): a row each, so rules can filter on them anywhere."""

    class Tag(models.TextChoices):
        SPECIALISED = "specialised", _("Specialised and innovative (专精特新)")
        LITTLE_GIANT = "little_giant", _("Little giant (小巨人)")
        HIGH_TECH = "high_tech", _("High-tech enterprise (高新技术企业)")
        TECH_SME = "tech_sme", _("Technology-based SME (科技型中小企业)")
        EAGLET = "eaglet", _("Eaglet (雏鹰)")
        GAZELLE = "gazelle", _("Gazelle (瞪羚)")
        ABOVE_SCALE = "above_scale", _("Above designated size (规上)")
        KEY = "key", _("Key enterprise (重点企业)")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tags", verbose_name=_("enterprise"))
    tag = models.CharField(_("tag"), max_length=16, choices=Tag.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "tag"], name="enterprise_tag_unique")]
        indexes = [models.Index(fields=["tag", "enterprise"])]
        verbose_name = _("enterprise tag")
        verbose_name_plural = _("enterprise tags")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.tag}"


class EnterpriseFigures(models.Model):
    """One year of an enterprise's figures (output, tax, R&D spend in 10,000 yuan; employees at year end)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="figures", verbose_name=_("enterprise"))
    year = models.PositiveSmallIntegerField(_("year"))
    output = models.DecimalField(_("output (10,000 yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    tax = models.DecimalField(_("tax paid (10,000 yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    rd_spend = models.DecimalField(_("R&D spend (10,000 yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="enterprise_figures_year_unique")]
        verbose_name = _("yearly figures")
        verbose_name_plural = _("yearly figures")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"


class EnterpriseContact(models.Model):
    """A contact person at an enterprise (personal data: masked in lists and exports)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("enterprise"))
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    position = models.CharField(_("position"), max_length=50, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")

    def __str__(self) -> str:
        return self.name


class Responsibility(models.Model):
    """包保: a named official answers for a division, an enterprise or a site; escalation follows it."""

    class TargetType(models.TextChoices):
        DIVISION = "division", _("Division")
        ENTERPRISE = "enterprise", _("Enterprise")
        SITE = "site", _("Site")

    official = models.ForeignKey(User, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("official"))
    target_type = models.CharField(_("answers for"), max_length=12, choices=TargetType.choices)
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, null=True, blank=True, related_name="responsibilities", verbose_name=_("division")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, null=True, blank=True, related_name="responsibilities", verbose_name=_("enterprise")
    )
    site_name = models.CharField(_("site"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("responsibility (包保)")
        verbose_name_plural = _("responsibilities (包保)")
        constraints = [
            models.CheckConstraint(
                name="responsibility_target_matches_type",
                condition=(
                    models.Q(target_type="division", division__isnull=False, enterprise__isnull=True)
                    | models.Q(target_type="enterprise", enterprise__isnull=False)
                    | models.Q(target_type="site") & ~models.Q(site_name="")
                ),
            )
        ]

    def __str__(self) -> str:
        target = self.division or self.enterprise or self.site_name
        return f"{self.official} → {target}"
