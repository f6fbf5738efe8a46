"""Reading the spreadsheets administrators upload (.xlsx and .csv), and running one import as one transaction.

Every import (divisions, units, users, cases, calendar days) goes through `import_rows`: the file is read,
each data row is handed to the import's row function inside its own savepoint, every bad row is collected
with its row number as Excel shows it (the header is row 1), and if any row was bad the whole transaction
is rolled back, so nothing from that file is saved.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from enum import StrEnum
from typing import IO, Any

from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from jingzhi.core.errors import ValidationFailed

MAX_ROWS = 50_000
MAX_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 200
# An .xlsx is a zip of XML files: a 300 KB upload can unpack to gigabytes ("zip bomb"). Its directory is
# checked before anything is unpacked; settings.JINGZHI_IMPORT may change these defaults.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_MEMBER_BYTES = 40 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # real sheets compress 5–30 times; only members above 1 MB are held to it
MAX_MEMBERS = 1000
# Blank rows are skipped, but each is still read: the sheet may hold at most this many rows more than MAX_ROWS
# (the header, the blank lines around it and between blocks), however few of them have data.
BLANK_ROW_ALLOWANCE = 1000
# How many of the first rows may be blank before the header row (some sheets start with an empty line).
_HEADER_SEARCH_ROWS = 10
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc) format
_HEADER_SPLIT = re.compile(r"[/|()\[\]\s]+")
_HEADER_NOISE = re.compile(r"[\s*:]+")


@dataclass(frozen=True)
class ImportLimits:
    """What an uploaded file may hold; refused before it is loaded when it holds more."""

    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS
    max_columns: int = MAX_COLUMNS
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES
    max_member_bytes: int = MAX_MEMBER_BYTES
    max_compression_ratio: int = MAX_COMPRESSION_RATIO
    max_members: int = MAX_MEMBERS

    @property
    def max_sheet_rows(self) -> int:
        return self.max_rows + BLANK_ROW_ALLOWANCE


def import_limits() -> ImportLimits:
    """The limits in force: settings.JINGZHI_IMPORT (keys as ImportLimits' fields, upper case) over the defaults."""
    from django.conf import settings

    configured = getattr(settings, "JINGZHI_IMPORT", {}) or {}
    defaults = ImportLimits()
    return ImportLimits(**{name: int(configured.get(name.upper(), getattr(defaults, name)))
                           for name in ImportLimits.__dataclass_fields__})


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f}"


class SpreadsheetError(ValidationFailed):
    """The file as a whole could not be read (not a spreadsheet, empty, a required column missing...)."""

    def __init__(self, message: str | Promise, *, column: str = "") -> None:
        super().__init__(message, fields={"file": str(message)}, code="bad_file")
        self.column = column


@dataclass(frozen=True)
class Column:
    """One column an import understands: its key in code, its Chinese and English headers, and an example."""

    key: str
    zh: str
    en: str
    required: bool = True
    example: str = ""
    help: str | Promise = ""
    aliases: tuple[str, ...] = ()
    # Codes, phone and ID numbers: the template marks the column as text so Excel keeps leading zeros and
    # does not turn an 18-digit ID number into 2.1E+17.
    text: bool = False

    def label(self) -> str:
        """The header in the active language (Chinese unless the user chose English)."""
        return self.en if (translation.get_language() or "").startswith("en") else self.zh

    def accepts(self, header: str) -> bool:
        wanted = {_normalise_header(h) for h in (self.zh, self.en, self.key, *self.aliases)}
        norm = _normalise_header(header)
        if norm in wanted:
            return True
        # "代码 (code)", "代码/code", "名称 name": any part of a combined header counts.
        return any(part in wanted for part in _HEADER_SPLIT.split(unicodedata.normalize("NFKC", header).lower()) if part)


def _normalise_header(header: str) -> str:
    # NFKC folds full-width letters, parentheses and colons typed with a Chinese input method.
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", header)).lower()


@dataclass(frozen=True)
class Table:
    """A sheet as read: the header row and the non-empty data rows, each with its row number as Excel shows it."""

    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class SheetRow:
    """One data row, keyed by Column.key. Text is stripped; Excel dates stay date/datetime; empty cells are ""."""

    number: int
    values: dict[str, Any]

    def text(self, key: str) -> str:
        value = self.values.get(key, "")
        if isinstance(value, datetime | date | time):
            return value.isoformat()
        return "" if value is None else str(value)

    def raw(self, key: str) -> Any:
        return self.values.get(key, "")


