"""Creating, revoking and checking API keys. The secret is shown once; only its SHA-256 is kept."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.api.models import ApiKey
from jingzhi.cases.models import Case
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import NotFound, ValidationFailed
from jingzhi.org.guards import admin_required
from jingzhi.org.models import Division, Role, Unit, User
from jingzhi.org.services import user_upsert

KEY_PREFIX = "jz_"
# Service users of integration keys carry this prefix so that nobody mistakes them for people.
SERVICE_USER_PREFIX = "apikey:"
# A key is used at most this often per minute-ish: the last-used stamp is written at most once a minute.
_TOUCH_SECONDS = 60


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def _service_unit(role: str, unit_code: str, errors: dict[str, str]) -> Unit | None:
    if unit_code:
        unit = Unit.objects.filter(code=unit_code, is_active=True).first()
        if unit is None:
            errors["unit"] = _("There is no active unit with the code “%(code)s”.") % {"code": unit_code}
        return unit
    if role in (Role.OPERATOR, Role.DISPATCHER):
        # Intake and dispatch integrations speak for the hotline centre unless told otherwise.
        return Unit.objects.filter(kind=Unit.Kind.HOTLINE, is_active=True).order_by("code").first()
    return None


def apikey_create(
    *,
    name: str,
    actor: User | None,
    user: User | None = None,
    role: str = "",
    division_code: str = "",
    unit_code: str = "",
    rate: str = "",
) -> tuple[ApiKey, str]:
    """Create a personal token (for `user`) or an integration key (with its own role and scope).

    Returns the key row and the secret; the secret is not stored and cannot be shown again. Administrators only
    (or the CLI: actor None); audited.
    """
    admin_required(actor)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name or len(name) > 60:
        errors["name"] = _("Give the key a name of at most 60 characters.")
    elif ApiKey.objects.filter(name=name).exists():
        errors["name"] = _("A key named “%(name)s” already exists.") % {"name": name}
    division = unit = None
    if user is None:
        if role not in Role.values:
            errors["role"] = _("Choose a role for the integration key.")
        if division_code:
            division = Division.objects.filter(code=division_code.strip()).first()
            if division is None:
                errors["division"] = _("There is no division with the code “%(code)s”.") % {"code": division_code}
        if role in Role.values:
            unit = _service_unit(role, unit_code.strip(), errors)
    elif not user.is_active:
        errors["user"] = _("This user is inactive.")
    rate = (rate or "").strip().replace(" ", "")
    if _rate_error(rate):
        errors["rate"] = str(_rate_error(rate))
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    prefix, secret = _new_secret()
    with transaction.atomic():
        if user is None:
            user = user_upsert(
                actor=actor,
                username=f"{SERVICE_USER_PREFIX}{name}"[:150], role=role, unit=unit, division=division,
                display_name=_("Integration %(name)s") % {"name": name},
            )
            kind = ApiKey.Kind.INTEGRATION
        else:
            kind = ApiKey.Kind.USER
        key = ApiKey.objects.create(
            name=name, kind=kind, prefix=prefix, key_hash=_hash(secret), user=user,
            created_at=timezone.now(), created_by=actor, rate=rate,
        )
        audit_record(actor=actor, action="apikey_create", object_type="api_key", object_id=key.name,
                     detail={"kind": key.kind, "user": user.username, "role": user.role, "prefix": prefix,
                             "source": "cli" if actor is None else "admin"})
    return key, secret


_RATE = re.compile(r"^\d{1,7}/(s|sec|second|m|min|minute|h|hour|d|day)$")


def _rate_error(rate: str) -> str | None:
    if rate and not _RATE.match(rate):
        return _("Write the rate as a number of requests per second, minute, hour or day, e.g. 120/min.")
    return None


def apikey_set_rate(*, actor: User | None, name: str, rate: str) -> ApiKey:
    """Give a key its own rate limit (empty: back to the default); administrators (None: the CLI); audited."""
    admin_required(actor)
    rate = (rate or "").strip().replace(" ", "")
    error = _rate_error(rate)
    if error:
        raise ValidationFailed(error, fields={"rate": error})
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(name=(name or "").strip()).first()
        if key is None:
            raise NotFound(_("There is no API key named “%(name)s”.") % {"name": name})
        before, key.rate = key.rate, rate
        key.save(update_fields=["rate"])
        audit_record(actor=actor, action="apikey_rate", object_type="api_key", object_id=key.pk,
                     detail={"name": key.name, "from": before, "to": rate})
    return key


def apikey_revoke(*, actor: User | None, name: str) -> ApiKey:
    """Revoke a key at once; an integration key's service user is deactivated with it. Audited."""
    admin_required(actor)
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(name=(name or "").strip()).first()
        if key is None:
            raise NotFound(_("There is no API key named “%(name)s”.") % {"name": name})
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            if key.kind == ApiKey.Kind.INTEGRATION:
                User.objects.filter(pk=key.user_id).update(is_active=False)
            audit_record(actor=actor, action="apikey_revoke", object_type="api_key", object_id=key.name,
                         detail={"kind": key.kind, "prefix": key.prefix,
                                 "user_deactivated": key.kind == ApiKey.Kind.INTEGRATION,
                                 "source": "cli" if actor is None else "admin"})
    return key


