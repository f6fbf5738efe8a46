"""A small labelled data set made here (three classes with some label noise), a model trained on it once per
session, and a test city whose taxonomy and routing table match its labels."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest

from jingzhi.dispatch.classifier import artifact
from jingzhi.dispatch.classifier.data import Sample
from jingzhi.dispatch.classifier.model import train

WORDS = {
    "城乡建设": ["路灯", "道路", "施工", "小区", "物业", "供暖", "暖气", "井盖", "违章建筑", "拆迁"],
    "环境保护": ["噪音", "污染", "排放", "异味", "废水", "烟尘", "垃圾焚烧", "扬尘", "臭气", "排污"],
    "教育文体": ["学校", "学生", "老师", "补课", "学费", "幼儿园", "教师", "课外班", "招生", "校车"],
}
FILLER = ["请", "尽快", "处理", "市民", "反映", "问题", "长期", "严重", "影响", "希望", "有关部门", "解决"]
# Texts a test can rely on: three keywords of one class, no other class's words.
CLEAR = {
    "城乡建设": "小区路灯坏了，道路施工井盖缺失，请尽快处理",
    "环境保护": "工厂夜间排放废水，臭气和噪音严重影响居民",
    "教育文体": "学校老师违规补课收取学费，学生负担很重",
}


def make_rows(n_per_class: int = 40, noise: float = 0.1, seed: int = 7) -> list[tuple[str, str]]:
    """(text, label): two to four words of the class, filler, and with probability `noise` a word of another
    class; a few labels are flipped so that held-out precision is below 100 % and thresholds mean something."""
    rng = random.Random(seed)
    rows = []
    labels = list(WORDS)
    for label in labels:
        for _ in range(n_per_class):
            words = rng.sample(WORDS[label], rng.randint(2, 4)) + rng.sample(FILLER, 3)
            if rng.random() < noise:
                words.append(rng.choice(WORDS[rng.choice([x for x in labels if x != label])]))
            rng.shuffle(words)
            truth = label if rng.random() > noise else rng.choice(labels)
            rows.append(("，".join(words), truth))
    return rows


def write_csv(path: Path, rows: list[tuple[str, str]], header: tuple[str, str] = ("text", "label")) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained once for the session on the made-up data."""
    model = train([Sample(text=t, label=y) for t, y in make_rows()], source="tests")
    return artifact.save(model, tmp_path_factory.mktemp("models") / "dispatch.joblib")


@pytest.fixture
def model_copy(model_file: Path, tmp_path: Path) -> Path:
    """A private copy of the session model (tests that damage or delete the file use this)."""
    target = tmp_path / "dispatch.joblib"
    target.write_bytes(model_file.read_bytes())
    return target


@pytest.fixture
def routed_city(city: Any) -> Any:
    """The test city with the three categories; 城乡建设 and 环境保护 routed city-wide, 教育文体 not at all (兜底)."""
    from jingzhi.dispatch.services import category_ensure_path, routing_rule_set

    city.categories = {label: category_ensure_path(names=[label]) for label in WORDS}
    routing_rule_set(actor=None, category=city.categories["城乡建设"], lead_unit=city.housing)
    routing_rule_set(actor=None, category=city.categories["环境保护"], lead_unit=city.env)
    return city


@pytest.fixture
def active_model(routed_city: Any, model_copy: Path) -> Any:
    from jingzhi.dispatch import registry

    registry.clear_cache()
    row = registry.model_register(actor=routed_city.admin, path=model_copy, activate=True)
    yield row
    registry.clear_cache()
