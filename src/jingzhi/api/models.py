"""API keys: per-user tokens and per-integration keys. Only a hash of the secret is stored."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A secret that signs API and Open311 calls in as a user.

    A user token acts as its owner. An integration key acts as its own service user, created with the
    key's role and division scope, so `Case.objects.visible_to` and the transition table apply unchanged.
    """

    class Kind(models.TextChoices):
        USER = "user", _("Personal token")
        INTEGRATION = "integration", _("Integration key")

    name = models.CharField(_("name"), max_length=60, unique=True)
    kind = models.CharField(_("key kind"), max_length=12, choices=Kind.choices)
    # The first characters of the key, shown in lists and used to find the row; the rest is only hashed.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("acts as")
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # This key's own budget (issue 10), e.g. "120/min"; empty: the default JINGZHI_API_RATE_KEY.
    rate = models.CharField(
        _("rate limit"), max_length=20, blank=True,
        validators=[RegexValidator(r"^\d{1,7}/(s|sec|second|m|min|minute|h|hour|d|day)$",
                                   _("Write the rate as a number of requests per second, minute, hour or day, e.g. 120/min."))],
        help_text=_("Requests this key may make, e.g. 120/min or 5000/hour; empty: the default for all keys."),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Open311Token(models.Model):
    """The token handed out with each Open311 POST; `GET tokens/{token}` turns it into the case number."""

    token = models.CharField(_("token"), max_length=32, unique=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("case"))
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="+", verbose_name=_("API key"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("Open311 token")
        verbose_name_plural = _("Open311 tokens")

    def __str__(self) -> str:
        return self.token