def apikey_check(secret: str) -> ApiKey | None:
    """The active key this secret belongs to, or None. Constant-time comparison of the hashes."""
    secret = (secret or "").strip()
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    prefix = secret[len(KEY_PREFIX):].split("_", 1)[0]
    key = _active_key_with_user(prefix)
    if key is None or not hmac.compare_digest(key.key_hash, _hash(secret)) or not key.user.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > _TOUCH_SECONDS:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


# The key, its user and the user's unit (a create's 201 body names it on the timeline: cases/services/intake.py), as
# the ORM would read them with select_related("user__unit"). Every API request asks this, and the ORM spent more
# Python compiling that three-table query than anything else on a create (issue 12), so its SQL is written out here
# from the models' own fields and the rows become instances the way the ORM makes them (Model.from_db, with the
# database backend's and the fields' converters).
_KEY_MODELS = ((ApiKey, "k"), (User, "u"), (Unit, "n"))


def _key_sql(quote: Callable[[str], str]) -> str:
    columns = ", ".join(f"{alias}.{quote(str(f.column))}" for model, alias in _KEY_MODELS for f in model._meta.concrete_fields)
    key, user, unit = (quote(m._meta.db_table) for m, _a in _KEY_MODELS)

    def col(model: Any, name: str) -> str:
        return quote(str(model._meta.get_field(name).column))

    return (f"SELECT {columns} FROM {key} k "  # noqa: S608
            f"INNER JOIN {user} u ON u.{quote(str(User._meta.pk.column))} = k.{col(ApiKey, 'user')} "  # type: ignore[union-attr]
            f"LEFT OUTER JOIN {unit} n ON n.{quote(str(Unit._meta.pk.column))} = u.{col(User, 'unit')} "  # type: ignore[union-attr]
            f"WHERE k.{col(ApiKey, 'prefix')} = %s AND k.{col(ApiKey, 'revoked_at')} IS NULL")


def _active_key_with_user(prefix: str) -> ApiKey | None:
    """The unrevoked key with this (unique) prefix, its user and the user's unit loaded; None if there is none."""
    db = router.db_for_read(ApiKey)
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(_key_sql(connection.ops.quote_name), [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    made: list[Any] = []
    for model, alias in _KEY_MODELS:
        fields = model._meta.concrete_fields
        converted = []
        for field in fields:
            value, col = next(values), field.get_col(alias)
            for convert in connection.ops.get_db_converters(col) + field.get_db_converters(connection):
                value = convert(value, col, connection)
            converted.append(value)
        # A user without a unit: the outer join gave NULLs, and the ORM caches None for the relation.
        made.append(None if model is Unit and converted[0] is None else
                    model.from_db(db, [f.attname for f in fields], converted))
    key, user, unit = made
    ApiKey.user.field.set_cached_value(key, user)  # type: ignore[attr-defined]
    User.unit.field.set_cached_value(user, unit)  # type: ignore[attr-defined]
    return key  # type: ignore[no-any-return]


def open311_token_for(*, case: Case, api_key: ApiKey) -> str:
    """The token of an Open311 submission; a retried POST gets the token of the first one."""
    from jingzhi.api.models import Open311Token

    with transaction.atomic():
        existing = Open311Token.objects.filter(case=case, api_key=api_key).first()
        if existing is not None:
            return existing.token
        return Open311Token.objects.create(
            token=secrets.token_hex(16), case=case, api_key=api_key, created_at=timezone.now()
        ).token
