"""Acting on a hotspot (issue 13): a leader's orders, a proactive case with its own deadline, a campaign proposed
from the hotspot, and "found → acted on → complaints after"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhi.cases.models import Case, Channel, Status
from jingzhi.core.errors import ValidationFailed
from jingzhi.hotspots import services
from jingzhi.hotspots.models import Hotspot, HotspotAction
from jingzhi.hotspots.selectors import hotspot_outcomes
from tests.hotspots.test_product import plant_cases
from tests.web.helpers import new_case

pytestmark = pytest.mark.django_db


def test_a_leader_opens_a_proactive_case_with_its_own_deadline(city: Any) -> None:
    plant_cases(city, city.county_a)
    hot = Hotspot.objects.get()
    due = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationFailed):  # a deadline in the past: nothing is opened
        services.hotspot_open_proactive(actor=city.leader, hotspot_id=hot.pk, unit=city.env,
                                        reply_due=timezone.now() - timedelta(hours=1))
    assert not Case.objects.filter(channel=Channel.PROACTIVE).exists()
    case = services.hotspot_open_proactive(actor=city.leader, hotspot_id=hot.pk, unit=city.env, reply_due=due)
    assert case.channel == Channel.PROACTIVE and case.status == Status.DISPATCHED and case.lead_unit == city.env
    assert case.reply_due == due and case.created_by == city.leader
    event = case.events.get(action="dispatch")
    assert event.data["ordered_by"] == city.leader.username and event.data["reply_due_set"] == due.isoformat()
    action = HotspotAction.objects.get(hotspot=hot)
    assert action.kind == "proactive" and action.case_number == case.number and action.actor == city.leader


def test_a_leader_dispatches_all_and_the_outcome_counts_complaints_after(city: Any) -> None:
    cases = plant_cases(city, city.county_a)
    hot = Hotspot.objects.get()
    done = services.hotspot_dispatch_all(actor=city.leader, hotspot_id=hot.pk, unit=city.env)
    assert {c.pk for c in done} == {c.pk for c in cases} and all(c.lead_unit == city.env for c in done)
    later = new_case(city, division=city.county_a, title="丽发新城小区搅拌站噪音还是很大", content="搅拌站噪音扰民，粉尘大",
                     requester_phone="13712345678")
    assert later.hotspot_membership.hotspot == hot
    out = hotspot_outcomes(city.leader)
    assert (out.found, out.acted, out.before, out.after) == (1, 1, 3, 1)
    assert hotspot_outcomes(city.county_leader).found == 0  # another county sees none of it
    services.hotspot_open_proactive(actor=city.dispatcher, hotspot_id=hot.pk)
    assert hotspot_outcomes(city.leader).proactive == 1


def test_propose_a_campaign_prefilled_from_the_hotspot(city: Any, client_for: Any, client: Any) -> None:
    plant_cases(city, city.county_a)
    hot = Hotspot.objects.get()
    url = reverse("web:hotspot_campaign", args=[hot.pk])
    page = client_for(city.leader).get(reverse("hotspots:detail", args=[hot.pk])).content.decode()
    assert url in page
    assert url not in client_for(city.dispatcher).get(reverse("hotspots:detail", args=[hot.pk])).content.decode()
    assert client.post(url).status_code == 302 and not HotspotAction.objects.exists()  # anonymous → sign in
    assert client_for(city.dispatcher).post(url).status_code == 403  # dispatchers do not start campaigns
    assert client_for(city.handler).post(url).status_code == 403
    assert client_for(city.county_leader).post(url).status_code == 404  # another county's hotspot
    assert client_for(city.leader).get(url).status_code == 405
    response = client_for(city.leader).post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("campaigns:create"))
    form = client_for(city.leader).get(response["Location"]).content.decode()
    assert "丽发新城" in form and f'value="{city.county_a.pk}" selected' in form
    assert HotspotAction.objects.get().kind == "campaign"
    listing = client_for(city.leader).get(reverse("hotspots:list")).content.decode()
    assert "hotspot-outcomes" in listing and "acted on" in listing
    # The same line on the dashboard's panel, where the leader looks: one hotspot found, one acted on.
    panel = client_for(city.leader).get(reverse("hotspots:list") + "?panel=1").content.decode()
    assert "hotspot-outcomes" in panel
    assert "<strong>1</strong> hotspots found → <strong>1</strong> acted on" in " ".join(panel.split())
