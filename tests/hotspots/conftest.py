"""Fixtures for the hotspot page tests: signed-in clients per role (as in tests/web)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Assertions read the English msgids; the Chinese catalogue is the translator's, and may change.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def client_for(city: Any) -> Callable[[Any], Client]:
    """A test client signed in as the given user."""

    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
