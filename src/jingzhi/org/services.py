"""Writes to the organisation: divisions, units, users, enterprises, responsibilities (包保).

The admin, the Excel imports, the CLI and the demo loader all call these. Each takes the actor: an
administrator, or None for the system itself (demo loader, CLI); each change by a person is written to the audit log
with the fields it changed, before and after.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core import refcache
from jingzhi.core.audit import audit_record
from jingzhi.core.changes import audit_change, field_changes, snapshot
from jingzhi.core.errors import ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.org.guards import admin_required
from jingzhi.org.models import Division, Enterprise, Responsibility, Role, Unit, User

DIVISION_FIELDS = ("name", "level", "parent", "path", "population")
UNIT_FIELDS = ("name", "short_name", "kind", "division", "parent", "is_active")
USER_FIELDS = ("display_name", "role", "unit", "division", "enterprise", "phone", "is_active", "is_staff", "is_superuser")
ENTERPRISE_FIELDS = ("name", "division", "description")
RESPONSIBILITY_FIELDS = ("official", "target_type", "division", "enterprise", "site_name", "note", "is_active")


def _audit_write(
    *, actor: User | None, kind: str, key: str | int, before: dict[str, Any], after: dict[str, Any], created: bool,
    extra: dict[str, Any] | None = None,
) -> None:
    """One audit row per real change: `<kind>_create` or `<kind>_update`, with the changed fields."""
    changes = field_changes(before, after)
    if not created and not changes and not extra:
        return
    audit_change(actor=actor, action=f"{kind}_{'create' if created else 'update'}", object_type=kind, object_id=key,
                 detail={"changes": changes, **(extra or {})})

_CHILD_LEVEL = {
    None: {Division.Level.PROVINCE, Division.Level.CITY},
    Division.Level.PROVINCE: {Division.Level.CITY},
    Division.Level.CITY: {Division.Level.COUNTY},
    Division.Level.COUNTY: {Division.Level.TOWNSHIP},
    Division.Level.TOWNSHIP: {Division.Level.COMMUNITY},
    Division.Level.COMMUNITY: set(),
}


def division_upsert(
    *, actor: User | None, code: str, name: str, level: str, parent: Division | None, population: int | None = None,
) -> Division:
    """Create or update a division; its path follows its parent so subtree queries stay one prefix match.

    `population` (residents, for figures per 10,000 on the map) is set when given and kept when None.
    """
    admin_required(actor)
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
    if population is not None and not 0 < population < 100_000_000:
        errors["population"] = _("Enter the number of residents (a whole number above zero).")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    path = f"{parent.path if parent else '/'}{code}/"
    values: dict[str, Any] = {"name": name, "level": level, "parent": parent, "path": path}
    if population is not None:
        values["population"] = population
    with transaction.atomic():
        existing = Division.objects.select_for_update().filter(code=code).first()
        before = snapshot(existing, DIVISION_FIELDS)
        division, created = Division.objects.update_or_create(code=code, defaults=values)
        refcache.changing()
        _audit_write(actor=actor, kind="division", key=code, before=before, after=snapshot(division, DIVISION_FIELDS),
                     created=created)
    return division


def unit_upsert(
    *, actor: User | None, code: str, name: str, division: Division, kind: str = Unit.Kind.DEPARTMENT,
    parent: Unit | None = None, short_name: str = "", is_active: bool = True,
) -> Unit:
    """Create or update a unit (department, county government, police station...)."""
    admin_required(actor)
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
    with transaction.atomic():
        before = snapshot(Unit.objects.select_for_update().filter(code=code).first(), UNIT_FIELDS)
        unit, created = Unit.objects.update_or_create(
            code=code,
            defaults={"name": name, "division": division, "kind": kind, "parent": parent,
                      "short_name": clean_text(short_name), "is_active": is_active},
        )
        _audit_write(actor=actor, kind="unit", key=code, before=before, after=snapshot(unit, UNIT_FIELDS), created=created)
    return unit


def user_upsert(
    *, actor: User | None, username: str, role: str, display_name: str = "", unit: Unit | None = None, division: Division | None = None,
    password: str | None = None, phone: str = "", is_active: bool = True, password_hash: str | None = None,
    must_change_password: bool | None = None, enterprise: Enterprise | None = None,
) -> User:
    """Create or update a user with a role. Unit roles need a unit; leaders and supervisors a division;
    enterprise users (Role.ENTERPRISE) their enterprise, which no other role has.

    The password policy is user_save's (and the change-password page's); this lower layer only refuses the
    obviously short, so fixtures and the demo's shared hash stay fast. `must_change_password` None keeps the flag.
    Audited: creation, and every change of role, unit, division, activation, the superuser flag or the password.
    """
    admin_required(actor)
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
    if role == Role.ENTERPRISE and enterprise is None:
        errors["enterprise"] = _("An enterprise user belongs to an enterprise: choose it.")
    if password is not None and len(password) < 8:
        errors["password"] = _("A password has at least 8 characters.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    if division is None and unit is not None:
        division = unit.division
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(username=username).first()
        before = snapshot(existing, USER_FIELDS)
        user = existing or User(username=username)
        user.role, user.display_name, user.unit, user.division = role, clean_text(display_name), unit, division
        user.phone, user.is_active = (phone or "").strip(), is_active
        user.enterprise = enterprise if role == Role.ENTERPRISE else None
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        if password_hash is not None:  # already hashed: bulk loads hash one shared demo password once
            user.password = password_hash
        elif password is not None:
            user.set_password(password)
        elif user.pk is None:
            user.set_unusable_password()
        if must_change_password is not None:
            user.must_change_password = must_change_password
        user.save()
        password_set = password is not None or password_hash is not None
        _audit_write(actor=actor, kind="user", key=username, before=before, after=snapshot(user, USER_FIELDS),
                     created=existing is None, extra={"password_set": True} if password_set else None)
    return user


def admin_create_from_cli(*, username: str, password: str, display_name: str = "") -> User:
    """`jingzhi createadmin`: create an administrator, or reset one's password and role; audited.

    The command line has no signed-in actor: the row names the system (no actor) and says where it came from.
    The password policy applies (user_save), and the new administrator changes it at the first sign-in.
    """
    with transaction.atomic():
        before = User.objects.filter(username=(username or "").strip()).values_list("role", "is_superuser").first()
        user = user_save(actor=None, username=username, role=Role.ADMIN, display_name=display_name, password=password)
        audit_record(actor=None, action="admin_create", object_type="user", object_id=user.username,
                     detail={"source": "cli", "created": before is None,
                             "role_before": before[0] if before else None, "role": user.role})
    return user


def superusers_known() -> set[int]:
    return set(User.objects.filter(is_superuser=True).values_list("pk", flat=True))


def superusers_audit_new(*, known: set[int], source: str) -> int:
    """Write an audit row for each superuser that is not in `known` (made by a command outside our services)."""
    made = list(User.objects.filter(is_superuser=True).exclude(pk__in=known).order_by("pk"))
    for user in made:
        audit_record(actor=None, action="admin_create", object_type="user", object_id=user.username,
                     detail={"source": source, "created": True, "role_before": None, "role": user.role,
                             "superuser": True})
    return len(made)


def enterprise_upsert(
    *, actor: User | None, name: str, credit_code: str, division: Division, description: str = ""
) -> Enterprise:
    """Create or update an enterprise, keyed by its unified social credit code (checked, GB 32100)."""
    admin_required(actor)
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
    with transaction.atomic():
        before = snapshot(Enterprise.objects.select_for_update().filter(credit_code=code).first(), ENTERPRISE_FIELDS)
        enterprise, created = Enterprise.objects.update_or_create(
            credit_code=code, defaults={"name": clean_text(name), "division": division, "description": clean_text(description, multiline=True)}
        )
        _audit_write(actor=actor, kind="enterprise", key=code, before=before,
                     after=snapshot(enterprise, ENTERPRISE_FIELDS), created=created)
    return enterprise


def responsibility_assign(
    *, actor: User | None, official: User, division: Division | None = None, enterprise: Enterprise | None = None,
    site_name: str = "", site_division: Division | None = None, note: str = "",
) -> Responsibility:
    """包保: make `official` answer for exactly one division, enterprise or site (again active if it was ended)."""
    targets = [t for t in (division, enterprise, clean_text(site_name) or None) if t]
    if len(targets) != 1:
        msg = _("Choose exactly one division, enterprise or site.")
        raise ValidationFailed(msg, fields={"target": msg})
    if division is not None:
        kind = Responsibility.TargetType.DIVISION
    elif enterprise is not None:
        kind = Responsibility.TargetType.ENTERPRISE
    else:
        kind, division = Responsibility.TargetType.SITE, site_division
    return responsibility_set(actor=actor, responsibility=None, official=official, target_type=kind, division=division,
                              enterprise=enterprise, site_name=clean_text(site_name), note=note, is_active=True)


def responsibility_set(
    *, actor: User | None, responsibility: Responsibility | None, official: User, target_type: str,
    division: Division | None, enterprise: Enterprise | None, site_name: str, note: str, is_active: bool,
) -> Responsibility:
    """包保, created or changed: who answers for which division, enterprise or site (with its division), active or not.

    Without `responsibility`, the official's existing row for the same target is reused, so assigning twice
    keeps one row. Responsibilities are never deleted: ending one sets it inactive, and the audit log keeps who did.
    """
    admin_required(actor)
    site_name, note = (site_name or "").strip(), (note or "").strip()
    errors: dict[str, str] = {}
    if target_type == Responsibility.TargetType.DIVISION:
        if division is None or enterprise is not None or site_name:
            errors["division"] = _("A responsibility for a division names the division, and no enterprise or site.")
    elif target_type == Responsibility.TargetType.ENTERPRISE:
        if enterprise is None or site_name:
            errors["enterprise"] = _("A responsibility for an enterprise names the enterprise, and no site.")
    elif target_type == Responsibility.TargetType.SITE:
        if not site_name or enterprise is not None:
            errors["site_name"] = _("A responsibility for a site names the site (its division is optional), and no enterprise.")
    else:
        errors["target_type"] = _("Choose exactly one division, enterprise or site.")
    if official.role not in (Role.LEADER, Role.SUPERVISOR, Role.UNIT_HEAD, Role.ADMIN):
        errors["official"] = _("Only leaders, supervisors and unit heads take on 包保 responsibilities.")
    if len(note) > 200:
        errors["note"] = _("A note may have at most %(max)d characters.") % {"max": 200}
    if len(site_name) > 100:
        errors["site_name"] = _("A site name may have at most %(max)d characters.") % {"max": 100}
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    lookup: dict[str, Any]
    if target_type == Responsibility.TargetType.DIVISION:
        lookup = {"division": division}
    elif target_type == Responsibility.TargetType.ENTERPRISE:
        lookup = {"enterprise": enterprise}
    else:
        lookup = {"site_name": site_name}
    with transaction.atomic():
        if responsibility is not None:
            row: Responsibility | None = Responsibility.objects.select_for_update().filter(pk=responsibility.pk).first()
            if row is None:
                msg = _("This responsibility no longer exists.")
                raise ValidationFailed(msg, fields={"official": msg})
        else:
            row = Responsibility.objects.select_for_update().filter(
                official=official, target_type=target_type, **lookup
            ).first()
        before = snapshot(row, RESPONSIBILITY_FIELDS)
        created = row is None
        row = row or Responsibility()
        row.official, row.target_type, row.site_name, row.note, row.is_active = (
            official, target_type, site_name, note, is_active)
        row.enterprise = enterprise if target_type == Responsibility.TargetType.ENTERPRISE else None
        row.division = division  # a division target is the division itself; a site may name the one it lies in
        row.save()
        changes = field_changes(before, snapshot(row, RESPONSIBILITY_FIELDS))
        if created or changes:
            audit_change(actor=actor, action="responsibility_assign" if created else "responsibility_update",
                         object_type="responsibility", object_id=row.pk, detail={"changes": changes})
    return row


def division_save(
    *, actor: User | None, code: str, name: str, level: str, parent: Division | None, population: int | None = None,
) -> Division:
    """division_upsert for edits of an existing tree (admin, imports): keeps the tree a tree and every path right.

    Refuses a parent inside the division's own subtree and a level its existing children cannot sit under;
    when the division moves, the paths of everything below it move with it.
    """
    admin_required(actor)
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
        division = division_upsert(actor=actor, code=code, name=name, level=level, parent=parent, population=population)
        if old_path is not None and old_path != division.path:
            below = list(Division.objects.filter(path__startswith=old_path).exclude(pk=division.pk))
            for child in below:
                child.path = division.path + child.path[len(old_path):]
            Division.objects.bulk_update(below, ["path"])
            refcache.changing()
    return division


def unit_save(
    *, actor: User | None, code: str, name: str, division: Division, kind: str = Unit.Kind.DEPARTMENT, parent: Unit | None = None,
    short_name: str = "", is_active: bool = True,
) -> Unit:
    """unit_upsert for edits of an existing tree (admin, imports): a unit may not sit under one of its own sub-units."""
    admin_required(actor)
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
    return unit_upsert(actor=actor, code=code, name=name, division=division, kind=kind, parent=parent, short_name=short_name,
                       is_active=is_active)


def user_save(
    *, actor: User | None, username: str, role: str, display_name: str = "", unit: Unit | None = None,
    division: Division | None = None, password: str | None = None, phone: str = "", is_active: bool = True,
) -> User:
    """user_upsert for the admin, imports and the CLI: checks the phone number and the password policy.

    A password set here is an initial one, chosen by someone else: its owner must change it at the next
    sign-in. Setting one is audited (`password_set`), without the password.
    """
    admin_required(actor)
    from django.core.exceptions import ValidationError

    from jingzhi.core.audit import audit_record
    from jingzhi.core.validators import normalize_phone, validate_phone
    from jingzhi.org.passwords import password_problems

    errors: dict[str, str] = {}
    phone = normalize_phone((phone or "").strip())
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as e:
            errors["phone"] = str(e.messages[0])
    if password is not None:
        # The similarity rule compares with the user as they will be after this save.
        candidate = User(username=(username or "").strip(), display_name=(display_name or "").strip(), phone=phone)
        if problems := password_problems(password, candidate):
            errors["password"] = problems
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        user = user_upsert(actor=actor, username=username, role=role, display_name=display_name, unit=unit,
                           division=division, password=password, phone=phone, is_active=is_active,
                           must_change_password=True if password is not None else None)
        if password is not None:
            audit_record(actor=actor, action="password_set", object_type="user", object_id=user.pk,
                         detail={"username": user.username, "must_change": True})
    return user
