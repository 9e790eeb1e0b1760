"""Hostile upload files, generated (never committed): name → (bytes, the words the refusal must contain).

Used by tests/test_integrity_files.py and by scripts/bench_imports.py (which times each refusal).
"""

import io
import zipfile

from openpyxl import Workbook

COUNTS_HEADER = "year,term,group,direction,programme,level,faculty,count,note"
SPEND_HEADER = "date,activity,amount_sek,description,reference"


def _workbook(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _patched(book: bytes, name: str, write) -> bytes:
    """The workbook with one part replaced by what ``write(stream)`` writes (streamed: no big string in memory)."""
    source = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info.filename))
        with target.open(name, "w", force_zip64=True) as stream:
            write(stream)
    return out.getvalue()


def _sheet(stream, dimension: str, body) -> None:
    stream.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                 b'spreadsheetml/2006/main"><dimension ref="' + dimension.encode() + b'"/><sheetData>')
    for chunk in body:
        stream.write(chunk)
    stream.write(b"</sheetData></worksheet>")


def _header_row() -> bytes:
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
                    for i, h in enumerate(SPEND_HEADER.split(",")))
    return f'<row r="1">{cells}</row>'.encode()


def corpus() -> dict[str, tuple[bytes, str]]:
    base = _workbook([SPEND_HEADER.split(",")])
    sheet = "xl/worksheets/sheet1.xml"
    files = {
        "declared A1:XFD1048576, one cell in the last row": (_patched(base, sheet, lambda s: _sheet(
            s, "A1:XFD1048576", [_header_row(), b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'])),
            "more than 20 columns"),
        "one cell in row 1 048 576": (_patched(base, sheet, lambda s: _sheet(
            s, "A1:A1048576", [_header_row(), b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'])),
            "rows (the upload limit)"),
        "blank rows": (_patched(base, sheet, lambda s: _sheet(
            s, "A1:E400000", [_header_row(), *(f'<row r="{n}"/>'.encode() for n in range(2, 400_000))])),
            "rows (the upload limit)"),
        "a 70 MB shared string": (_patched(
            _workbook([SPEND_HEADER.split(","), ["2017-03-01", "A1", 1, "x" * 10, "R1"]]), "xl/sharedStrings.xml",
            lambda s: [s.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'),
                       *(s.write(b"x" * 1_000_000) for _ in range(70)), s.write(b"</t></si></sst>")]),
            "unpacks to more than 60 MB"),
        "an infinite number": (_patched(base, sheet, lambda s: _sheet(
            s, "A1:E2", [_header_row(), b'<row r="2"><c r="A2" t="inlineStr"><is><t>2017-03-01</t></is></c>'
                         b'<c r="C2"><v>1e999</v></c></row>'])), "Row 2, column amount_sek: not a number"),
        "a NUL in a description": (f"{SPEND_HEADER}\n2017-03-01,A1,100,Resa\x00,R1\n".encode(),
                                   "(row 2)"),
        "a BEL in a description": (f"{SPEND_HEADER}\n2017-03-01,A1,100,Re\x07sa,R1\n".encode(),
                                   "Row 2, column description: a control character (U+0007)"),
        "an unterminated quote": (f'{SPEND_HEADER}\n2017-03-01,A1,100,"Resa,R1\n2017-03-02,A2,200,Tryck,R2\n'
                                  .encode(), "Row 2: a quote that is not closed"),
        "a column twice": (f"{SPEND_HEADER},amount_sek\n2017-03-01,A1,100,Resa,R1,900\n".encode(),
                           "A column appears twice: amount_sek"),
        "extra values": (f"{SPEND_HEADER}\n2017-03-01,A1,100,Resa,R1,surplus\n".encode(),
                         "Row 2: 6 values but only 5 columns"),
        "10 000 unknown columns": ((SPEND_HEADER + "".join(f",x{i}" for i in range(10_000)) + "\n").encode(),
                                   "Row 1: more than 20 columns"),
        "a program, not a table": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 100,
                                   "neither a UTF-8 CSV file nor an XLSX workbook"),
        "mixed line endings": (f"{SPEND_HEADER}\r\n2017-03-01,A1,100,Resa,R1\n2017-03-02,A2,200,Tryck,R2\r\n"
                               .encode(), "Row 2: mixed line endings"),
        "a 131 073-character field": (f"{SPEND_HEADER}\n2017-03-01,A1,100,{'x' * 131_073},R1\n".encode(),
                                      "Row 2, column description: more than 2"),
        "11 MB": ((SPEND_HEADER + "\n" + "2017-03-01,A1,100,Resa,R1\n" * 450_000).encode(),
                  "larger than 10 MB"),
    }
    return files
