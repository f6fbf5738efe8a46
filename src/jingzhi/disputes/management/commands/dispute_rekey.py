"""`jingzhi manage dispute_rekey`: recompute the parties' keyed hashes after SECRET_KEY was changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Recompute the dispute register's keyed hashes of phone numbers, ID numbers and places (after a new SECRET_KEY)."

    def handle(self, *args: Any, **options: Any) -> None:
        from jingzhi.disputes.services.rekey import dispute_rekey

        self.stdout.write(f"{dispute_rekey(actor=None)} rows re-keyed")
