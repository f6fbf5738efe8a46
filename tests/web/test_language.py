"""Chinese is the product's default language; English is one click away."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client


def test_production_settings_default_to_simplified_chinese() -> None:
    settings = importlib.import_module("jingzhi.settings")
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


@pytest.mark.django_db
def test_pages_render_in_chinese_for_a_chinese_browser_and_in_english_on_request() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    page = client.get("/public/submit/").content.decode()
    assert "提交" in page and "Submit a request" not in page
    login = client.get("/login/").content.decode()
    assert "登录" in login
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/public/submit/").content.decode()
    assert "Submit a request" in english


def test_every_message_of_every_catalogue_has_a_chinese_translation() -> None:
    """A msgid left empty in one app's catalogue shows English in the Chinese UI unless another catalogue has it."""
    import re
    from pathlib import Path

    from django.utils import translation

    src = Path(importlib.import_module("jingzhi").__file__).parent
    entry = re.compile(r'^msgid "(.+)"\nmsgstr ""\n\n', re.M)
    with translation.override("zh-hans"):
        missing = [
            (po.relative_to(src).parts[0], msgid)
            for po in sorted(src.glob("**/zh_Hans/LC_MESSAGES/django.po"))
            for msgid in entry.findall(po.read_text(encoding="utf-8"))
            if translation.gettext(msgid) == msgid
        ]
    assert missing == []
    # A fuzzy entry is left out of the compiled catalogue, so it shows English too.
    fuzzy = [po.relative_to(src).parts[0] for po in src.glob("**/zh_Hans/LC_MESSAGES/django.po")
             if re.search(r"^#,.*\bfuzzy\b", po.read_text(encoding="utf-8"), re.M)]
    assert fuzzy == []
