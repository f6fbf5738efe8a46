"""一企一档: register and change enterprises, their tags, yearly figures and contact people; invite their users."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.changes import audit_change, field_changes, snapshot
from jingzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.masking import mask_name, mask_phone
from jingzhi.core.validators import clean_text, normalize_phone, validate_phone
from jingzhi.enterprises.access import enterprises_visible_to, is_office
from jingzhi.enterprises.checks import amount, count, credit_code_problem, industry_problem
from jingzhi.enterprises.hooks import registry_changed
from jingzhi.org.models import (
    Division,
    Enterprise,
    EnterpriseContact,
    EnterpriseFigures,
    EnterpriseTag,
    Role,
    User,
)
from jingzhi.org.services import user_upsert

FIGURE_FIELDS = ("year", "output", "tax", "rd_spend", "employees")
FIELDS = ("name", "credit_code", "division", "description", "legal_representative", "address", "industry", "size",
          "employees")


def office_required(actor: User | None) -> None:
    """The registry is kept by the enterprise service office (None: the system, e.g. the demo loader)."""
    if actor is not None and not is_office(actor):
        raise PermissionDenied(_("Only the enterprise service office keeps the registry."))


def enterprise_save(
    *, actor: User | None, enterprise: Enterprise | None, name: str, credit_code: str, division: Division | None,
    legal_representative: str = "", address: str = "", industry: str = "", size: str = "",
    employees: object = None, description: str = "", tags: Sequence[str] | None = None, is_demo: bool = False,
) -> Enterprise:
    """Register an enterprise (enterprise=None) or change one; the credit code and the name are unique."""
    office_required(actor)
    name, industry = clean_text(name), clean_text(industry).upper()
    code, problem = credit_code_problem(clean_text(credit_code))
    errors: dict[str, str] = {}
    if problem:
        errors["credit_code"] = problem
    if not name:
        errors["name"] = _("Enter the enterprise's name.")
    elif len(name) > 100:
        errors["name"] = _("A name has at most 100 characters.")
    if division is None:
        errors["division"] = _("Choose the division the enterprise is in.")
    if industry_problem(industry):
        errors["industry"] = industry_problem(industry)
    if size and size not in Enterprise.Size.values:
        errors["size"] = _("Size is one of large, medium, small or micro.")
    staff = count(employees, label=_("Employees"), errors=errors, key="employees")
    bad_tags = [t for t in (tags or ()) if t not in EnterpriseTag.Tag.values]
    if bad_tags:
        errors["tags"] = _("Unknown tag “%(tag)s”.") % {"tag": bad_tags[0]}
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        row = None
        if enterprise is not None:
            row = Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
            if row is None:
                raise NotFound(_("This enterprise does not exist."))
        clash = Enterprise.objects.filter(credit_code=code).exclude(pk=row.pk if row else 0).first()
        if clash is not None:
            msg = _("This credit code is already registered for “%(name)s”.") % {"name": clash.name}
            raise ValidationFailed(msg, fields={"credit_code": msg})
        clash = Enterprise.objects.filter(name=name).exclude(pk=row.pk if row else 0).first()
        if clash is not None:
            msg = _("“%(name)s” is already registered (credit code %(code)s).") % {"name": name, "code": clash.credit_code}
            raise ValidationFailed(msg, fields={"name": msg})
        before = snapshot(row, FIELDS)
        created = row is None
        row = row or Enterprise(is_demo=is_demo)
        row.name, row.credit_code, row.division = name, code, division  # type: ignore[assignment]
        row.legal_representative = clean_text(legal_representative)[:50]
        row.address, row.industry, row.size = clean_text(address)[:200], industry, size or ""
        row.employees, row.description = staff, clean_text(description, multiline=True)[:200]
        row.save()
        if tags is not None:
            _set_tags(row, tags)
        changes = field_changes(before, snapshot(row, FIELDS))
        if created or changes:
            audit_change(actor=actor, action="enterprise_create" if created else "enterprise_update",
                         object_type="enterprise", object_id=code, detail={"changes": changes})
        # Policy matching re-matches this enterprise after the commit (enterprises/hooks.py).
        registry_changed([row.pk])
    return row


def _set_tags(enterprise: Enterprise, tags: Iterable[str]) -> None:
    wanted = set(tags)
    EnterpriseTag.objects.filter(enterprise=enterprise).exclude(tag__in=wanted).delete()
    have = set(EnterpriseTag.objects.filter(enterprise=enterprise).values_list("tag", flat=True))
    EnterpriseTag.objects.bulk_create([EnterpriseTag(enterprise=enterprise, tag=t) for t in sorted(wanted - have)])


def _own(actor: User | None, enterprise: Enterprise) -> Enterprise:
    """Re-read the enterprise through the visibility rule, locked (None: the system)."""
    qs = Enterprise.objects.all() if actor is None else enterprises_visible_to(actor)
    row = qs.select_for_update().filter(pk=enterprise.pk).first()
    if row is None:
        raise NotFound(_("This enterprise does not exist."))
    return row


def figures_set(
    *, actor: User | None, enterprise: Enterprise, year: object, output: object = None, tax: object = None,
    rd_spend: object = None, employees: object = None,
) -> EnterpriseFigures:
    """One year's figures (output, tax, R&D spend in 10,000 yuan; employees): a second save of a year replaces it."""
    office_required(actor)
    errors: dict[str, str] = {}
    y = count(year, label=_("Year"), errors=errors, key="year")
    if y is not None and not 1949 <= y <= 2100:
        errors["year"] = _("Enter a year between 1949 and 2100.")
    values = {
        "output": amount(output, label=_("Output"), errors=errors, key="output"),
        "tax": amount(tax, label=_("Tax paid"), errors=errors, key="tax"),
        "rd_spend": amount(rd_spend, label=_("R&D spend"), errors=errors, key="rd_spend"),
        "employees": count(employees, label=_("Employees"), errors=errors, key="employees"),
    }
    if y is None and "year" not in errors:
        errors["year"] = _("Enter the year.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        row = _own(actor, enterprise)
        current = EnterpriseFigures.objects.select_for_update().filter(enterprise=row, year=y or 0).first()
        before = snapshot(current, FIGURE_FIELDS)
        figures, _created = EnterpriseFigures.objects.update_or_create(enterprise=row, year=y or 0, defaults=values)
        changes = field_changes(before, snapshot(figures, FIGURE_FIELDS))
        if changes:
            audit_change(actor=actor, action="enterprise_figures_set", object_type="enterprise", object_id=row.credit_code,
                         detail={"year": y, "changes": changes})
        registry_changed([row.pk])
    return figures


def contact_add(*, actor: User | None, enterprise: Enterprise, name: str, phone: str = "", position: str = "") -> EnterpriseContact:
    """A contact person (personal data: shown masked, revealed only with an audit row)."""
    office_required(actor)
    errors: dict[str, str] = {}
    name, phone = clean_text(name)[:50], normalize_phone(clean_text(phone))
    if not name:
        errors["name"] = _("Enter the contact's name.")
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as e:
            errors["phone"] = str(e.messages[0])
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        row = _own(actor, enterprise)
        # A retried submission (the same person again) returns the first row instead of a second one.
        same = EnterpriseContact.objects.filter(enterprise=row, name=name, phone=phone).first()
        if same is not None:
            return same
        contact = EnterpriseContact.objects.create(enterprise=row, name=name, phone=phone,
                                                   position=clean_text(position)[:50])
        # Personal data entered by a person: audited, with the person masked (the log is no second copy of the data).
        if actor is not None:
            audit_record(actor=actor, action="enterprise_contact_add", object_type="enterprise_contact",
                         object_id=contact.pk,
                         detail={"enterprise": row.credit_code, "name": mask_name(name), "phone": mask_phone(phone)})
    return contact


def enterprise_user_invite(
    *, actor: User | None, enterprise: Enterprise, username: str, display_name: str, phone: str = "",
    password: str,
) -> User:
    """The office invites a person of the enterprise: a user with Role.ENTERPRISE bound to it, who must change the
    initial password at the first sign-in. Audited with the inviting officer as actor."""
    office_required(actor)
    from jingzhi.org.passwords import password_problems

    username = clean_text(username)
    errors: dict[str, str] = {}
    if User.objects.filter(username=username).exists():
        errors["username"] = _("The user name “%(name)s” is taken.") % {"name": username}
    candidate = User(username=username, display_name=clean_text(display_name), phone=phone)
    problems = password_problems(password, user=candidate)
    if problems:
        errors["password"] = problems
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        row = _own(actor, enterprise)
        # user_upsert is the one writer of users (admins only); the office's right to invite was checked above.
        user = user_upsert(actor=None, username=username, role=Role.ENTERPRISE, display_name=display_name,
                           division=row.division, phone=phone, password=password, must_change_password=True,
                           enterprise=row)
        audit_record(actor=actor, action="enterprise_user_invite", object_type="user", object_id=user.username,
                     detail={"enterprise": row.credit_code})
    return user
