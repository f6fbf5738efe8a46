"""The OpenAPI schema says what every operation can answer, errors included, so clients and schemathesis can rely on it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from jingzhi.api.problems import PROBLEM_JSON, ProblemSerializer

# Errors any operation may answer; bodies that a client can send add 400/413/415, and writes add 409.
_ALWAYS = ("401", "403", "404", "429")
_WITH_INPUT = ("400", "413", "415")


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = list(_ALWAYS) + ["400"]  # query parameters can be malformed too
        if self.method in ("POST", "PUT", "PATCH"):
            codes += list(_WITH_INPUT) + ["409"]
        for code in codes:
            responses.setdefault(code, self._get_response_for_code(ProblemSerializer, code, [PROBLEM_JSON], direction))
        return responses
