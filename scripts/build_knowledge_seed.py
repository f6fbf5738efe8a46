"""Rebuild src/jingzhi/knowledge/data/seed.json from the TipDM 2020 replies (development only).

Picks request–reply pairs the annotators marked explainable, of a length an article can carry, every k-th one so
the topics spread; renames the anonymised places to the demo city's (A市 → 铁岭市, A1区 → 银州区 …) and
names the unit that answers by keywords. The demo turns each pair into a solved case and the case into an
article (knowledge/demo.py), so personal data is removed there, by the product's own code.
Usage: python scripts/build_knowledge_seed.py [TIPDM_DIR]
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNTIES = ["银州区", "清河区", "铁岭县", "西丰县", "昌图县", "调兵山市", "开原市"]
UNITS = [  # first match wins
    ("RSJ", "社保 医保 养老 工资 欠薪 就业 劳动 人才 职称 退休 失业 工伤 公积金"),
    ("JYJ", "学校 学生 教师 老师 幼儿园 招生 学位 入学 教育 培训 补课"),
    ("WJW", "医院 医生 卫生 疫苗 计生 生育 诊所 医疗 药"),
    ("JTJ", "公交 客运 出租车 道路 公路 交通 车站 地铁 驾校"),
    ("STHJ", "污染 噪音 排放 环保 废气 污水 粉尘 臭味 垃圾焚烧"),
    ("SWJ", "商场 超市 消费 商户 预付卡 旅游 景区"),
    ("ZJJ", "小区 物业 房 开发商 业委会 拆迁 建设 施工 装修 停车 电梯 燃气 供水 供暖"),
]


def unit_for(text: str) -> str:
    for code, words in UNITS:
        if any(w in text for w in words.split()):
            return code
    return "CGJ"


def place(text: str) -> str:
    text = text.replace("A市", "铁岭市")
    return re.sub(r"A(\d+)(区|县)", lambda m: COUNTIES[(int(m.group(1)) - 1) % len(COUNTIES)], text)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "tipdm2020"
    with (folder / "replies.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["explainable_label"] == "1" and 80 <= len(r["reply"]) <= 450
                and 20 <= len(r["detail"]) <= 350 and r["title"].strip()]
    picked = rows[:: max(1, len(rows) // 80)][:80]
    out = [{"title": place(r["title"].strip()), "detail": place(r["detail"].strip()), "reply": place(r["reply"].strip()),
            "user": r["user"], "unit": unit_for(r["title"] + r["detail"]),
            "kind": "inquiry" if re.search(r"咨询|请问|询问|能否|是否|如何|怎么|什么时候|吗", r["title"]) else "complaint"}
           for r in picked]
    target = ROOT / "src" / "jingzhi" / "knowledge" / "data" / "seed.json"
    target.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(out)} pairs → {target}")


if __name__ == "__main__":
    main()
