"""Serializer fields built once per class (issue 12) give exactly what DRF's own per-instance build gives."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from jingzhi.api.v1.serializers import CaseDetailSerializer, EventSerializer
from jingzhi.cases import selectors
from jingzhi.cases.models import Status
from tests.cases.helpers import case_in


class _PlainEvent(EventSerializer):
    def get_fields(self) -> dict[str, Any]:
        return serializers.ModelSerializer.get_fields(self)


class _PlainDetail(CaseDetailSerializer):
    """The same serializer with DRF's own field building, every time."""

    def get_fields(self) -> dict[str, Any]:
        return serializers.ModelSerializer.get_fields(self)

    def get_timeline(self, case: Any) -> list[dict[str, Any]]:
        return _PlainEvent(self.context["timeline"], many=True).data  # type: ignore[return-value]


def _data(cls: type, case: Any, user: Any) -> dict[str, Any]:
    case = selectors.case_with_related(case)
    context = {"timeline": list(selectors.case_timeline(case=case)),
               "allowed_actions": selectors.allowed_actions(case=case, user=user)}
    return dict(cls(case, context=context).data)


def test_fields_built_once_serialize_like_drfs_own_and_do_not_leak_between_cases(city: Any) -> None:
    closed = case_in(city, Status.CLOSED, assisting=(city.env,), satisfaction="satisfied", resolution="resolved")
    fresh = case_in(city, Status.ACCEPTED)
    replied = case_in(city, Status.REPLIED, unit=city.env)
    # Cached fields serve several cases in turn; each must come out as DRF's own build makes it.
    for case, user in [(closed, city.supervisor), (fresh, city.dispatcher), (replied, city.env_handler),
                       (closed, city.handler)]:
        cached, plain = _data(CaseDetailSerializer, case, user), _data(_PlainDetail, case, user)
        assert cached == plain
        assert cached["number"] == case.number and len(cached["timeline"]) == len(plain["timeline"]) >= 1
    assert _data(CaseDetailSerializer, closed, city.supervisor)["assisting_units"] == [
        {"code": city.env.code, "name": city.env.name}]
    # Each serializer has its own field objects, bound to it, never the built ones.
    a, b = CaseDetailSerializer(closed), CaseDetailSerializer(fresh)
    assert a.fields["title"] is not b.fields["title"] and a.fields["title"].parent is a
    assert a.fields["division"] is not b.fields["division"]
