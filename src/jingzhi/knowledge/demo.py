"""The Tieling demo's knowledge base, seeded the way a real one grows: from solved cases.

`data/seed.json` holds 80 request–reply pairs from the TipDM 2020 replies (real, anonymised; places renamed to
the demo city's by scripts/build_knowledge_seed.py). Each becomes a case that is dispatched, answered, followed
up with a satisfied requester and closed; the case is then turned into a draft (question from the case, answer
from the reply, personal data removed by the product's own code) and published. A few synonym groups of the
city and two public articles written by hand complete it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from jingzhi.cases import services as cs
from jingzhi.knowledge.models import Article, Status, Synonym
from jingzhi.knowledge.services import (
    article_create,
    article_draft_from_case,
    article_transition,
    synonym_save,
)
from jingzhi.org.models import Role, Unit, User

SEED = Path(__file__).with_name("data") / "seed.json"
SYNONYMS = [
    "公积金 住房公积金 公基金",
    "供暖 供热 暖气 采暖",
    "社保 社会保险 社会保障",
    "医保 医疗保险",
    "物业 物业公司 物业管理",
    "噪音 噪声 扰民",
    "停车 泊车 车位",
]
NAMES = ["王秀兰", "李建华", "张桂英", "刘志强", "陈玉梅", "杨国庆", "赵淑珍", "黄文斌"]
HANDWRITTEN = [
    ("住房公积金提取需要什么材料", "公积金怎么取\n租房可以提取公积金吗\n退休了公积金怎么提取",
     "提取住房公积金，请携带本人身份证和银行卡，按提取原因带齐材料：购房提取带购房合同和发票；租房提取带租赁合同或"
     "租房发票；退休提取带退休证明。可在铁岭市住房公积金管理中心各服务网点办理，也可在“铁岭公积金”网上服务大厅办理。"
     "办理进度可拨打 12329 查询。", "ZJJ", "《住房公积金管理条例》第二十四条"),
    ("城区集中供暖什么时候开始", "今年几号开始供暖\n暖气什么时候来\n供热期是哪天到哪天",
     "铁岭市城区供热期为每年11月1日至次年3月31日，遇气温异常时由市政府决定提前或延长供热。室内温度低于18℃的，"
     "可向供热企业报修，或拨打12345热线反映，热线将派单给供热企业和主管部门限时处理。", "ZJJ", "《铁岭市城市供热管理办法》"),
]


def load_knowledge_demo(*, now: datetime, operator: User, dispatcher: User) -> int:
    """Seed the knowledge base; returns the number of published articles."""
    for words in SYNONYMS:
        if not Synonym.objects.filter(words=words).exists():
            synonym_save(actor=None, words=words)
    admin = None  # the system publishes in the demo; in use, the responsible unit's head does
    pairs = json.loads(SEED.read_text(encoding="utf-8"))
    units = {u.code: u for u in Unit.objects.filter(code__in={p["unit"] for p in pairs} | {"ZJJ"})}
    handlers: dict[str, User] = {}
    published = 0
    for i, pair in enumerate(pairs):
        unit = units.get(pair["unit"]) or units["ZJJ"]
        handler = handlers.get(unit.code)
        if handler is None:
            handler = User.objects.filter(unit=unit, role=Role.HANDLER, is_active=True).order_by("pk").first()
            if handler is None:
                continue
            handlers[unit.code] = handler
        t = now - timedelta(days=120 - i, hours=3)
        case, _created = cs.case_create(
            actor=operator, channel="web", kind=pair["kind"], title=pair["title"][:200], content=pair["detail"][:5000],
            division_code=unit.division.code, requester_name=NAMES[i % len(NAMES)],
            requester_phone=f"1390410{i:04d}", received_at=t, idempotency_key=f"demo-knowledge-{i}")
        if case.status != "accepted":
            continue
        case = cs.case_dispatch(case=case, unit=unit, assisting=[], actor=dispatcher, at=t + timedelta(hours=1))
        case = cs.case_acknowledge(case=case, actor=handler, at=t + timedelta(hours=2))
        reply = pair["reply"].replace(pair["user"], NAMES[i % len(NAMES)])
        case = cs.case_reply(case=case, actor=handler, reply=reply, at=t + timedelta(days=2))
        case = cs.case_follow_up(case=case, actor=operator, contacted=True, resolution="resolved", satisfaction="satisfied",
                                 note="", at=t + timedelta(days=3))
        case = cs.case_close(case=case, actor=operator, at=t + timedelta(days=3, minutes=10))
        article = article_draft_from_case(actor=operator, case=case, at=t + timedelta(days=4))
        if article.status == Status.DRAFT:
            article_transition(actor=admin, article=article, action="publish", at=t + timedelta(days=5))  # type: ignore[arg-type]
            published += 1
    for title, questions, answer, code, source in HANDWRITTEN:
        if Article.objects.filter(title=title).exists() or code not in units:
            continue
        article = article_create(actor=None, title=title, questions=questions, answer=answer, unit=units[code],
                                 sources=source, is_public=True, review_due=(now + timedelta(days=180)).date(), at=now)
        article_transition(actor=admin, article=article, action="publish", at=now)  # type: ignore[arg-type]
        published += 1
    return published
