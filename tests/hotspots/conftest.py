"""The hotspot pages use the page tests' fixtures: uploads in a temporary directory, signed-in clients."""

from tests.web.conftest import _media_root, client_for  # noqa: F401 — fixtures, found by pytest by name
