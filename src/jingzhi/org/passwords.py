"""The password policy's own rule: characters from several classes (等保 2.0 asks for complexity, not only length)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """How many of the four classes appear: upper-case letters, lower-case letters, digits, anything else."""
    return sum((
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


class CharacterClassesValidator:
    """At least `min_classes` of: upper-case, lower-case, digits, symbols (Chinese characters count as symbols)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = max(1, min(4, min_classes))

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "The password must mix at least %(n)d kind of character: upper-case letters, lower-case letters, digits, symbols.",
            "The password must mix at least %(n)d kinds of character: upper-case letters, lower-case letters, digits, symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}


def password_problems(password: str, user: Any = None) -> str:
    """The policy's complaints about `password` as one sentence for a form field, or "" when it passes."""
    from django.contrib.auth import password_validation

    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        return " ".join(str(m) for m in e.messages)
    return ""

