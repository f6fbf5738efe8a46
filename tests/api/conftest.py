"""Fixtures for the API tests: a small taxonomy, API keys, clients that sign in with a key or a session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from jingzhi.api.services import apikey_create
from jingzhi.taxonomy.models import Category
from tests.campaigns.conftest import flagship  # noqa: F401  (the campaign tests' fixture, for the campaign API)


@pytest.fixture(autouse=True)
def _api_defaults(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    cache.clear()  # throttling counts live in the cache; every test starts with a full budget


@pytest.fixture
def taxonomy(db: None) -> dict[str, Category]:
    """城乡建设 › 城市建设和市政管理 › {冬季采暖, 环境卫生}; one private leaf."""
    top = Category.objects.create(name="城乡建设", level=1)
    mid = Category.objects.create(name="城市建设和市政管理", level=2, parent=top)
    heating = Category.objects.create(name="冬季采暖", level=3, parent=mid)
    sanitation = Category.objects.create(name="环境卫生", level=3, parent=mid)
    private = Category.objects.create(name="内部事项", level=3, parent=mid, is_public=False)
    return {"top": top, "mid": mid, "heating": heating, "sanitation": sanitation, "private": private}


@pytest.fixture
def key_for(city: Any) -> Callable[..., str]:
    """The secret of a new key: a personal token for `user`, or an integration key with `role` (and division)."""
    counter = iter(range(1000))

    def make(user: Any = None, *, role: str = "", division: str = "") -> str:
        _key, secret = apikey_create(name=f"k{next(counter)}", actor=None, user=user, role=role, division_code=division)
        return secret

    return make


@pytest.fixture
def api(key_for: Callable[..., str]) -> Callable[..., Client]:
    """A client whose every request carries `Authorization: Bearer <key>` of the given user."""

    def make(user: Any = None, **kw: Any) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {key_for(user, **kw)}")

    return make
