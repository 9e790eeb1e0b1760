"""Uploaded files: the limits in one place, and one strict, streaming reader for every import (counts, spending).

The type is read from the content, not the name: a ZIP signature is a workbook, anything else must be UTF-8 text
(CSV). Limits are checked while reading and reading stops at the first one passed, so no file within the size
limit can keep a worker busy or fill the memory: openpyxl's ``read_only`` mode trusts the sheet's declared size
(``A1:XFD1048576`` means a billion empty cells), so the workbook's rows are read straight from its XML instead.
"""

import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass

from mobility.i18n import fmt_int, t
from mobility.service import ValidationError


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 10 * 1024 * 1024  # what is uploaded
    unpacked_bytes: int = 60 * 1024 * 1024  # a workbook's parts once unzipped (a zip bomb stops here)
    rows: int = 100_000  # data rows after the header
    columns: int = 20
    cell_chars: int = 2_000
    total_chars: int = 20_000_000  # all text in all cells together


LIMITS = Limits()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A quoted CSV value starts right after a separator or a line break and ends right before one.
_QUOTED = re.compile(r'(?<![^,;\r\n])"(?:[^"]|"")*"(?![^,;\r\n])')
_LINE_END = re.compile(r"\r\n|\n|\r")


def limits_text(lang: str, limits: Limits = LIMITS) -> str:
    """The limits in words, for the upload widgets' help and the README."""
    return t("files.limits", lang, mb=limits.file_bytes // (1024 * 1024), rows=fmt_int(limits.rows, lang),
             columns=limits.columns, chars=fmt_int(limits.cell_chars, lang))


def _refuse(lang: str, key: str, **values) -> ValidationError:
    return ValidationError(t(f"files.err.{key}", lang, **values))


@dataclass
class Table:
    header: list[str]  # lower-cased, stripped
    rows: list[tuple[int, list]]  # (row number as a spreadsheet shows it, values); blank rows left out


def read_table(data: bytes, *, lang: str = "en", limits: Limits = LIMITS) -> Table:
    """A CSV (comma or semicolon, UTF-8 with or without BOM) or an XLSX file → header and numbered rows.

    ValidationError names the limit or the row and column of the first problem found; nothing is half-read.
    """
    if len(data) > limits.file_bytes:
        raise _refuse(lang, "file_bytes", mb=limits.file_bytes // (1024 * 1024))
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise _refuse(lang, "empty")
    rows = _xlsx_rows(data, lang, limits) if data[:4] == b"PK\x03\x04" else _csv_rows(data, lang, limits)
    return _table(rows, lang, limits)


def _table(rows, lang: str, limits: Limits) -> Table:
    header, kept, total = None, [], 0
    for number, values in rows:
        if number > limits.rows + 1:
            raise _refuse(lang, "rows", max=fmt_int(limits.rows, lang))
        if len(values) > limits.columns:
            raise _refuse(lang, "columns", row=number, max=limits.columns)
        for column, value in enumerate(values, start=1):
            total += _check_value(value, number, column if header is None or column > len(header)
                                  else header[column - 1] or column, lang, limits)
        if total > limits.total_chars:
            raise _refuse(lang, "total_chars", max=fmt_int(limits.total_chars, lang))
        if header is None:
            header = [("" if v is None else str(v)).strip().lower() for v in values]
            named = [h for h in header if h]
            twice = sorted({h for h in named if named.count(h) > 1})
            if twice:
                raise _refuse(lang, "twice", columns=", ".join(twice))
            if not named:
                raise _refuse(lang, "empty")
            while header and not header[-1]:
                header.pop()
            continue
        filled = [v for v in values if v is not None and str(v).strip()]
        if not filled:
            continue
        last = max(i for i, v in enumerate(values) if v is not None and str(v).strip()) + 1
        if last > len(header):
            raise _refuse(lang, "extra_values", row=number, values=last, columns=len(header))
        kept.append((number, list(values[:len(header)])))
    if header is None:
        raise _refuse(lang, "empty")
    return Table(header, kept)


def _check_value(value, row: int, column, lang: str, limits: Limits) -> int:
    """Refuse what no import may store; return the value's length in characters."""
    if value is None:
        return 0
    if isinstance(value, float) and not math.isfinite(value):
        raise _refuse(lang, "not_finite", row=row, column=column)
    if not isinstance(value, str):
        return 0
    if len(value) > limits.cell_chars:
        raise _refuse(lang, "cell_chars", row=row, column=column, max=fmt_int(limits.cell_chars, lang))
    bad = _CONTROL.search(value)
    if bad:
        raise _refuse(lang, "control", row=row, column=column, code=f"U+{ord(bad.group()):04X}")
    return len(value)


# CSV ---------------------------------------------------------------------------------------------------------------
def _csv_rows(data: bytes, lang: str, limits: Limits):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(lang, "not_text", row=data.count(b"\n", 0, exc.start) + 1) from None
    if "\x00" in text:
        raise _refuse(lang, "not_text", row=text.count("\n", 0, text.index("\x00")) + 1)
    # Outside quoted values only separators and line breaks remain: a stray or unclosed quote is a problem in its
    # row, and every line must end the same way.
    bare = _QUOTED.sub("\x00", text)
    stray = bare.find('"')
    if stray >= 0:
        raise _refuse(lang, "quote", row=len(_LINE_END.findall(bare, 0, stray)) + 1)
    endings = _LINE_END.findall(bare)
    if endings and len(set(endings)) > 1:
        first = endings[0]
        other = next(i for i, e in enumerate(endings) if e != first)
        raise _refuse(lang, "line_endings", row=other + 1)
    header_line = text.split(endings[0], 1)[0] if endings else text
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    csv.field_size_limit(max(csv.field_size_limit(), limits.file_bytes))  # our own cell limit names row and column
    try:
        yield from enumerate(reader, start=1)
    except csv.Error:
        raise _refuse(lang, "quote", row=reader.line_num) from None


# XLSX --------------------------------------------------------------------------------------------------------------
def _xlsx_rows(data: bytes, lang: str, limits: Limits):
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(lang, "not_excel") from None
    if unpacked > limits.unpacked_bytes:
        raise _refuse(lang, "unpacked", mb=limits.unpacked_bytes // (1024 * 1024))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise _refuse(lang, "not_excel") from None
    try:
        # A cheap count first: parsing a row costs ~100× more than finding it, and blank rows are rows too.
        with sheet._get_source() as source:
            rows, tail = 0, b""
            while chunk := source.read(1 << 20):
                rows += (tail + chunk).count(b"<row ") + (tail + chunk).count(b"<row>") - tail.count(b"<row")
                tail = chunk[-4:]
                if rows > limits.rows + 1:
                    raise _refuse(lang, "rows", max=fmt_int(limits.rows, lang))
        # Only the rows the sheet really holds, each only as wide as its last cell (never the declared size).
        with sheet._get_source() as source:
            parser = WorkSheetParser(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                                     date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
            for number, cells in parser.parse():
                width = max((c["column"] for c in cells), default=0)
                if width > limits.columns:
                    raise _refuse(lang, "columns", row=number, max=limits.columns)
                values = [None] * width
                for c in cells:
                    values[c["column"] - 1] = c["value"]
                yield number, values
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet is one message to the user, not a traceback
        raise _refuse(lang, "not_excel") from None
    finally:
        book.close()
