"""`jingzhi manage rebuild_requester_digests`: recompute the requester digests after JINGZHI_LOOKUP_KEY changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jingzhi.cases.requesters import rebuild_digests


class Command(BaseCommand):
    help = "Recompute the keyed digests that find cases by a requester's phone, ID number or name."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{rebuild_digests()} cases")
