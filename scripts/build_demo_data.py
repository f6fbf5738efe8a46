#!/usr/bin/env python3
"""Build the demo city's shipped data (src/jingzhi/demo/data/) from the TipDM 2020 data set.

    python scripts/build_demo_data.py TIPDM_DIR

The data set is third-party and not in the repository (docs/architecture.md §5 says where it comes from).
Without TIPDM_DIR the script looks in shared/data/tipdm2020 inside the folder that holds the checkout.

Writes, deterministically (fixed seed, gzip mtime 0 — a rerun gives byte-identical files):

* ``messages.csv.gz`` — real citizen messages for the demo cases, header
  ``source,source_id,title,detail,label,posted_at``: every row of ``messages_unlabeled.csv``
  (source ``unlabeled``, empty label) plus up to ``LABELED_TARGET`` rows of
  ``messages_labeled.csv`` that have a title and a detail (source ``labeled``, label = the
  first-level class), spread as evenly as the classes allow over the 7 classes.
* ``taxonomy.csv`` — a verbatim copy of the 3-level category tree.

and then checks the hand-written ``tieling.json`` (references between divisions, units, users,
routing and 包保, and every enterprise's 统一社会信用代码 against GB 32100-2015).

Cleaning: whitespace runs (incl. NBSP and the ideographic space) → one space, stripped; rows
with an empty title or detail dropped; details longer than ``DETAIL_MAX`` cut at a sentence end
(。！？) within the last ``SENTENCE_WINDOW`` characters, else hard cut; titles hard cut at
``TITLE_MAX``; exact duplicate (title, detail) pairs dropped (first one kept, unlabeled first).

Place names: the source is anonymised ("A市", "A3区", "西地省", plates "楚A·…"). So that the demo
reads as Tieling, "A市" → 铁岭市, "西地省" → 辽宁省, each "A<n>区/县/市" → one of Tieling's 7
county-level divisions by a fixed table (``A_TOKENS``), and — unless ``--keep-other-cities`` —
the other anonymised cities of the province ("K市", "K8县", "M6州" …, about 60 % of the
unlabeled rows mention one) are folded into Tieling the same way (``other_city_token``):
without this most demo cases would be about a city called "K市". Plates "楚X" → "辽M"
(Tieling's plate prefix). Everything else is kept verbatim.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import re
import shutil
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "jingzhi" / "demo" / "data"
DEFAULT_SRC = ROOT.parent / "shared" / "data" / "tipdm2020"

SEED = 20221008  # the day the first 中欧班列"铁岭号" left
LABELED_TARGET = 1000
DETAIL_MAX = 800
SENTENCE_WINDOW = 150
TITLE_MAX = 200
CST = timezone(timedelta(hours=8))
HEADER = ["source", "source_id", "title", "detail", "label", "posted_at"]

# The source's "A市" has districts A1区–A6区, counties A7县, A8县 and a county-level city A9市.
# Tieling has 2 districts, 3 counties and 2 county-level cities. The table keeps a county a
# county and a city a city (so "A8县城" does not become "…区城") and spreads the districts over
# the rest, so that every one of the 7 gets a share of the cases.
A_TOKENS = {
    "A1": "银州区",
    "A2": "清河区",
    "A3": "铁岭县",
    "A4": "调兵山市",
    "A5": "银州区",
    "A6": "清河区",
    "A7": "西丰县",
    "A8": "昌图县",
    "A9": "开原市",
}
BY_SUFFIX = {
    "区": ("银州区", "清河区"),
    "县": ("铁岭县", "西丰县", "昌图县"),
    "市": ("调兵山市", "开原市"),
}
CITY = "铁岭市"
PROVINCE = "辽宁省"

_WS = re.compile(r"\s+")
_SENTENCE_END = "。！？"
# A letter–number token such as "A3区", "K8县", "D12市", "M6州"; not inside a longer Latin/number run.
_NUMBERED = re.compile(r"(?<![A-Za-z0-9])([A-N])(\d{1,2})([区县市州])")
# A bare anonymised city "A市", "K市" (not "K市场…", which is a market).
_CITY = re.compile(r"(?<![A-Za-z0-9])([A-N])市(?!场)")
_PLATE = re.compile(r"楚(?=[A-Z])")


def other_city_token(number: int, suffix: str) -> str:
    """Where a numbered division of one of the province's other anonymised cities lands in Tieling."""
    if suffix == "州":
        return CITY
    choices = BY_SUFFIX[suffix]
    return choices[number % len(choices)]


