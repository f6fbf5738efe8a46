"""Default time limits (docs/domain.md §4.3): seeded into the database, and the fallback for a clock with no rule."""

from decimal import Decimal

# The defaults of docs/domain.md §4.3, used when a city has not written its own rule for a clock.
DEFAULT_RULES: list[tuple[str, str, str, Decimal, str]] = [
    # clock, kind, priority, amount, unit
    ("dispatch", "", "emergency", Decimal(1), "hours"),
    ("dispatch", "", "utilities", Decimal(2), "hours"),
    ("dispatch", "", "", Decimal(1), "working_days"),
    ("acknowledge", "", "emergency", Decimal("0.5"), "hours"),
    ("acknowledge", "", "", Decimal(2), "working_hours"),
    ("reply", "", "emergency", Decimal(2), "hours"),
    ("reply", "", "utilities", Decimal(24), "hours"),
    ("reply", "", "complex", Decimal(15), "working_days"),
    ("reply", "inquiry", "", Decimal(3), "working_days"),
    ("reply", "help", "", Decimal(3), "working_days"),
    ("reply", "complaint", "", Decimal(7), "working_days"),
    ("reply", "suggestion", "", Decimal(7), "working_days"),
    ("reply", "", "", Decimal(7), "working_days"),
    ("follow_up", "", "", Decimal(2), "working_days"),
]
