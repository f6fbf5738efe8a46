"""Writes to the organisation: divisions, units, users, responsibilities. Imports call these too."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core.errors import ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.org.models import Division, Enterprise, Responsibility, Role, Unit, User

_CHILD_LEVEL = {
    None: {Division.Level.PROVINCE, Division.Level.CITY},
    Division.Level.PROVINCE: {Division.Level.CITY},
    Division.Level.CITY: {Division.Level.COUNTY},
    Division.Level.COUNTY: {Division.Level.TOWNSHIP},
    Division.Level.TOWNSHIP: {Division.Level.COMMUNITY},
    Division.Level.COMMUNITY: set(),
}


def division_upsert(*, code: str, name: str, level: str, parent: Division | None) -> Division:
    """Create or update a division; its path follows its parent so subtree queries stay one prefix match."""
    code, name = (code or "").strip(), clean_text(name)
    errors: dict[str, str] = {}
    if not code.isdigit() or len(code) not in (6, 9, 12):
        errors["code"] = _("A division code has 6, 9 or 12 digits (GB/T 2260).")
    if not name:
        errors["name"] = _("Enter the division's name.")
    if level not in Division.Level.values:
        errors["level"] = _("Unknown level.")
    elif level not in _CHILD_LEVEL[parent.level if parent else None]:  # type: ignore[index]
        errors["level"] = _("A %(level)s cannot sit under %(parent)s.") % {
            "level": Division.Level(level).label,
            "parent": parent.name if parent else _("the top of the tree"),
        }
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    path = f"{parent.path if parent else '/'}{code}/"
    with transaction.atomic():
        division, _created = Division.objects.update_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent, "path": path}
        )
    return division


def unit_upsert(
    *, code: str, name: str, division: Division, kind: str = Unit.Kind.DEPARTMENT, parent: Unit | None = None,
    short_name: str = "", is_active: bool = True,
) -> Unit:
    """Create or update a unit (department, county government, police station...)."""
    code, name = (code or "").strip(), clean_text(name)
    errors: dict[str, str] = {}
    if not code or len(code) > 30:
        errors["code"] = _("Enter a unit code of at most 30 characters.")
    if not name:
        errors["name"] = _("Enter the unit's name.")
    if kind not in Unit.Kind.values:
        errors["kind"] = _("Unknown kind of unit.")
    if parent is not None and parent.code == code:
        errors["parent"] = _("A unit cannot be its own parent.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    unit, _created = Unit.objects.update_or_create(
        code=code,
        defaults={"name": name, "division": division, "kind": kind, "parent": parent,
                  "short_name": clean_text(short_name), "is_active": is_active},
    )
    return unit


def user_upsert(
    *, username: str, role: str, display_name: str = "", unit: Unit | None = None, division: Division | None = None,
    password: str | None = None, phone: str = "", is_active: bool = True, password_hash: str | None = None,
) -> User:
    """Create or update a user with a role. Unit roles need a unit; leaders and supervisors a division."""
    username = (username or "").strip()
    errors: dict[str, str] = {}
    if not username or len(username) > 150:
        errors["username"] = _("Enter a user name.")
    if role not in Role.values:
        errors["role"] = _("Unknown role.")
    if role in (Role.HANDLER, Role.UNIT_HEAD, Role.OPERATOR, Role.DISPATCHER) and unit is None:
        errors["unit"] = _("This role needs a unit.")
    if role in (Role.LEADER, Role.SUPERVISOR) and division is None and unit is None:
        errors["division"] = _("This role needs a division.")
    if password is not None and len(password) < 8:
        errors["password"] = _("A password has at least 8 characters.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    if division is None and unit is not None:
        division = unit.division
    user = User.objects.filter(username=username).first() or User(username=username)
    user.role, user.display_name, user.unit, user.division = role, clean_text(display_name), unit, division
    user.phone, user.is_active = (phone or "").strip(), is_active
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    if password_hash is not None:  # already hashed: bulk loads hash one shared demo password once
        user.password = password_hash
    elif password is not None:
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    user.save()
    return user


def enterprise_upsert(*, name: str, credit_code: str, division: Division, description: str = "") -> Enterprise:
    """Create or update an enterprise, keyed by its unified social credit code (checked, GB 32100)."""
    from django.core.exceptions import ValidationError

    from jingzhi.core.validators import validate_credit_code

    code = (credit_code or "").strip().upper()
    errors: dict[str, str] = {}
    try:
        validate_credit_code(code)
    except ValidationError as e:
        errors["credit_code"] = str(e.messages[0])
    if not clean_text(name):
        errors["name"] = _("Enter the enterprise's name.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    enterprise, _created = Enterprise.objects.update_or_create(
        credit_code=code, defaults={"name": clean_text(name), "division": division, "description": clean_text(description, multiline=True)}
    )
    return enterprise


def responsibility_assign(
    *, official: User, division: Division | None = None, enterprise: Enterprise | None = None, site_name: str = "",
    site_division: Division | None = None, note: str = "",
) -> Responsibility:
    """包保: make `official` answer for exactly one division, enterprise or site."""
    targets = [t for t in (division, enterprise, clean_text(site_name) or None) if t]
    if len(targets) != 1:
        msg = _("Choose exactly one division, enterprise or site.")
        raise ValidationFailed(msg, fields={"target": msg})
    if official.role not in (Role.LEADER, Role.SUPERVISOR, Role.UNIT_HEAD, Role.ADMIN):
        msg = _("Only leaders, supervisors and unit heads take on 包保 responsibilities.")
        raise ValidationFailed(msg, fields={"official": msg})
    lookup: dict[str, Any]
    if division is not None:
        kind, lookup = Responsibility.TargetType.DIVISION, {"division": division}
    elif enterprise is not None:
        kind, lookup = Responsibility.TargetType.ENTERPRISE, {"enterprise": enterprise}
    else:
        kind, lookup = Responsibility.TargetType.SITE, {"site_name": clean_text(site_name)}
    resp, _created = Responsibility.objects.update_or_create(
        official=official, target_type=kind, **lookup,
        defaults={"note": note, "is_active": True, **({"division": site_division} if site_division else {})},
    )
    return resp


def division_save(*, code: str, name: str, level: str, parent: Division | None) -> Division:
    """division_upsert for edits of an existing tree (admin, imports): keeps the tree a tree and every path right.

    Refuses a parent inside the division's own subtree and a level its existing children cannot sit under;
    when the division moves, the paths of everything below it move with it.
    """
    code = (code or "").strip()
    existing = Division.objects.filter(code=code).first() if code else None
    errors: dict[str, str] = {}
    if existing is not None:
        if parent is not None and parent.path.startswith(existing.path):
            errors["parent"] = _("A division cannot sit under itself or under one of its own divisions.")
        if level in Division.Level.values and level != existing.level:
            allowed = _CHILD_LEVEL[Division.Level(level)]
            clash = existing.children.exclude(level__in=allowed).first()
            if clash is not None:
                errors["level"] = _("%(child)s (%(child_level)s) sits under this division and cannot sit under a %(level)s.") % {
                    "child": clash.name,
                    "child_level": clash.get_level_display(),
                    "level": Division.Level(level).label,
                }
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        old_path = existing.path if existing is not None else None
        division = division_upsert(code=code, name=name, level=level, parent=parent)
        if old_path is not None and old_path != division.path:
            below = list(Division.objects.filter(path__startswith=old_path).exclude(pk=division.pk))
            for child in below:
                child.path = division.path + child.path[len(old_path):]
            Division.objects.bulk_update(below, ["path"])
    return division


def unit_save(
    *, code: str, name: str, division: Division, kind: str = Unit.Kind.DEPARTMENT, parent: Unit | None = None,
    short_name: str = "", is_active: bool = True,
) -> Unit:
    """unit_upsert for edits of an existing tree (admin, imports): a unit may not sit under one of its own sub-units."""
    code = (code or "").strip()
    ancestor, seen = parent, set()
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.code == code and ancestor is not parent:
            raise ValidationFailed(
                _("Please correct the marked fields."),
                fields={"parent": _("A unit cannot sit under one of its own sub-units.")},
            )
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    return unit_upsert(code=code, name=name, division=division, kind=kind, parent=parent, short_name=short_name,
                       is_active=is_active)


def user_save(
    *, username: str, role: str, display_name: str = "", unit: Unit | None = None, division: Division | None = None,
    password: str | None = None, phone: str = "", is_active: bool = True, password_hash: str | None = None,
) -> User:
    """user_upsert for the admin and imports: also checks the phone number and the password policy."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError

    from jingzhi.core.validators import normalize_phone, validate_phone

    errors: dict[str, str] = {}
    phone = normalize_phone((phone or "").strip())
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as e:
            errors["phone"] = str(e.messages[0])
    if password is not None:
        try:
            password_validation.validate_password(password)
        except ValidationError as e:
            errors["password"] = " ".join(str(m) for m in e.messages)
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    return user_upsert(username=username, role=role, display_name=display_name, unit=unit, division=division,
                       password=password, phone=phone, is_active=is_active)
