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


def test_progress_bar_counts_up_and_names_each_step() -> None:
    out = io.StringIO()
    bar = ProgressBar(out)  # not a terminal: a line per tenth and per step
    for done, step in ((25, "工单 cases 25/3,000"), (1500, "工单 cases 1,500/3,000"), (3000, "企业 enterprises"),
                       (3300, "知识库 knowledge"), (3540, "")):
        bar.update(done, 3540, step)
    lines = out.getvalue().splitlines()
    assert any(line.endswith("工单 cases 1,500/3,000") and " 42%" in line for line in lines)
    assert any(line.endswith("企业 enterprises") for line in lines) and any(line.endswith("知识库 knowledge") for line in lines)
    assert lines[-1].endswith("100%") and "█" * ProgressBar.WIDTH in lines[-1]
