"""The follow-up report on paper and on screen: Markdown, DOCX and PDF from ``followup.followup_report``.

Every format prints the chosen dates on top, a heading per section, and its table (or "nothing") below it;
the paper formats repeat a table's header row on every page.
"""

import io
from datetime import date, datetime
from pathlib import Path

from mobility.followup import GROUPS, Localised, Section
from mobility.i18n import fmt_date, fmt_datetime, fmt_int, t
from mobility.text import plain

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# Relative column widths on paper; a column not listed gets 20.
WIDTHS = {"when": 20, "who": 20, "activity": 11, "title": 48, "from": 16, "to": 16, "comment": 34, "action": 20,
          "item": 16, "before": 30, "after": 30, "responsible": 22, "end": 16, "start": 16, "status": 16}


def cell(value, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Localised):
        return getattr(value, lang)
    if isinstance(value, datetime):
        return fmt_datetime(value, lang)
    if isinstance(value, date):
        return fmt_date(value, lang)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt_int(value, lang)
    return str(value)


def table(section: Section, lang: str) -> tuple[list[str], list[list[str]]]:
    """Header labels and text rows in ``lang``."""
    return ([t(f"followup.col.{c}", lang) for c in section.columns],
            [[cell(v, lang) for v in row] for row in section.rows])


def title(report: dict, lang: str) -> str:
    return t("followup.report.title", lang)


def dates_line(report: dict, lang: str) -> str:
    since, today = fmt_date(report["since"], lang), fmt_date(report["today"], lang)
    return t("followup.report.dates", lang, since=since, today=today)


def grouped(report: dict) -> list[tuple[str, list[Section]]]:
    return [(g, [s for s in report["sections"] if s.group == g]) for g in GROUPS]


def _md_escape(text: str) -> str:
    """What people typed stays text in the Markdown report too (no images, links or markup), one line per cell."""
    return plain(text, inline=True)


def to_markdown(report: dict, lang: str) -> str:
    lines = [f"# {title(report, lang)}", "", f"**{dates_line(report, lang)}**", ""]
    if report.get("meeting_notes"):
        lines += [f"*{t('followup.report.notes', lang)}:* {_md_escape(report['meeting_notes'])}", ""]
    for group, sections in grouped(report):
        lines += [f"## {t(f'followup.group.{group}', lang)}", ""]
        for section in sections:
            header, rows = table(section, lang)
            lines += [f"### {t(f'followup.section.{section.key}', lang)} ({len(rows)})", ""]
            if not rows:
                lines += [f"*{t('followup.report.nothing', lang)}*", ""]
                continue
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in rows]
            lines.append("")
    return "\n".join(lines)


def to_docx(report: dict, lang: str) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    page = doc.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, Cm(1.8))
    doc.styles["Normal"].font.size = Pt(10)
    page.header.paragraphs[0].text = f"{title(report, lang)} · {dates_line(report, lang)}"
    doc.add_heading(title(report, lang), level=0)
    doc.add_paragraph().add_run(dates_line(report, lang)).bold = True
    if report.get("meeting_notes"):
        doc.add_paragraph(f"{t('followup.report.notes', lang)}: {report['meeting_notes']}")
    usable = page.page_width - page.left_margin - page.right_margin
    for group, sections in grouped(report):
        doc.add_heading(t(f"followup.group.{group}", lang), level=1)
        for section in sections:
            header, rows = table(section, lang)
            doc.add_heading(f"{t(f'followup.section.{section.key}', lang)} ({len(rows)})", level=2)
            if not rows:
                doc.add_paragraph(t("followup.report.nothing", lang)).runs[0].italic = True
                continue
            grid = doc.add_table(rows=1, cols=len(header))
            grid.style = "Table Grid"
            first = grid.rows[0]
            marker = OxmlElement("w:tblHeader")  # Word repeats this row at the top of every page
            marker.set(qn("w:val"), "true")
            first._tr.get_or_add_trPr().append(marker)
            for c, text in zip(first.cells, header, strict=True):
                c.text = ""
                c.paragraphs[0].add_run(text).bold = True
            for row in rows:
                for c, text in zip(grid.add_row().cells, row, strict=True):
                    c.text = text
            weights = [WIDTHS.get(c, 20) for c in section.columns]
            for n, column in enumerate(grid.columns):
                for c in column.cells:
                    c.width = int(usable * weights[n] / sum(weights))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_pdf(report: dict, lang: str) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    heading = f"{title(report, lang)} · {dates_line(report, lang)}"

    class Paper(FPDF):
        def header(self):
            if self.page_no() > 1:
                self.set_font("DejaVu", size=8)
                self.cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
                self.ln(2)

        def footer(self):
            self.set_y(-12)
            self.set_font("DejaVu", size=8)
            self.cell(0, 6, t("followup.report.page", lang, n=self.page_no(), total="{nb}"), align="R")

    pdf = Paper(orientation="landscape", format="A4")
    pdf.set_title(title(report, lang))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font("DejaVu", "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.add_font("DejaVu", "I", FONT_DIR / "DejaVuSans-Oblique.ttf")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 10, title(report, lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 7, dates_line(report, lang), new_x="LMARGIN", new_y="NEXT")
    if report.get("meeting_notes"):
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, f"{t('followup.report.notes', lang)}: {report['meeting_notes']}",
                       new_x="LMARGIN", new_y="NEXT")
    for group, sections in grouped(report):
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(0, 9, t(f"followup.group.{group}", lang), new_x="LMARGIN", new_y="NEXT")
        for section in sections:
            header, rows = table(section, lang)
            if pdf.will_page_break(30):
                pdf.add_page()
            pdf.set_font("DejaVu", "B", 11)
            pdf.multi_cell(0, 8, f"{t(f'followup.section.{section.key}', lang)} ({len(rows)})",
                           new_x="LMARGIN", new_y="NEXT")
            if not rows:
                pdf.set_font("DejaVu", "I", 9)
                pdf.multi_cell(0, 6, t("followup.report.nothing", lang), new_x="LMARGIN", new_y="NEXT")
                continue
            pdf.set_font("DejaVu", "", 8)
            with pdf.table(col_widths=[WIDTHS.get(c, 20) for c in section.columns], text_align="LEFT",
                           headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 242)),
                           repeat_headings=1, line_height=4.5, padding=1.2) as grid:
                for row in [header, *rows]:
                    grid.row(row)
            pdf.ln(2)
    return bytes(pdf.output())


RENDERERS = {"md": to_markdown, "docx": to_docx, "pdf": to_pdf}
MIME = {"md": "text/markdown", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf"}


def render(report: dict, fmt: str, lang: str) -> bytes:
    out = RENDERERS[fmt](report, lang)
    return out.encode("utf-8") if isinstance(out, str) else out


def file_name(report: dict, fmt: str, lang: str) -> str:
    stem = "uppfoljning" if lang == "sv" else "follow-up"
    return f"{stem}-{report['since'].isoformat()}-{report['today'].isoformat()}.{fmt}"
