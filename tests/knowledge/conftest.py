"""Knowledge base tests: the city of tests/conftest.py, a few articles, and signed-in clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from jingzhi.knowledge.models import Article
from jingzhi.knowledge.services import article_create, article_transition
from tests.web.conftest import _media_root, client_for  # noqa: F401 — fixtures, found by pytest by name

FUND = ("住房公积金提取需要什么材料", "公积金怎么取\n租房可以提取公积金吗",
        "提取住房公积金，请携带本人身份证和银行卡。租房提取带租赁合同；退休提取带退休证明。可在公积金管理中心各网点办理。")
HEAT = ("城区集中供暖什么时候开始", "今年几号开始供暖\n暖气什么时候来",
        "城区供热期为每年11月1日至次年3月31日。室内温度低于18度的，可向供热企业报修。")
NOISE = ("夜间施工噪音投诉怎么处理", "晚上工地施工太吵\n夜里施工扰民",
         "夜间22时至次日6时禁止产生噪声的建筑施工作业，抢修抢险除外。发现夜间违规施工，可拨打12345反映，由生态环境部门查处。")


@dataclass
class Base:
    fund: Article
    heat: Article
    noise: Article
    draft: Article


def publish(a: Article) -> Article:
    return article_transition(actor=None, article=a, action="publish")  # type: ignore[arg-type]


@pytest.fixture
def kb(city: Any) -> Base:
    fund = publish(article_create(actor=city.handler, title=FUND[0], questions=FUND[1], answer=FUND[2], unit=city.housing,
                                  is_public=True))
    heat = publish(article_create(actor=city.handler, title=HEAT[0], questions=HEAT[1], answer=HEAT[2], unit=city.housing))
    noise = publish(article_create(actor=city.env_handler, title=NOISE[0], questions=NOISE[1], answer=NOISE[2], unit=city.env,
                                   is_public=True))
    draft = article_create(actor=city.handler, title="老旧小区加装电梯补贴标准", answer="每部电梯补贴20万元。", unit=city.housing)
    return Base(fund, heat, noise, draft)
