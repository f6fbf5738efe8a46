"""The classifier never dispatches a public submission held for review (issue 10); it does once it is released."""

from __future__ import annotations

from typing import Any

from jingzhi.cases.models import Case, Channel, Review, Status
from jingzhi.cases.services import case_create
from jingzhi.cases.services.review import case_review_release
from jingzhi.dispatch.models import DispatchSuggestion
from tests.dispatch.conftest import CLEAR


def _public(city: Any, *, screen: list[str]) -> Case:
    text = CLEAR["环境保护"]
    case, _created = case_create(actor=None, channel=Channel.WEB, kind="complaint", title=text[:20], content=text,
                                 division_code="211200", requester_phone="13700002468", screen=screen)
    return case


def test_a_held_submission_is_not_dispatched_by_the_classifier(active_model: Any, routed_city: Any) -> None:
    control = _public(routed_city, screen=[])
    assert control.status == Status.DISPATCHED  # the same text, not held: dispatched automatically

    Case.objects.filter(pk=control.pk).update(content="改过的文字")  # so that the next is not a repeated text
    held = _public(routed_city, screen=["captcha"])
    held.refresh_from_db()
    assert (held.status, held.review, held.lead_unit, held.dispatch_due) == (Status.ACCEPTED, Review.HELD, None, None)
    assert not DispatchSuggestion.objects.filter(case=held).exists()

    released = case_review_release(case=held, actor=routed_city.dispatcher)
    assert released.review == Review.RELEASED
    assert (released.status, released.lead_unit) == (Status.DISPATCHED, routed_city.env)
    assert DispatchSuggestion.objects.get(case=held).auto_dispatched
