"""Uploaded files: the limits in one place, and one strict, streaming reader for every import (counts, spending,
lists of mobilities).

The type is read from the content, not the name: a ZIP signature is a workbook, anything else must be UTF-8 text
(CSV). Limits are checked while reading and reading stops at the first one passed, so no file within the size
limit can keep a worker busy or fill the memory. A workbook's sheet is read straight from its XML, in chunks of
whole rows: openpyxl trusts the sheet's declared size (``A1:XFD1048576`` means a billion empty cells) and takes
~20× a CSV's time for 50 000 rows.
"""

import codecs
import csv
import gc
import html
import io
import math
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

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
    cells: int = 2_000_000  # all rows' widths together: what the rows take in memory
    refuse_control: bool = True  # control characters break the exports of what is stored


LIMITS = Limits()  # aggregate files whose values are stored: counts and the spending ledger
# A mobility system's export, one row per mobility (mobility/record_import.py): wider and longer, and only counted
# (no value of it is stored, so a control character in some comment column does no harm).
RECORD_LIMITS = Limits(file_bytes=25 * 1024 * 1024, unpacked_bytes=200 * 1024 * 1024, rows=100_000, columns=200,
                       cell_chars=10_000, total_chars=60_000_000, cells=4_000_000, refuse_control=False)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A quoted CSV value starts right after a separator or a line break and ends right before one.
_QUOTED = re.compile(r'(?<![^,;\t\r\n])"(?:[^"]|"")*"(?![^,;\t\r\n])')
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
    labels: list[str] = field(default_factory=list)  # the header as written (stripped), for messages
    header_row: int = 1  # the spreadsheet's number of the header row


