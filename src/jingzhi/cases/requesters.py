"""Finding a requester's cases by phone, ID number or name: through keyed digests, for the roles that may.

The digests (core/lookup.py) are written by intake and by `rebuild_digests`. Only the roles that may see
requesters' personal data (services/privacy.REVEAL_ROLES) may search by it: knowing that a phone number filed
a case is itself personal data. Visibility still applies on top (Case.objects.visible_to).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from jingzhi.cases.services.privacy import REVEAL_ROLES
from jingzhi.core.lookup import digest
from jingzhi.org.access import role_of

BATCH = 1000


def digests(*, name: str, phone: str, id_number: str) -> dict[str, str]:
    """The digest columns of a case, from its requester fields."""
    return {"requester_name_digest": digest("name", name), "requester_phone_digest": digest("phone", phone),
            "requester_id_digest": digest("id", id_number)}


def may_search_requesters(user: Any) -> bool:
    """Whether `user` may look cases up by a requester's phone, ID number or name."""
    return role_of(user) in REVEAL_ROLES


def requester_q(value: str) -> Q:
    """Cases whose requester's phone, ID number or name is exactly `value` (after normalising): three index lookups."""
    q = Q(pk__in=[])
    for kind, column in (("phone", "requester_phone_digest"), ("id", "requester_id_digest"), ("name", "requester_name_digest")):
        d = digest(kind, value)
        if d:
            q |= Q(**{column: d})
    return q


def rebuild_digests(case_model: Any = None) -> int:
    """Recompute every case's digests (after JINGZHI_LOOKUP_KEY changed; the migration's backfill). Returns the count."""
    if case_model is None:
        from jingzhi.cases.models import Case

        case_model = Case
    done, last = 0, 0
    while True:
        rows = list(case_model.objects.filter(pk__gt=last).order_by("pk")
                    .only("pk", "requester_name", "requester_phone", "requester_id_number")[:BATCH])
        if not rows:
            return done
        for row in rows:
            for field, value in digests(name=row.requester_name, phone=row.requester_phone,
                                        id_number=row.requester_id_number).items():
                setattr(row, field, value)
        case_model.objects.bulk_update(rows, ["requester_name_digest", "requester_phone_digest", "requester_id_digest"])
        done += len(rows)
        last = rows[-1].pk
