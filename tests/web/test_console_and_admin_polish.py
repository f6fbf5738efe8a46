"""Issue 11 #11/#12: a favicon (no 404s), the admin in Chinese, the language menu naming each language in itself,
and the demo build's progress bar."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from jingzhi.cli import ProgressBar

pytestmark = pytest.mark.django_db


def test_favicon_is_served() -> None:
    r = Client().get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith(".svg")


def test_admin_is_named_in_chinese(city: Any) -> None:
    c = Client()
    c.force_login(city.admin)
    html = c.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "精治管理后台" in html and "Django" not in html
    for english in ("Task Results", "Tasks Database Backend", "Axes"):
        assert english not in html


def test_language_menu_names_each_language_in_itself(city: Any) -> None:
    c = Client()
    c.force_login(city.operator)
    for accept in ("zh-CN", "en"):
        html = c.get("/", HTTP_ACCEPT_LANGUAGE=accept, follow=True).content.decode()
        assert ">English</option>" in html and ">简体中文</option>" in html and "英语" not in html


def test_progress_bar_counts_up_on_one_line() -> None:
    out = io.StringIO()
    bar = ProgressBar(out)
    for done in (25, 1500, 3000):
        bar.update(done, 3000)
    lines = out.getvalue().splitlines()
    assert lines[-1].endswith("3,000/3,000 件 cases 100%") and "█" * ProgressBar.WIDTH in lines[-1]
    assert any("1,500/3,000" in line for line in lines)
