"""CAP 1.2 (OASIS Common Alerting Protocol, as GB/T 35965.1 exchanges it) read into plain data, and validated.

XML is parsed with defusedxml (no entity expansion, no external entities). Only what early warning uses is read:
the alert's identity and references, and of its <info> blocks (see _choose_info: the zh-CN ones, else those in
the first block's language) the event, severity, times, headline, description, and every <area> (areaDesc,
polygons, circles, geocodes). A message that breaks the standard where we depend on it
raises CapError naming the element, before anything is stored. Matching areas to divisions and sites is done by
the services (it needs the database); this module never touches it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import Element  # the type only; parsing goes through defusedxml

from defusedxml import ElementTree as SafeET  # type: ignore[import-untyped]
from defusedxml.common import DefusedXmlException  # type: ignore[import-untyped]
from django.utils.translation import gettext as _

NS = "urn:oasis:names:tc:emergency:cap:1.2"
MAX_BYTES = 1_000_000
MSG_TYPES = {"Alert", "Update", "Cancel"}

# GB/T 35965 and the national early warning system give the colour by CAP severity.
SEVERITY_LEVEL = {"Extreme": "red", "Severe": "orange", "Moderate": "yellow", "Minor": "blue"}
COLOUR_WORDS = {"红色": "red", "橙色": "orange", "黄色": "yellow", "蓝色": "blue",
                "red": "red", "orange": "orange", "yellow": "yellow", "blue": "blue"}
# The event's words → our warning types (Chinese as the national system names them, English for other senders).
EVENT_TYPES = [("暴雨", "heavy_rain"), ("heavy rain", "heavy_rain"), ("rainstorm", "heavy_rain"),
               ("洪水", "flood"), ("山洪", "flood"), ("flood", "flood"), ("台风", "typhoon"), ("typhoon", "typhoon"),
               ("暴雪", "blizzard"), ("blizzard", "blizzard"), ("寒潮", "cold_wave"), ("cold wave", "cold_wave"),
               ("地质灾害", "geohazard"), ("landslide", "geohazard"), ("geological", "geohazard")]


class CapError(ValueError):
    """The message is not CAP 1.2 as we accept it; `element` names where (shown to the user and by the CLI)."""

    def __init__(self, element: str, message: str) -> None:
        super().__init__(f"<{element}>: {message}")
        self.element = element
        self.message = message


@dataclass(frozen=True)
class Area:
    description: str
    geocodes: list[str] = field(default_factory=list)
    polygons: list[list[tuple[float, float]]] = field(default_factory=list)
    circles: list[tuple[float, float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Alert:
    identifier: str
    sender: str
    sent: datetime
    msg_type: str  # Alert, Update, Cancel
    references: list[str]  # identifiers of earlier messages
    warning_type: str
    level: str
    headline: str
    description: str
    effective: datetime
    expires: datetime | None
    areas: list[Area]


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _text(parent: Element, name: str, *, required: bool = True, where: str = "") -> str:
    node = parent.find(_q(name))
    value = (node.text or "").strip() if node is not None else ""
    if required and not value:
        raise CapError(name, _("required in %(where)s, missing or empty") % {"where": where or parent.tag.split("}")[-1]})
    return value


def _time(value: str, element: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise CapError(element, _("not a date and time: %(value)s") % {"value": value[:40]}) from None
    if at.tzinfo is None:
        raise CapError(element, _("the time must give its offset from UTC (e.g. +08:00)"))
    return at


def _point(pair: str, element: str) -> tuple[float, float]:
    try:
        lat_s, lon_s = pair.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise CapError(element, _("a point must be “latitude,longitude”: %(value)s") % {"value": pair[:40]}) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CapError(element, _("a point outside the earth: %(value)s") % {"value": pair[:40]})
    return lat, lon


def _polygon(value: str) -> list[tuple[float, float]]:
    points = [_point(p, "polygon") for p in value.split()]
    # CAP: at least four pairs, the first and last the same.
    if len(points) < 4 or points[0] != points[-1]:
        raise CapError("polygon", _("a polygon needs four or more points, the last equal to the first"))
    return points


def _circle(value: str) -> tuple[float, float, float]:
    try:
        centre, radius_s = value.split()
        radius = float(radius_s)
    except ValueError:
        raise CapError("circle", _("a circle must be “latitude,longitude radius-km”: %(value)s") % {"value": value[:40]}) from None
    if radius <= 0:
        raise CapError("circle", _("the radius must be positive"))
    lat, lon = _point(centre, "circle")
    return lat, lon, radius


def _area(node: Element) -> Area:
    description = _text(node, "areaDesc", where="area")
    geocodes = []
    for g in node.findall(_q("geocode")):
        value = _text(g, "value", where="geocode")
        geocodes.append(value)
    return Area(description=description[:300], geocodes=geocodes,
                polygons=[_polygon((p.text or "").strip()) for p in node.findall(_q("polygon"))],
                circles=[_circle((c.text or "").strip()) for c in node.findall(_q("circle"))])


def _warning_type(info: Element) -> str:
    for code in info.findall(_q("eventCode")):
        if _text(code, "valueName", required=False) == "jingzhi:type":
            return _text(code, "value", where="eventCode")
    event = _text(info, "event", where="info").lower()
    for word, kind in EVENT_TYPES:
        if word in event:
            return kind
    raise CapError("event", _("not a warning type Jingzhi knows: %(value)s") % {"value": event[:60]})


def _level(info: Element) -> str:
    for p in info.findall(_q("parameter")):
        if _text(p, "valueName", required=False) in ("jingzhi:level", "level"):
            value = _text(p, "value", where="parameter").lower()
            if value in COLOUR_WORDS:
                return COLOUR_WORDS[value]
    severity = _text(info, "severity", where="info")
    if severity not in SEVERITY_LEVEL:
        raise CapError("severity", _("must be Extreme, Severe, Moderate or Minor, not %(value)s") % {"value": severity[:20]})
    return SEVERITY_LEVEL[severity]


def _references(value: str) -> list[str]:
    # CAP: space-separated "sender,identifier,sent" triples.
    found = []
    for triple in value.split():
        parts = triple.split(",")
        if len(parts) != 3 or not parts[1]:
            raise CapError("references", _("each reference must be “sender,identifier,sent”: %(value)s") % {"value": triple[:60]})
        found.append(parts[1])
    return found


def _language(info: Element) -> str:
    # CAP 1.2: <language> is optional and then "en-US".
    return (_text(info, "language", required=False) or "en-US").strip().lower()


def _choose_info(blocks: list[Element]) -> list[Element]:
    """The <info> blocks to read: those in zh-CN, else in another zh-* tag, else in the first block's language.

    CAP allows one <info> per language or audience; blocks in other languages are translations of the same alert and
    are not read (CAP does not ask them to agree field by field, so they are not compared either).
    """
    if not blocks:
        return []
    languages = [_language(b) for b in blocks]
    for wanted in ("zh-cn", "zh"):
        picked = [b for b, lang in zip(blocks, languages, strict=True) if lang == wanted or lang.split("-")[0] == wanted]
        if picked:
            return picked
    return [b for b, lang in zip(blocks, languages, strict=True) if lang == languages[0]]


def parse(data: bytes) -> Alert:
    """One CAP 1.2 message → Alert, or CapError naming the element that is wrong."""
    if len(data) > MAX_BYTES:
        raise CapError("alert", _("the file is larger than 1 MB"))
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException:
        raise CapError("alert", _("the XML declares entities or a DTD, which CAP never needs")) from None
    except SafeET.ParseError as e:
        raise CapError("alert", _("not well-formed XML (%(detail)s)") % {"detail": str(e)[:80]}) from None
    if root.tag != _q("alert"):
        namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        raise CapError("alert", _("the root must be <alert> in namespace %(ns)s, not %(found)s") % {
            "ns": NS, "found": namespace or _("no namespace")})
    identifier = _text(root, "identifier")
    if re.search(r"[\s,<&]", identifier):
        raise CapError("identifier", _("must not contain spaces, commas or < &"))
    msg_type = _text(root, "msgType")
    if msg_type not in MSG_TYPES:
        raise CapError("msgType", _("must be Alert, Update or Cancel, not %(value)s") % {"value": msg_type[:20]})
    status = _text(root, "status")
    if status != "Actual":
        raise CapError("status", _("only Actual messages raise tasks, not %(value)s") % {"value": status[:20]})
    references = _references(_text(root, "references", required=False))
    if msg_type != "Alert" and not references:
        raise CapError("references", _("an Update or Cancel must name the message it changes"))
    chosen = _choose_info(root.findall(_q("info")))
    if not chosen:
        raise CapError("info", _("the alert has no <info> block"))
    info = chosen[0]
    warning_type, level = _warning_type(info), _level(info)
    for other in chosen[1:]:
        # CAP 1.2 (3.2.2): blocks in one language form a sequence; a later one "may expand but may not override"
        # an earlier one. More areas with the same event and level expand it; one warning has one type and level,
        # so a block that would change them is refused rather than its areas being dropped or mislabelled.
        if (_warning_type(other), _level(other)) != (warning_type, level):
            raise CapError("info", _("the <info> blocks in one language give different events or severities; "
                                     "send them as separate messages"))
    areas = [_area(a) for block in chosen for a in block.findall(_q("area"))]
    if not areas and msg_type != "Cancel":  # a Cancel ends what it references, wherever that was
        raise CapError("area", _("the <info> block has no <area>"))
    effective_raw = _text(info, "effective", required=False) or _text(info, "onset", required=False)
    sent = _time(_text(root, "sent"), "sent")
    expires_raw = _text(info, "expires", required=False)
    return Alert(
        identifier=identifier[:200], sender=_text(root, "sender")[:200], sent=sent, msg_type=msg_type,
        references=references, warning_type=warning_type, level=level,
        headline=(_text(info, "headline", required=False) or _text(info, "event", where="info"))[:200],
        description=_text(info, "description", required=False)[:5000],
        effective=_time(effective_raw, "effective") if effective_raw else sent,
        expires=_time(expires_raw, "expires") if expires_raw else None, areas=areas,
    )
