"""Open311's two formats: XML (required) and JSON (the "Spark" mapping: a bare array at the top)."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405  # only for writing; tests parse with defusedxml

from django.http import HttpRequest, HttpResponse

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
# Element name of the items of each list-valued field (the XML has a wrapper and one element per item).
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "groups": "group",
    "service_request_updates": "request_update",
    "notes": "note",
}


# Characters XML 1.0 cannot carry at all (§2.2): one of them makes the whole document unreadable for every
# consumer. Stored text is cleaned on the way in (core.validators.clean_text); this guards older rows too.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else _XML_ILLEGAL.sub("", str(value))


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for k, v in value.items():
            _append(element, k, v)
    elif isinstance(value, list):
        child = ITEM_NAMES.get(name, "item")
        for item in value:
            _append(element, child, item)
    else:
        element.text = _text(value)


def to_xml(root: str, content: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    element = ET.Element(root)
    if isinstance(content, list):
        item = ITEM_NAMES[root]
        for entry in content:
            _append(element, item, entry)
    else:
        for k, v in content.items():
            _append(element, k, v)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def respond(fmt: str, root: str, content: list[dict[str, Any]] | dict[str, Any], *, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(content, ensure_ascii=False).encode()
        return HttpResponse(body, status=status, content_type=JSON_TYPE)
    return HttpResponse(to_xml(root, content), status=status, content_type=XML_TYPE)


def fmt_of(request: HttpRequest) -> str:
    """The format of an error response: the URL's suffix, XML when there is none (XML is the required one)."""
    return "json" if request.path.rstrip("/").endswith(".json") else "xml"


def error_response(request: HttpRequest, status: int, errors: list[tuple[int, str]], headers: dict[str, str] | None = None) -> HttpResponse:
    """Open311 errors: `errors/error[]{code, description}` with the HTTP status the spec asks for."""
    response = respond(fmt_of(request), "errors", [{"code": code, "description": text} for code, text in errors], status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
