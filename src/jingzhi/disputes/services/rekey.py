"""After SECRET_KEY changes, the keyed hashes of parties and places no longer match new input: recompute them."""

from __future__ import annotations

from django.db import transaction

from jingzhi.core.audit import audit_record
from jingzhi.disputes import keys
from jingzhi.disputes.models import Dispute, Party
from jingzhi.org.guards import admin_required
from jingzhi.org.models import User


def dispute_rekey(*, actor: User | None) -> int:
    """Recompute every party's phone and ID keys and every dispute's place key; returns the rows changed."""
    admin_required(actor)
    changed = 0
    with transaction.atomic():
        parties = list(Party.objects.select_for_update().only("pk", "phone", "id_number", "phone_key", "id_key"))
        for p in parties:
            phone_key, id_key = keys.phone_key(p.phone), keys.id_key(p.id_number)
            if (phone_key, id_key) != (p.phone_key, p.id_key):
                p.phone_key, p.id_key = phone_key, id_key
                changed += 1
        Party.objects.bulk_update(parties, ["phone_key", "id_key"], batch_size=1000)
        disputes = list(Dispute.objects.select_for_update().only("pk", "place", "place_key"))
        for d in disputes:
            place_key = keys.address_key(d.place)
            if place_key != d.place_key:
                d.place_key = place_key
                changed += 1
        Dispute.objects.bulk_update(disputes, ["place_key"], batch_size=1000)
        audit_record(actor=actor, action="dispute_rekey", object_type="dispute", detail={"changed": changed})
    return changed