def tielingify(text: str, keep_other_cities: bool = False) -> str:
    def numbered(m: re.Match[str]) -> str:
        letter, number, suffix = m.group(1), int(m.group(2)), m.group(3)
        if letter == "A":
            return A_TOKENS.get(f"A{number}") or other_city_token(number, suffix)
        return m.group(0) if keep_other_cities else other_city_token(number, suffix)

    def city(m: re.Match[str]) -> str:
        return CITY if (m.group(1) == "A" or not keep_other_cities) else m.group(0)

    text = _NUMBERED.sub(numbered, text)
    for county in BY_SUFFIX["县"]:  # the anonymiser left "K8县县委", "C3县县住建局"
        text = text.replace(county + "县", county)
    text = _CITY.sub(city, text)
    text = text.replace("西地省", PROVINCE)
    text = text.replace("楚ICP", "辽ICP")
    text = _PLATE.sub("辽M", text) if "楚" in text else text
    return text


def squash(text: str) -> str:
    return _WS.sub(" ", text or "").strip()


def cut_detail(text: str) -> str:
    if len(text) <= DETAIL_MAX:
        return text
    head = text[:DETAIL_MAX]
    window_start = DETAIL_MAX - SENTENCE_WINDOW
    end = max(head.rfind(ch, window_start) for ch in _SENTENCE_END)
    return (head[: end + 1] if end >= window_start else head).strip()


def iso_time(value: str) -> str:
    when = datetime.strptime(value.strip(), "%Y/%m/%d %H:%M:%S").replace(tzinfo=CST)
    return when.isoformat()


def clean(row: dict[str, str], keep_other_cities: bool) -> tuple[str, str] | None:
    title = squash(row.get("title", ""))
    detail = squash(row.get("detail", ""))
    if not title or not detail:
        return None
    title = tielingify(title, keep_other_cities)[:TITLE_MAX].strip()
    detail = cut_detail(tielingify(detail, keep_other_cities))
    return title, detail


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def quotas(available: dict[str, int], total: int) -> dict[str, int]:
    """Share ``total`` as evenly as possible; a class with fewer rows gives its spare share to the rest."""
    out: dict[str, int] = {}
    remaining = total
    order = sorted(available, key=lambda k: (available[k], k))
    for i, label in enumerate(order):
        share = remaining // (len(order) - i)
        out[label] = min(available[label], share)
        remaining -= out[label]
    return out


def build_messages(
    src: Path, keep_other_cities: bool = False, labeled_target: int = LABELED_TARGET
) -> list[list[str]]:
    seen: set[tuple[str, str]] = set()
    rows: list[list[str]] = []
    dropped = Counter()

    for row in read_csv(src / "messages_unlabeled.csv"):
        pair = clean(row, keep_other_cities)
        if pair is None:
            dropped["unlabeled: empty"] += 1
            continue
        if pair in seen:
            dropped["unlabeled: duplicate"] += 1
            continue
        seen.add(pair)
        rows.append(["unlabeled", row["id"], *pair, "", iso_time(row["posted_at"])])

    # Labeled candidates: cleaned, not already shipped as unlabeled, one per pair, one label per pair.
    candidates: dict[tuple[str, str], dict[str, str]] = {}
    labels_of: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for row in read_csv(src / "messages_labeled.csv"):
        pair = clean(row, keep_other_cities)
        if pair is None or not row.get("posted_at", "").strip():
            continue
        labels_of[pair].add(row["label"])
        if pair in seen:
            dropped["labeled: same text as an unlabeled row"] += 1
            continue
        candidates.setdefault(pair, row)
    for pair in [p for p in candidates if len(labels_of[p]) > 1]:
        dropped["labeled: conflicting labels"] += 1
        del candidates[pair]

    by_label: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    for pair, row in candidates.items():
        by_label[row["label"]].append(pair)
    rng = random.Random(SEED)
    chosen: set[tuple[str, str]] = set()
    for label, n in sorted(quotas({k: len(v) for k, v in by_label.items()}, labeled_target).items()):
        chosen.update(rng.sample(by_label[label], n))
    for pair, row in candidates.items():  # source file order
        if pair in chosen:
            rows.append(["labeled", row["id"], *pair, row["label"], iso_time(row["posted_at"])])

    for reason, n in sorted(dropped.items()):
        print(f"  dropped {n:5d}  {reason}", file=sys.stderr)
    return rows


