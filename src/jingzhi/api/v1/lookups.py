"""Names in a request body → the rows they name, or a field error saying which name is unknown."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingzhi.core.errors import ValidationFailed
from jingzhi.org.models import Division, Unit, User
from jingzhi.taxonomy.models import Category


def unit_by_code(code: str, field: str = "unit") -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        msg = _("There is no unit with the code “%(code)s”.") % {"code": code[:30]}
        raise ValidationFailed(msg, fields={field: msg})
    return unit


def category_by_id(pk: int, field: str = "category") -> Category:
    category = Category.objects.filter(pk=pk).first()
    if category is None:
        msg = _("There is no category with the id %(id)s.") % {"id": pk}
        raise ValidationFailed(msg, fields={field: msg})
    return category


def units_by_code(codes: list[str], field: str) -> list[Unit]:
    return [unit_by_code(code, field) for code in codes]


def user_by_username(username: str, field: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        msg = _("There is no active user “%(username)s”.") % {"username": username[:50]}
        raise ValidationFailed(msg, fields={field: msg})
    return user


def division_by_code(code: str, field: str = "division") -> Division:
    division = Division.objects.filter(code=code).first()
    if division is None:
        msg = _("There is no division with the code “%(code)s”.") % {"code": code[:20]}
        raise ValidationFailed(msg, fields={field: msg})
    return division