def read_table(data: bytes, *, lang: str = "en", limits: Limits = LIMITS) -> Table:
    """A CSV (comma, semicolon or tab; UTF-8 with or without BOM) or an XLSX file → header and numbered rows.

    ValidationError names the limit or the row and column of the first problem found; nothing is half-read.
    """
    if len(data) > limits.file_bytes:
        raise _refuse(lang, "file_bytes", mb=limits.file_bytes // (1024 * 1024))
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise _refuse(lang, "empty")
    with paused_gc():
        if data[:4] == b"PK\x03\x04":
            return _table(_xlsx_rows(data, lang, limits), lang, limits, text_only=False, clean=False)
        text = _csv_text(data, lang)
        clean = not (limits.refuse_control and _CONTROL.search(text))  # one search instead of one per row
        return _table(_csv_rows(text, lang, limits), lang, limits, text_only=True, clean=clean)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cycle collection while a file's rows are built: they hold no cycles, and on 50 000 rows Python's collector
    would walk the growing list again and again (it doubles the time of reading a file)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _table(rows, lang: str, limits: Limits, *, text_only: bool, clean: bool) -> Table:
    """The header and the non-blank rows, every limit checked as the rows come (the reader stops at the first).

    ``text_only``: every value is a string (CSV); ``clean``: the whole file is known to hold no control character.
    """
    header, kept, total, cells, header_row = None, [], 0, 0, 1
    control = limits.refuse_control and not clean
    for number, values in rows:
        if number > limits.rows + header_row:
            raise _refuse(lang, "rows", max=fmt_int(limits.rows, lang))
        if len(values) > limits.columns:
            raise _refuse(lang, "columns", row=number, max=limits.columns)
        cells += len(values)
        if cells > limits.cells:
            raise _refuse(lang, "cells", max=fmt_int(limits.cells, lang))
        # The common row (short, clean text) is checked in a few C-speed steps; any doubt and the row is checked
        # cell by cell, which names the row and column of the problem.
        texts = values if text_only else [v for v in values if v.__class__ is str]
        lengths = list(map(len, texts))
        total += sum(lengths)
        if (lengths and max(lengths) > limits.cell_chars) or (control and _CONTROL.search("".join(texts))) \
                or (not text_only and float in set(map(type, values))):
            for column, value in enumerate(values, start=1):
                _check_value(value, number, column if header is None or column > len(header)
                             else header[column - 1] or column, lang, limits)
        if total > limits.total_chars:
            raise _refuse(lang, "total_chars", max=fmt_int(limits.total_chars, lang))
        if header is None:
            labels = [("" if v is None else str(v)).strip() for v in values]
            header = [label.lower() for label in labels]
            named = [h for h in header if h]
            twice = sorted({h for h in named if named.count(h) > 1})
            if twice:
                raise _refuse(lang, "twice", columns=", ".join(twice))
            if not named:
                raise _refuse(lang, "empty")
            while header and not header[-1]:
                header.pop()
            labels, header_row = labels[:len(header)], number
            continue
        last = len(values)
        while last and (values[last - 1] is None or (values[last - 1].__class__ is str
                                                     and not values[last - 1].strip())):
            last -= 1
        if not last:
            continue  # a blank row
        if last > len(header):
            raise _refuse(lang, "extra_values", row=number, values=last, columns=len(header))
        kept.append((number, values[:len(header)] if len(values) > len(header) else values))
    if header is None:
        raise _refuse(lang, "empty")
    return Table(header, kept, labels, header_row)


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
    bad = _CONTROL.search(value) if limits.refuse_control else None
    if bad:
        raise _refuse(lang, "control", row=row, column=column, code=f"U+{ord(bad.group()):04X}")
    return len(value)


# CSV ---------------------------------------------------------------------------------------------------------------
def _csv_text(data: bytes, lang: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(lang, "not_text", row=data.count(b"\n", 0, exc.start) + 1) from None
    if "\x00" in text:
        raise _refuse(lang, "not_text", row=text.count("\n", 0, text.index("\x00")) + 1)
    return text


def _csv_rows(text: str, lang: str, limits: Limits):
    # Outside quoted values only separators and line breaks remain: a stray or unclosed quote is a problem in its
    # row, and every line must end the same way.
    bare = _QUOTED.sub("\x00", text) if '"' in text else text
    stray = bare.find('"')
    if stray >= 0:
        raise _refuse(lang, "quote", row=len(_LINE_END.findall(bare, 0, stray)) + 1)
    crlf = bare.count("\r\n")
    kinds = [n for n in (crlf, bare.count("\n") - crlf, bare.count("\r") - crlf) if n]
    if len(kinds) > 1:  # only now the slow way, to name the row
        endings = _LINE_END.findall(bare)
        other = next(i for i, e in enumerate(endings) if e != endings[0])
        raise _refuse(lang, "line_endings", row=other + 1)
    header_line = _LINE_END.split(bare, 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)  # a tie (no separator at all) is a comma
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    csv.field_size_limit(max(csv.field_size_limit(), limits.file_bytes))  # our own cell limit names row and column
    try:
        yield from enumerate(reader, start=1)
    except csv.Error:
        raise _refuse(lang, "quote", row=reader.line_num) from None


def _lines(text: str, block: int = 1 << 20):
    """The text's lines with their endings, a block at a time: ``io.StringIO`` would hold a second copy of the
    text at four bytes a character (46 MB for an 11 MB file)."""
    if "\n" not in text:  # one line, or old Mac line ends (\r): small or rare
        yield from io.StringIO(text, newline="")
        return
    start = 0
    while start < len(text):
        end = text.find("\n", start + block)
        end = len(text) if end < 0 else end + 1
        pieces = text[start:end].split("\n")
        tail = pieces.pop()  # "" after a final line end, else the last line without one
        for piece in pieces:
            yield piece + "\n"
        if tail:
            yield tail
        start = end


# XLSX --------------------------------------------------------------------------------------------------------------
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_DATE_FORMAT_IDS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47}
_CHUNK = 1 << 20  # characters of sheet XML read at a time (the rows in it are handled before the next is read)


@dataclass
class _Book:
    sheet: str  # the first sheet's part in the zip
    shared: list[str]  # the shared strings table
    date_styles: set[int]  # cell styles whose number format is a date
    epoch: datetime


def _xlsx_rows(data: bytes, lang: str, limits: Limits):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(lang, "not_excel") from None
    if unpacked > limits.unpacked_bytes:
        raise _refuse(lang, "unpacked", mb=limits.unpacked_bytes // (1024 * 1024))
    try:
        book = _book(archive, limits)
        yield from _sheet_rows(archive, book, lang, limits)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - a damaged workbook is one message to the user, not a traceback
        raise _refuse(lang, "not_excel") from None


def _xml(archive: zipfile.ZipFile, name: str):
    """A small part (workbook, relations, styles, shared strings) as a tree; no entities, no nodes over 10 MB."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(archive.read(name), parser)


def _book(archive: zipfile.ZipFile, limits: Limits) -> _Book:
    names = set(archive.namelist())
    workbook = _xml(archive, "xl/workbook.xml")
    properties = workbook.find(f"{_NS}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    sheet = "xl/worksheets/sheet1.xml"
    first = workbook.find(f"{_NS}sheets/{_NS}sheet")
    if first is not None and "xl/_rels/workbook.xml.rels" in names:
        for relation in _xml(archive, "xl/_rels/workbook.xml.rels"):
            if relation.get("Id") == first.get(_REL):
                target = relation.get("Target").lstrip("/")
                sheet = target if target.startswith("xl/") else f"xl/{target}"
    shared = _shared_strings(archive, limits) if "xl/sharedStrings.xml" in names else []
    date_styles = set()
    if "xl/styles.xml" in names:
        styles = _xml(archive, "xl/styles.xml")
        custom = {int(f.get("numFmtId")) for f in styles.iter(f"{_NS}numFmt")
                  if re.search(r"[dmy]", re.sub(r'"[^"]*"|\[[^\]]*\]', "", f.get("formatCode", "")), re.I)}
        formats = styles.find(f"{_NS}cellXfs")
        date_styles = {n for n, xf in enumerate(formats if formats is not None else [])
                       if int(xf.get("numFmtId", 0)) in _DATE_FORMAT_IDS | custom}
    return _Book(sheet, shared, date_styles, datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30))


def _shared_strings(archive: zipfile.ZipFile, limits: Limits) -> list[str]:
    """The shared strings table, streamed: no string kept longer than one character over the cell limit (a cell
    that uses it is refused with its row and column), and no more strings than a file may have cells."""
    from lxml import etree

    item, text, phonetic = f"{_NS}si", f"{_NS}t", f"{_NS}rPh"  # rPh: reading aids for East Asian text
    shared = []
    with archive.open("xl/sharedStrings.xml") as source:
        for _, element in etree.iterparse(source, tag=item, resolve_entities=False, no_network=True,
                                          huge_tree=False):
            value = "".join(node.text or "" for node in element.iter(text) if node.getparent().tag != phonetic)
            shared.append(value[:limits.cell_chars + 1])
            element.clear()
            while element.getprevious() is not None:  # and the emptied items before it
                del element.getparent()[0]
            if len(shared) > limits.cells:
                raise ValueError("more shared strings than cells")
    return shared


@cache
def _patterns(prefix: str) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """A row, a cell, and a cell with its reference (``r="C5"``) in a sheet whose tags carry ``prefix`` (``x:``
    from some writers, usually none). A cell without a reference follows the cell before it."""
    row, cell, p = re.escape(f"{prefix}row"), re.escape(f"{prefix}c"), re.escape(prefix)
    end = rf"(?:/>|>(.*?)</{cell}>)"
    return (re.compile(rf"<{row}\b([^>]*?)(?:/>|>(.*?)</{row}>)", re.S),
            re.compile(rf'<{cell}\b([^>]*?)(?:\br="([A-Z]{{1,3}})\d+"([^>]*?))?{end}', re.S),
            # The common bodies (an inline string, one value) captured apart, anything else whole.
            re.compile(rf'<{cell}\b([^>]*?)\br="([A-Z]{{1,3}})(\d+)"([^>]*?)(?:/>|>(?:<{p}is><{p}t>([^<]*)</{p}t>'
                       rf'</{p}is>|<{p}v>([^<]*)</{p}v>|(.*?))</{cell}>)', re.S))


_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_TYPE = re.compile(r'\bt="(\w+)"')
_STYLE = re.compile(r'\bs="(\d+)"')
_VALUE = re.compile(r"<(?:[\w.-]+:)?v>(.*?)</(?:[\w.-]+:)?v>", re.S)
_TEXT = re.compile(r"<(?:[\w.-]+:)?t(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?t>", re.S)
_PREFIX = re.compile(r"<(?:([A-Za-z_][\w.-]*):)?worksheet\b")


def _last_row_start(text: str, tag: str) -> int:
    """Where the last complete-or-not row begins (everything before it is whole rows), or -1."""
    end = len(text)
    while (found := text.rfind(tag, 0, end)) >= 0:
        after = text[found + len(tag):found + len(tag) + 1]
        if after and (after in "/>" or after.isspace()):
            return found
        end = found
    return -1


def _sheet_rows(archive: zipfile.ZipFile, book: _Book, lang: str, limits: Limits):
    """(row number, values) for each row the sheet holds, read in chunks of whole rows; stops at a limit."""
    _count_first(archive, book.sheet, lang, limits)
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending, patterns, row_tag, cell_tag = "", None, "", ""
    expected = 1  # a row without its number follows the row before
    columns: dict[str, int] = {}
    with archive.open(book.sheet) as source:
        while True:
            raw = source.read(_CHUNK)
            text = pending + decoder.decode(raw, final=not raw)
            if patterns is None:
                root = _PREFIX.search(text, 0, 4000)
                if root is None and raw and len(text) < 4000:
                    pending = text
                    continue
                prefix = f"{root[1]}:" if root and root[1] else ""
                patterns, row_tag, cell_tag = _patterns(prefix), f"<{prefix}row", f"<{prefix}c"
            cut = _last_row_start(text, row_tag) if raw else len(text)
            if cut <= 0:
                pending = text
                if not raw:
                    break
                continue
            body, pending = text[:cut], text[cut:]
            rows = _referenced_rows(body, patterns[2], cell_tag, columns, book, lang, limits)
            if rows is None:  # some cell without its reference: row by row, cells by position
                rows = []
                for row in patterns[0].finditer(body):
                    attrs, content = row.groups()
                    found = _ROW_NUMBER.search(attrs)
                    number = int(found[1]) if found else expected
                    expected = number + 1
                    rows.append((number, _row_values(content or "", patterns[1], columns, book, lang, limits,
                                                     number)))
            elif rows:
                expected = rows[-1][0] + 1
            yield from rows
            if not raw:
                break


def _count_first(archive: zipfile.ZipFile, sheet: str, lang: str, limits: Limits) -> None:
    """Rows and cells counted before any is parsed: finding a tag costs ~1 % of parsing it, so a sheet over a
    limit (400 000 blank rows, 4 million tiny cells) is refused in a fraction of a second. A tag name that merely
    starts the same (``<cols>``, ``<rowBreaks>``) counts too: a few more, never fewer."""
    with archive.open(sheet) as source:
        head = source.read(4000).decode("utf-8", "ignore")
    root = _PREFIX.search(head)
    prefix = f"{root[1]}:" if root and root[1] else ""
    row, cell = f"<{prefix}row".encode(), f"<{prefix}c".encode()
    rows = cells = 0
    tail = b""
    with archive.open(sheet) as source:
        while chunk := source.read(_CHUNK):
            joined = tail + chunk  # a tag cut in two by the chunk boundary is counted once, here
            rows += joined.count(row) - tail.count(row)
            cells += joined.count(cell) - tail.count(cell)
            if rows > limits.rows + 1:
                raise _refuse(lang, "rows", max=fmt_int(limits.rows, lang))
            if cells > limits.cells:
                raise _refuse(lang, "cells", max=fmt_int(limits.cells, lang))
            tail = chunk[-len(row):]


def _referenced_rows(body: str, cell: re.Pattern, tag: str, columns: dict[str, int], book: _Book, lang: str,
                     limits: Limits) -> list[tuple[int, list]] | None:
    """The rows of a chunk in one pass over its cells, each cell placed by its reference (what Excel writes);
    None if some cell has no reference. Rows without a value are left out (they are blank)."""
    cells = cell.findall(body)
    if len(cells) != body.count(tag):  # (a chunk with <cols> or <cfRule> takes the slow way too)
        return None
    shared = book.shared
    rows: list[tuple[int, list]] = []
    digits, values = "", []
    for before, letters, row, after, inline, value, content in cells:
        if row != digits:
            digits, values = row, []
            rows.append((int(row), values))
        position = columns.get(letters)
        if position is None:
            position = columns[letters] = _column_number(letters)
        if position >= limits.columns:
            raise _refuse(lang, "columns", row=int(row), max=limits.columns)
        if inline:
            found = html.unescape(inline) if "&" in inline else inline
        elif value:
            attrs = before + after
            found = shared[int(value)] if 't="s"' in attrs else _scalar(attrs, value, book)
        elif content:
            found = _cell_value(before + after, content, book)
        else:
            continue
        if position >= len(values):
            values.extend([None] * (position + 1 - len(values)))
        values[position] = found
    return rows


def _row_values(content: str, cell: re.Pattern, columns: dict[str, int], book: _Book, lang: str, limits: Limits,
                number: int) -> list:
    """One row's values by column (None where the sheet has none), only as wide as its last cell with a value."""
    values: list = []
    position = -1
    for before, letters, after, body in cell.findall(content):
        if letters:
            position = columns.get(letters)
            if position is None:
                position = columns[letters] = _column_number(letters)
        else:
            position += 1
        if position >= limits.columns:
            raise _refuse(lang, "columns", row=number, max=limits.columns)
        if body:
            if position >= len(values):
                values.extend([None] * (position + 1 - len(values)))
            values[position] = _cell_value(before + after, body, book)
    return values


def _cell_value(attrs: str, body: str, book: _Book):
    """A cell's value from its attributes and body (``<v>…</v>``, ``<is>…</is>``, a formula and its value)."""
    kind = _TYPE.search(attrs)
    if kind and kind[1] == "inlineStr":
        return _unescape("".join(_TEXT.findall(body)))
    found = _VALUE.search(body)
    return None if found is None else _scalar(attrs, found[1], book)


def _scalar(attrs: str, value: str, book: _Book):
    """The text of a cell's ``<v>`` as the type its attributes give: a shared string, text, a boolean, a date (a
    number in a date style) or a number."""
    kind = _TYPE.search(attrs)
    kind = kind[1] if kind else "n"
    if kind == "s":
        return book.shared[int(value)]
    if kind in ("str", "e", "d", "inlineStr"):
        return _unescape(value)
    if kind == "b":
        return value.strip() == "1"
    number = float(value)
    if book.date_styles:
        style = _STYLE.search(attrs)
        if style and int(style[1]) in book.date_styles:
            return book.epoch + timedelta(days=number)
    return int(number) if number.is_integer() else number


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def _column_number(letters: str) -> int:
    """``A`` → 0, ``Z`` → 25, ``AA`` → 26."""
    n = 0
    for letter in letters:
        n = n * 26 + ord(letter) - 64
    return n - 1
