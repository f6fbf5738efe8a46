"""The repository stands on its own: no reference to design notes kept outside it, and no dead link in the docs.

Whoever clones Jingzhi must be able to follow every reference in the source, the tests and the docs. The
domain and the architecture are described in docs/domain.md and docs/architecture.md. Names of documents
that only ever existed outside the repository must not come back.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCANNED = ("src", "tests", "docs", "benchmarks", "scripts", "README.md")

# Case-sensitive: docs/domain.md and docs/architecture.md (lower case) are the repository's own.
# Spelled in pieces so that this file does not match itself.
FORBIDDEN = ("../" + "shared", "shared/" + "design", "DOMAIN" + ".md", "ARCHITECTURE" + ".md", "STYLE" + ".md",
             "OPEN311" + ".md", "DOMAIN" + " §")


def tracked_files() -> list[Path]:
    """The files git tracks (or would: new, not ignored) under the scanned paths; without git, every file there."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *SCANNED],
                             cwd=REPO, capture_output=True, check=True)
        names = [n for n in out.stdout.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
    if names:
        return [REPO / n for n in names if (REPO / n).is_file()]
    found: list[Path] = []
    for root in SCANNED:
        path = REPO / root
        found += [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and ".venv" not in p.parts]
    return found


def _text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None  # images, compiled catalogues, gzip
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def test_the_scan_sees_the_files_it_is_meant_to_check() -> None:
    files = {p.relative_to(REPO).as_posix() for p in tracked_files()}
    for expected in ("README.md", "docs/domain.md", "docs/architecture.md", "src/jingzhi/cases/transitions.py",
                     "tests/test_docs_references.py", "scripts/lock.sh"):
        assert expected in files


def test_no_file_refers_to_design_notes_outside_the_repository() -> None:
    offenders = []
    for path in tracked_files():
        text = _text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            offenders += [f"{path.relative_to(REPO)}:{number}: {word}" for word in FORBIDDEN if word in line]
    assert not offenders, "point these at docs/domain.md, docs/architecture.md or docs/api.md:\n" + "\n".join(offenders)


# [text](target) and ![alt](target "title"); reference-style definitions "[x]: target".
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def _prose(markdown: str) -> str:
    """The text outside code blocks and code spans: links in code are examples, not links."""
    return INLINE_CODE.sub("", FENCE.sub("", markdown))


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    seen: dict[str, int] = {}
    out: set[str] = set()
    for heading in HEADING.findall(FENCE.sub("", markdown)):
        slug = github_anchor(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def markdown_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def test_the_anchor_rule_matches_github() -> None:
    assert github_anchor("1. Mechanisms: what exists in code, and what is planned") == (
        "1-mechanisms-what-exists-in-code-and-what-is-planned"
    )
    assert github_anchor("3.2 Moves") == "32-moves"
    assert github_anchor("6. Metrics (考核)") == "6-metrics-考核"
    assert github_anchor("Open311 GeoReport v2 (`/open311/v2/`)") == "open311-georeport-v2-open311v2"


@pytest.mark.parametrize("doc", markdown_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_points_at_an_existing_file(doc: Path) -> None:
    prose = _prose(doc.read_text(encoding="utf-8"))
    broken = []
    for target in INLINE_LINK.findall(prose) + DEFINITION.findall(prose):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
            continue  # http:, https:, mailto: — not a file of ours
        path_part, _, fragment = target.partition("#")
        resolved = (doc.parent / path_part).resolve() if path_part else doc
        if REPO not in resolved.parents and resolved != REPO:
            broken.append(f"{target}: outside the repository")
        elif not resolved.exists():
            broken.append(f"{target}: no such file")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading with the anchor #{fragment}")
    assert not broken, f"{doc.relative_to(REPO)}: " + "; ".join(broken)
