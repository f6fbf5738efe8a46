"""The REST API's JSON parser: DRF's, with a bound on nesting.

A body nested 100,000 levels deep makes `json.loads` raise RecursionError, which DRF does not catch: the
caller got an HTML 500. Here it is a ParseError, so the problem handler answers 400 with a problem document.
The bound (MAX_DEPTH) is far above anything the API's own bodies use (two levels).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _depth_exceeded(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(parsers.JSONParser):
    """JSONParser that refuses bodies nested deeper than MAX_DEPTH (400, never a RecursionError → 500)."""

    def parse(self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)  # type: ignore[arg-type]
        except RecursionError:
            raise ParseError(_("The JSON is nested more than %(max)d levels deep.") % {"max": MAX_DEPTH}) from None
        if _depth_exceeded(data, MAX_DEPTH):
            raise ParseError(_("The JSON is nested more than %(max)d levels deep.") % {"max": MAX_DEPTH})
        return data
