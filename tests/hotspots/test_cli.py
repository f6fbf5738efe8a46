"""`jingzhi hotspots detect --json`: the interface the benchmark calls, and its errors (exit 2, one line)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from jingzhi.cli import main

HEADER = ("id", "user", "title", "detail", "posted_at", "likes", "dislikes")
ROWS = [
    ("101", "u1", "A2区丽发新城附近建搅拌站噪音扰民", "丽发新城小区旁边的搅拌站日夜施工，噪音粉尘严重", "2019/11/2 10:00:00", "3", "0"),
    ("102", "u2", "丽发新城小区附近的搅拌站噪音严重扰民", "搅拌站晚上施工噪音太大", "2019/11/4 22:15:09", "1", "0"),
    ("103", "u3", "举报A2区丽发新城小区附近仍存在非法搅拌站", "搅拌站粉尘污染，噪音扰民", "2019/11/15 8:01:00", "0", "0"),
    ("201", "u4", "投诉A市伊景园滨河苑捆绑销售车位", "开发商要求购房必须同时购买车位", "2019/7/23 9:00:00", "0", "0"),
    ("202", "u5", "A市伊景园滨河苑项目捆绑销售车位", "购房捆绑销售车位，违反规定", "2019/7/28 9:00:00", "0", "0"),
    ("301", "u6", "A7县特立路与东四路口晚高峰太堵", "建议调整信号灯配时", "2019/10/19 11:02:40", "0", "0"),
]


def write(path: Path, rows: list[tuple[str, ...]], header: tuple[str, ...] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["hotspots", "detect", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_holds_every_group_of_two_or_more_ranked_by_heat(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--csv", str(write(tmp_path / "m.csv", ROWS)), "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    spots = doc["hotspots"]
    assert [s["ids"] for s in spots] == [["101", "102", "103"], ["201", "202"]]
    assert [s["rank"] for s in spots] == [1, 2] and spots[0]["heat"] > spots[1]["heat"]
    first = spots[0]
    assert "丽发新城" in first["place"] and first["summary"] in {r[2] for r in ROWS[:3]}
    assert first["from"] == "2019-11-02T10:00:00+08:00" and first["to"] == "2019-11-15T08:01:00+08:00"
    assert first["supporters"] == 4 and first["reporters"] == 3
    assert {"rank", "heat", "ids", "place", "from", "to", "summary"} <= set(first)


def test_other_column_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ("编号", "标题", "内容", "时间", "点赞")
    rows = [(r[0], r[2], r[3], r[4].replace("/", "-"), r[5]) for r in ROWS]
    path = write(tmp_path / "m.csv", rows, header)
    code, out, _ = run(capsys, "--csv", str(path), "--id-column", "编号", "--text-columns", "标题,内容",
                       "--time-column", "时间", "--support-column", "点赞", "--json")
    assert code == 0
    spots = json.loads(out)["hotspots"]
    assert spots[0]["ids"] == ["101", "102", "103"] and spots[0]["supporters"] == 4


def test_no_groups_is_an_empty_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--csv", str(write(tmp_path / "m.csv", [ROWS[0], ROWS[3], ROWS[5]])), "--json")
    assert code == 0 and json.loads(out) == {"hotspots": []}


def _bad_time(tmp_path: Path) -> list[str]:
    rows = [*ROWS[:2], ("103", "u3", "标题", "内容", "昨天下午", "0", "0")]
    return ["--csv", str(write(tmp_path / "m.csv", rows))]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing_file", "file not found"),
        ("missing_column", "missing column(s) posted_at"),
        ("missing_support", "missing column 赞"),
        ("bad_time", "cannot read the time '昨天下午'"),
        ("bad_likes", "likes is not a number"),
        ("duplicate_id", "id 101 occurs twice"),
        ("no_csv", "give --csv FILE"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, message: str) -> None:
    args = {
        "missing_file": lambda: ["--csv", str(tmp_path / "none.csv")],
        "missing_column": lambda: ["--csv", str(write(tmp_path / "m.csv", [r[:4] for r in ROWS], HEADER[:4]))],
        "missing_support": lambda: ["--csv", str(write(tmp_path / "m.csv", ROWS)), "--support-column", "赞"],
        "bad_time": lambda: _bad_time(tmp_path),
        "bad_likes": lambda: ["--csv", str(write(tmp_path / "m.csv", [(*ROWS[0][:5], "many", "0")]))],
        "duplicate_id": lambda: ["--csv", str(write(tmp_path / "m.csv", [ROWS[0], ROWS[0]]))],
        "no_csv": lambda: [],
    }[case]()
    code, out, err = run(capsys, *args, "--json")
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
