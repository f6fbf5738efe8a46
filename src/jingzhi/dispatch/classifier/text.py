"""Chinese text → the token list both feature sets read.

The training data mixes two forms: raw text as a citizen writes it, and text that was published only as
jieba tokens with stop-words removed (`text_segmented`). At prediction time we only ever see raw text, so raw
text is cut with jieba and stripped of punctuation and of the stop-words learned from the rows that have both
forms; that brings raw text close to the pre-segmented form the model mostly learnt from.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence

# A token made only of punctuation, symbols or spaces carries no class signal.
_NOISE = re.compile(r"^[\s\W_]+$", re.UNICODE)
_lock = threading.Lock()
_ready = False


def _jieba():  # type: ignore[no-untyped-def]
    """jieba with its bundled dictionary (nothing is downloaded); loaded once, on first use."""
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _ready = True
    return jieba


def cut(text: str) -> list[str]:
    """jieba tokens of `text` without whitespace and punctuation."""
    return [t for t in (w.strip() for w in _jieba().lcut(text or "")) if t and not _NOISE.match(t)]


def tokens(text: str, *, stopwords: frozenset[str] = frozenset()) -> list[str]:
    return [t for t in cut(text) if t not in stopwords]


def learn_stopwords(pairs: Iterable[tuple[str, Sequence[str]]], *, min_count: int = 2, keep_rate: float = 0.2) -> frozenset[str]:
    """Words that the publisher's segmentation dropped: cut raw text, compare with its published tokens.

    A word seen at least `min_count` times in raw text and kept in fewer than `keep_rate` of those rows was on
    the publisher's stop-word list (的, 了, 我们 …).
    """
    seen: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    for raw, segmented in pairs:
        published = set(segmented)
        for token in cut(raw):
            seen[token] += 1
            if token in published:
                kept[token] += 1
    return frozenset(t for t, n in seen.items() if n >= min_count and kept[t] / n < keep_rate)


def identity(items: list[str]) -> list[str]:
    """The word vectoriser's analyser: the tokens are already prepared (a module function, so it pickles)."""
    return items


def joined(items: Sequence[str]) -> str:
    return "".join(items)