def write_gzip_csv(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(buf.getvalue().encode("utf-8"))


# ---------------------------------------------------------------- 统一社会信用代码 (GB 32100-2015)

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # 组织机构代码 (GB 11714-1997), positions 9–17 of a credit code


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def credit_code_ok(code: str) -> bool:
    return (
        len(code) == 18
        and all(c in CREDIT_CHARS for c in code)
        and credit_check_char(code[:17]) == code[17]
        and org_code_check_char(code[8:16]) == code[16]
    )


def make_credit_code(region: str, org_body8: str, dept_and_kind: str = "91") -> str:
    """'91' (市场监管, 企业) + 6-digit region + 组织机构代码 (8 + check) + check character."""
    first17 = dept_and_kind + region + org_body8 + org_code_check_char(org_body8)
    return first17 + credit_check_char(first17)


def check_tieling(path: Path) -> list[str]:
    """Return a list of problems in tieling.json (empty when it is consistent)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    divisions = {d["code"]: d for d in data["divisions"]}
    digits = {"city": 6, "county": 6, "township": 9, "community": 12}
    for d in data["divisions"]:
        if len(d["code"]) != digits[d["level"]] or not d["code"].isdigit():
            problems.append(f"division {d['code']}: bad code for level {d['level']}")
        prefix = (d["parent"] or "")[: 4 if d["level"] == "county" else 12]
        if d["parent"] is not None and (d["parent"] not in divisions or not d["code"].startswith(prefix)):
            problems.append(f"division {d['code']}: bad parent {d['parent']}")
    units = {u["code"]: u for u in data["units"]}
    for u in data["units"]:
        if not re.fullmatch(r"[A-Z][A-Z0-9_]{1,29}", u["code"]):
            problems.append(f"unit {u['code']}: code is not short ASCII")
        if u["division"] not in divisions:
            problems.append(f"unit {u['code']}: unknown division {u['division']}")
        if u.get("parent") and u["parent"] not in units:
            problems.append(f"unit {u['code']}: unknown parent {u['parent']}")
    with (path.parent / "taxonomy.csv").open(encoding="utf-8") as fh:
        level1 = {r["level1"] for r in csv.DictReader(fh)}
    for r in data["routing"]:
        for code in [r["unit"], *r.get("assisting", [])]:
            if code not in units:
                problems.append(f"routing {r['category']}: unknown unit {code}")
        if r["category"] not in level1:
            problems.append(f"routing: {r['category']} is not a first-level category")
    users = {u["username"]: u for u in data["users"]}
    if len(users) != len(data["users"]):
        problems.append("users: duplicate username")
    for u in data["users"]:
        if u.get("unit") and u["unit"] not in units:
            problems.append(f"user {u['username']}: unknown unit {u['unit']}")
        if u.get("division") and u["division"] not in divisions:
            problems.append(f"user {u['username']}: unknown division {u['division']}")
    for r in data["routing"]:
        if f"h_{r['unit'].lower()}" not in users:
            problems.append(f"routing {r['category']}: no handler h_{r['unit'].lower()}")
    enterprises = {e["name"]: e for e in data["enterprises"]}
    for e in data["enterprises"]:
        if not credit_code_ok(e["credit_code"]):
            problems.append(f"enterprise {e['name']}: credit code {e['credit_code']} fails GB 32100")
        if e["division"] not in divisions:
            problems.append(f"enterprise {e['name']}: unknown division {e['division']}")
    for r in data["responsibilities"]:
        if r["official"] not in users:
            problems.append(f"responsibility: unknown official {r['official']}")
        target_ok = {
            "division": lambda r: r["target"] in divisions,
            "enterprise": lambda r: r["target"] in enterprises,
            "site": lambda r: bool(r["target"]) and r.get("division", "211200") in divisions,
        }[r["target_type"]](r)
        if not target_ok:
            problems.append(f"responsibility {r['official']} → {r['target']}: unknown target")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", nargs="?", type=Path, default=DEFAULT_SRC, help="the tipdm2020 data directory")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--labeled", type=int, default=LABELED_TARGET, help="how many labeled rows to ship")
    parser.add_argument(
        "--keep-other-cities",
        action="store_true",
        help="leave 'K市', 'K8县' … verbatim (only A市's tokens → Tieling)",
    )
    args = parser.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    rows = build_messages(args.src, args.keep_other_cities, args.labeled)
    target = args.out / "messages.csv.gz"
    write_gzip_csv(target, rows)
    shutil.copyfile(args.src / "taxonomy.csv", args.out / "taxonomy.csv")

    by_source = Counter(r[0] for r in rows)
    by_label = Counter(r[4] for r in rows if r[0] == "labeled")
    print(f"{target}: {len(rows)} rows, {target.stat().st_size:,} bytes gzip'd")
    print("  by source:", dict(sorted(by_source.items())))
    print("  labeled by label:", dict(by_label.most_common()))

    tieling = args.out / "tieling.json"
    if tieling.exists():
        problems = check_tieling(tieling)
        for p in problems:
            print("  tieling.json:", p, file=sys.stderr)
        print(f"{tieling}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
