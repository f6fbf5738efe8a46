"""Actions that apps above hotspots offer on a hotspot's page, without hotspots importing them (ADR 011).

web registers "propose a campaign" here (the campaigns app creates the campaign; hotspots does not import it).
A registered function gets the hotspot and the user and returns (label, URL to POST to), or None to offer nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jingzhi.hotspots.models import Hotspot
    from jingzhi.org.models import User

HotspotLink = Callable[["Hotspot", "User"], "tuple[str, str] | None"]
_links: list[HotspotLink] = []


def on_hotspot_page(link: HotspotLink) -> None:
    if link not in _links:
        _links.append(link)


def links_for(hotspot: Hotspot, user: User) -> list[tuple[str, str]]:
    return [found for link in _links if (found := link(hotspot, user)) is not None]
