"""Reading a labelled CSV for training or evaluation, with errors a person can act on."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


class DatasetError(Exception):
    """The CSV cannot be used: missing file or column, empty label, fewer than two classes."""


@dataclass(frozen=True)
class Sample:
    text: str  # raw text as a citizen wrote it ("" when only pre-segmented tokens exist)
    label: str
    segmented: tuple[str, ...] = ()  # published jieba tokens (the TipDM `text_segmented` column), if any


def _cell(row: dict[str, str | None], name: str) -> str:
    return (row.get(name) or "").strip()


def read_csv(
    path: str | Path, *, text_column: str = "text", label_column: str = "label", split: str | None = None,
    require_two_classes: bool = True,
) -> list[Sample]:
    """Rows of `path` as samples.

    Text: the text column; when it is empty, title + detail if the file has them; else the `text_segmented`
    column (tokens separated by spaces) if the file has one. A row without any text is skipped; a row with
    text but without a label is an error (silently dropping it would train on a different set than asked).
    `split` keeps only rows whose `split` column equals it.
    """
    p = Path(path)
    if not p.is_file():
        raise DatasetError(f"file not found: {p}")
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = reader.fieldnames or []
            for name in (text_column, label_column):
                if name not in columns:
                    raise DatasetError(f"column '{name}' not found in {p} (columns: {', '.join(columns) or 'none'})")
            if split is not None and "split" not in columns:
                raise DatasetError(f"column 'split' not found in {p}")
            samples: list[Sample] = []
            for line, row in enumerate(reader, start=2):
                if split is not None and _cell(row, "split") != split:
                    continue
                text = _cell(row, text_column)
                if not text and "title" in columns and "detail" in columns:
                    text = f"{_cell(row, 'title')} {_cell(row, 'detail')}".strip()
                segmented = tuple(_cell(row, "text_segmented").split()) if "text_segmented" in columns else ()
                if not text and not segmented:
                    continue
                label = _cell(row, label_column)
                if not label:
                    raise DatasetError(f"empty label in {p}, line {line}")
                samples.append(Sample(text=text, label=label, segmented=segmented))
    except UnicodeDecodeError as e:
        raise DatasetError(f"{p} is not UTF-8 text: {e}") from None
    except csv.Error as e:
        raise DatasetError(f"{p} is not a readable CSV file: {e}") from None
    if not samples:
        raise DatasetError(f"no rows with text in {p}")
    if require_two_classes and len({s.label for s in samples}) < 2:
        raise DatasetError(f"the label column '{label_column}' has only one class ({samples[0].label}); need at least two")
    return samples