@dataclass(frozen=True)
class Sheet:
    """The rows of an import file mapped onto the import's columns, and the headers as the file wrote them."""

    rows: list[SheetRow]
    headers: dict[str, str]


@dataclass(frozen=True)
class RowError:
    """One problem: the row as Excel numbers it (None: the file as a whole), the column's header, the message."""

    row: int | None
    column: str
    message: str


class RowOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class ImportResult:
    """What an import did. With any error nothing was saved and the counts are zero; `rows` is what was read."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row is not None})


class InvalidRowError(Exception):
    """Raised by a row function: column key → message for every problem found in that row."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


# ---------------------------------------------------------------------------------------------------- reading


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel stores every number as a float: 211200.0 is the code "211200".
        return str(int(value)) if value.is_integer() else repr(value)
    return value  # datetime, date, time


def _read_bytes(rows_file: IO[bytes] | Any) -> tuple[bytes, str]:
    name = str(getattr(rows_file, "name", "") or "")
    if hasattr(rows_file, "seek"):
        with contextlib.suppress(OSError, ValueError):
            rows_file.seek(0)
    limit = import_limits().max_bytes
    data = rows_file.read(limit + 1)
    if isinstance(data, str):  # a text stream: already decoded
        data = data.encode("utf-8")
    if len(data) > limit:
        raise SpreadsheetError(_("The file is larger than %(mb)d MB; split it into smaller files.") % {"mb": limit // 2**20})
    return data, name


def _unreadable_workbook() -> SpreadsheetError:
    return SpreadsheetError(_("This file is not an Excel workbook (.xlsx) that can be read; save it again from Excel."))


def check_zip(data: bytes, limits: ImportLimits) -> None:
    """Refuse a workbook whose zip directory promises more than the limits, before a byte of it is unpacked.

    The sizes are the ones the directory declares; Python's zipfile never inflates a member past its declared
    size (a member that lies is cut off and fails its CRC check), so the declared sizes bound the memory used.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _unreadable_workbook() from None
    too_big = _("This workbook unpacks to more than %(mb)s MB; split it into smaller files or save it again from Excel.")
    if len(members) > limits.max_members:
        raise SpreadsheetError(_("This workbook holds more than %(max)s parts; save it again from Excel as a plain workbook.")
                               % {"max": f"{limits.max_members:,}"})
    total = 0
    for member in members:
        if member.file_size > limits.max_member_bytes:
            raise SpreadsheetError(too_big % {"mb": _mb(limits.max_member_bytes)})
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 2**20 and ratio > limits.max_compression_ratio:
            raise SpreadsheetError(_("This workbook is compressed %(ratio)s times, more than the %(max)s times a real "
                                     "spreadsheet is; it is refused.") % {"ratio": f"{ratio:,.0f}", "max": limits.max_compression_ratio})
        total += member.file_size
        if total > limits.max_uncompressed_bytes:
            raise SpreadsheetError(too_big % {"mb": _mb(limits.max_uncompressed_bytes)})


def _too_many_rows(limits: ImportLimits) -> SpreadsheetError:
    return SpreadsheetError(_("The file has more than %(max)s data rows; split it into smaller files.") % {"max": f"{limits.max_rows:,}"})


def _too_many_columns(limits: ImportLimits) -> SpreadsheetError:
    return SpreadsheetError(_("The sheet has more than %(max)s columns; delete the unused columns or split the file.")
                            % {"max": f"{limits.max_columns:,}"})


def _xlsx_rows(data: bytes, limits: ImportLimits) -> Iterator[tuple[Any, ...]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_zip(data, limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, SyntaxError):
        raise _unreadable_workbook() from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        # The sheet's <dimension> as written: a sheet that says it is larger than allowed is refused unread.
        if (sheet.max_row or 0) > limits.max_sheet_rows:
            raise _too_many_rows(limits)
        if (sheet.max_column or 0) > limits.max_columns:
            raise _too_many_columns(limits)
        # Files written by other programs often carry a wrong <dimension>; read what is really there. Each row is
        # then as wide as its last cell: the first row with a value past the column limit ends the reading.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        try:
            for row in sheet.iter_rows(min_row=1, values_only=True):
                if len(row) > limits.max_columns:
                    if any(v not in (None, "") for v in row[limits.max_columns:]):
                        raise _too_many_columns(limits)
                    row = row[: limits.max_columns]
                yield row
        except (KeyError, IndexError, ValueError, TypeError, OSError, zipfile.BadZipFile, SyntaxError):
            # A damaged sheet: a shared string that is not there, a cell reference that is not one, a bad CRC...
            raise SpreadsheetError(_("This workbook is damaged and cannot be read; open it in Excel and save it again.")) from None
    finally:
        workbook.close()


def _decode_text(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and its delimiter. UTF-8 (with or without BOM), UTF-16 from Excel, or GBK/GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data[:4096]:
            raise SpreadsheetError(_("This file is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file."))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                # GB18030 is a superset of GBK and GB2312, which Excel on Chinese Windows writes.
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise SpreadsheetError(
                    _("The characters in this CSV file could not be read; save it as “CSV UTF-8” or as an Excel workbook.")
                ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    return text, delimiter


def _csv_rows(data: bytes, limits: ImportLimits) -> Iterator[tuple[Any, ...]]:
    text, delimiter = _decode_text(data)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(row) > limits.max_columns and any(v.strip() for v in row[limits.max_columns:]):
                raise _too_many_columns(limits)
            yield tuple(row[: limits.max_columns])
    except csv.Error as e:
        raise SpreadsheetError(_("This CSV file is malformed: %(error)s") % {"error": e}) from None


def _raw_rows(data: bytes, name: str, limits: ImportLimits) -> Iterator[tuple[Any, ...]]:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if data.startswith(_OLE_MAGIC) or suffix == "xls":
        raise SpreadsheetError(_("The old Excel format (.xls) is not supported; in Excel choose “Save as” → “Excel workbook (.xlsx)”."))
    if data.startswith(_XLSX_MAGIC):
        return _xlsx_rows(data, limits)
    if suffix in ("", "csv", "txt", "tsv"):
        return _csv_rows(data, limits)
    raise SpreadsheetError(_("This file is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file."))


def read_table(rows_file: IO[bytes] | Any) -> Table:
    """Read the first sheet of an .xlsx, or a .csv, into its header row and its non-empty data rows.

    Raises SpreadsheetError for a file that is not a spreadsheet, is empty, is damaged, or is larger than the
    import limits (import_limits(): bytes, rows, columns, and for .xlsx its unpacked size, checked first).
    """
    limits = import_limits()
    data, name = _read_bytes(rows_file)
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    headers: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(_raw_rows(data, name, limits), start=1):
        if number > limits.max_sheet_rows:
            # Blank rows count here: a million empty rows would otherwise hold a worker for a minute.
            raise _too_many_rows(limits)
        values = [_cell(v) for v in raw]
        if not any(v != "" for v in values):
            continue
        if headers is None:
            if number > _HEADER_SEARCH_ROWS:
                break
            headers = [str(v) if v != "" else "" for v in values]
            continue
        if len(rows) >= limits.max_rows:
            raise _too_many_rows(limits)
        rows.append((number, {h: v for h, v in zip(headers, values, strict=False) if h}))
    if headers is None:
        raise SpreadsheetError(_("The file is empty."))
    if not rows:
        raise SpreadsheetError(_("The file has a header row but no data rows."))
    return Table(headers=headers, rows=rows)


def read_sheet(rows_file: IO[bytes] | Any, *, columns: Sequence[Column]) -> Sheet:
    """Read a file and map its headers (Chinese or English) onto `columns`; name any missing required column."""
    table = read_table(rows_file)
    found: dict[str, str] = {}
    for header in table.headers:
        if not header:
            continue
        for column in columns:
            if column.accepts(header):
                if column.key in found:
                    raise SpreadsheetError(
                        _("The column “%(column)s” appears twice (“%(first)s” and “%(second)s”).")
                        % {"column": column.label(), "first": found[column.key], "second": header},
                        column=column.label(),
                    )
                found[column.key] = header
                break
    missing = [c for c in columns if c.required and c.key not in found]
    if missing:
        names = "、".join(f"“{c.zh}” ({c.en})" for c in missing)
        raise SpreadsheetError(
            _("The file has no column %(columns)s. The first row must hold the column headers; download the template.")
            % {"columns": names},
            column=missing[0].label(),
        )
    rows = [SheetRow(number=number, values={key: values.get(header, "") for key, header in found.items()})
            for number, values in table.rows]
    return Sheet(rows=rows, headers=found)


# ------------------------------------------------------------------------------------------------- importing


RowFunction = Callable[[SheetRow], RowOutcome]


def import_rows(
    rows_file: IO[bytes] | Any,
    *,
    columns: Sequence[Column],
    handle_row: RowFunction,
    field_columns: Mapping[str, str] | None = None,
    prepare: Callable[[Sheet], Mapping[int, Mapping[str, str]]] | None = None,
    actor: Any = None,
    audit_object: str = "",
    audit_object_id: str | int = "",
) -> ImportResult:
    """Read the file and hand each row to `handle_row`, all in one transaction; any bad row → nothing saved.

    `handle_row` raises InvalidRowError (column key → message) or a service's ValidationFailed, whose field
    names `field_columns` maps to column keys. `prepare` may look at the whole sheet first (e.g. for
    duplicates) and return row number → {column key: message} for rows that are bad before any is saved.
    With `audit_object` (what is imported: "case", "unit"…) the import, failed or not, goes to the audit log.
    """
    result = ImportResult()
    try:
        sheet = read_sheet(rows_file, columns=columns)
    except SpreadsheetError as e:
        result.errors.append(RowError(row=None, column=e.column, message=str(e.message)))
        _audit_import(rows_file, result, actor=actor, audit_object=audit_object, audit_object_id=audit_object_id)
        return result
    by_key = {c.key: c for c in columns}
    field_map = dict(field_columns or {})

    def column_label(key: str) -> str:
        if key in sheet.headers:
            return sheet.headers[key].strip().rstrip("*＊").strip()  # "区划代码*" as the template marks it
        return by_key[key].label() if key in by_key else ""

    def add_errors(number: int, errors: Mapping[str, Any]) -> None:
        for name, message in errors.items():
            key = field_map.get(name, name)
            result.errors.append(RowError(row=number, column=column_label(key), message=str(message)))

    result.rows = len(sheet.rows)
    early = dict(prepare(sheet)) if prepare is not None else {}
    with transaction.atomic():
        for row in sheet.rows:
            if row.number in early:
                add_errors(row.number, early[row.number])
                continue
            try:
                with transaction.atomic():
                    outcome = handle_row(row)
            except InvalidRowError as e:
                add_errors(row.number, e.errors)
                continue
            except ValidationFailed as e:
                add_errors(row.number, e.fields or {"": str(e.message)})
                continue
            if outcome is RowOutcome.CREATED:
                result.created += 1
            elif outcome is RowOutcome.UPDATED:
                result.updated += 1
            else:
                result.unchanged += 1
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = result.unchanged = 0
    result.errors.sort(key=lambda e: (e.row or 0))
    _audit_import(rows_file, result, actor=actor, audit_object=audit_object, audit_object_id=audit_object_id)
    return result


def _audit_import(rows_file: Any, result: ImportResult, *, actor: Any, audit_object: str,
                  audit_object_id: str | int) -> None:
    """Who imported which file into what, with the counts; a refused file is recorded as a failure."""
    if not audit_object:
        return
    from jingzhi.core.audit import audit_record

    audit_record(
        actor=actor, action="import", object_type=audit_object, object_id=audit_object_id,
        outcome="success" if result.ok else "failure",
        detail={"file": str(getattr(rows_file, "name", "") or "")[-200:], "rows": result.rows,
                "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                "errors": len(result.errors)},
    )


# ------------------------------------------------------------------------------------------------- templates


def template_workbook(columns: Sequence[Column], *, title: str = "") -> bytes:
    """An .xlsx with the header row (required columns marked *) and one example row, plus a sheet of notes."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from jingzhi.core.workbooks import append_row

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = (title or _("Import"))[:31]
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=column.label() + ("*" if column.required else ""))
        header.font = bold
        if column.required:
            header.fill = required_fill
        example = sheet.cell(row=2, column=index, value=column.example)
        width = max(len(column.label()) * 2 + 4, len(column.example) + 4, 10)
        sheet.column_dimensions[letter].width = min(width, 60)
        if column.text:
            sheet.column_dimensions[letter].number_format = "@"
            example.number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Notes")[:31])
    append_row(notes, [_("Column"), _("English header"), _("Required"), _("What to enter")])
    for cell in notes[1]:
        cell.font = bold
    for column in columns:
        append_row(notes, [column.zh, column.en, _("yes") if column.required else _("no"), str(column.help)])
    for letter, width in zip("ABCD", (16, 18, 8, 90), strict=True):
        notes.column_dimensions[letter].width = width
    notes.append([])
    append_row(notes, [_("Only the first sheet is imported. Headers may be in Chinese or in English. "
                    "If any row has an error, nothing from the file is saved.")])

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------- choice values

_CHOICE_NOISE = re.compile(r"[\s()\[\]、,/·._-]+")


def _normalise_choice(value: str) -> str:
    return _CHOICE_NOISE.sub("", unicodedata.normalize("NFKC", str(value))).lower()


class ChoiceMatcher:
    """Finds the code of a TextChoices member written as its code, its label (English or the active language)
    or an alias: "投诉", "complaint" and "Complaint (投诉)" all give "complaint". Lookup tables are built once
    per language, so matching a 50,000-row file costs one dictionary lookup a row.
    """

    def __init__(self, choices: Any, aliases: Mapping[str, Sequence[str]] | None = None) -> None:
        self.choices = choices
        self.aliases = dict(aliases or {})
        self._tables: dict[str, dict[str, str]] = {}

    def _table(self) -> dict[str, str]:
        language = translation.get_language() or ""
        table = self._tables.get(language)
        if table is None:
            table = {}
            with translation.override("en"):
                english = {code: str(label) for code, label in self.choices.choices}
            for code, label in self.choices.choices:
                for candidate in (code, str(label), english[code], *self.aliases.get(code, ())):
                    table.setdefault(_normalise_choice(candidate), str(code))
            self._tables[language] = table
        return table

    def __call__(self, value: str) -> str | None:
        wanted = _normalise_choice(value)
        return self._table().get(wanted) if wanted else None


def match_choice(value: str, *, choices: Any, aliases: Mapping[str, Sequence[str]] | None = None) -> str | None:
    """One-off ChoiceMatcher(choices, aliases)(value); imports keep a ChoiceMatcher instead."""
    return ChoiceMatcher(choices, aliases)(value)


# ------------------------------------------------------------------------------------------ dates and times

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H时%M分", "%H点%M分", "%H点")
_EXCEL_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")


def _from_excel_serial(text: str) -> datetime | None:
    from openpyxl.utils.datetime import from_excel

    converted = from_excel(float(text))
    if isinstance(converted, datetime):
        return converted
    if isinstance(converted, date):
        return datetime.combine(converted, time(0, 0))
    return None


def _parse_naive(text: str) -> datetime | None:
    text = re.sub(r"\s+", " ", text.strip())
    if _EXCEL_SERIAL.match(text):
        return _from_excel_serial(text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    day_part, _sep, time_part = text.partition(" ")
    if not time_part and "日" in text and not text.endswith("日"):  # 2026年11月2日9:30
        day_part, time_part = text.split("日", 1)[0] + "日", text.split("日", 1)[1]
    for day_format in _DATE_FORMATS:
        try:
            day = datetime.strptime(day_part, day_format).date()  # noqa: DTZ007 — a calendar date, zone added by the caller
        except ValueError:
            continue
        if not time_part:
            return datetime.combine(day, time(0, 0))
        for time_format in _TIME_FORMATS:
            try:
                moment = datetime.strptime(time_part.strip(), time_format).time()  # noqa: DTZ007 — a wall-clock time
            except ValueError:
                continue
            return datetime.combine(day, moment)
        return None
    return None


def cell_date(value: Any) -> date:
    """A date from an Excel date cell, an Excel serial number or text (2027-01-01, 2027/1/1, 2027年1月1日).

    Raises ValueError with a message for the user.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = _parse_naive(str(value)) if str(value).strip() else None
    if parsed is None:
        raise ValueError(_("“%(value)s” is not a date; write it like 2027-01-01.") % {"value": value})
    return parsed.date()


def cell_datetime(value: Any, *, tz: tzinfo) -> datetime:
    """An aware datetime from an Excel date cell, an Excel serial number or text such as 2026-11-02 09:30.

    Values without a zone are local time in `tz`. Raises ValueError with a message for the user.
    """
    if isinstance(value, datetime):
        moment: datetime | None = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0, 0))
    else:
        moment = _parse_naive(str(value)) if str(value).strip() else None
    if moment is None:
        raise ValueError(_("“%(value)s” is not a date and time; write it like 2026-11-02 09:30.") % {"value": value})
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=tz)
    return moment
