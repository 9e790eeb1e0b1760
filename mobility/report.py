"""The follow-up report on paper and on screen: Markdown, DOCX and PDF from ``followup.followup_report``.

Every format opens with the chosen dates, the example-data warning when example data contributes, and a summary
that fits one screen (each goal area's activities, what is late, the money); then a heading per section with its
table, an empty section collapsed to one line. The paper formats repeat a table's header row on every page and
carry their title, language and author in the file's own properties.
"""

import io
from datetime import date, datetime
from pathlib import Path

from mobility.followup import GROUPS, Localised, Section
from mobility.i18n import LOCALES, TIMEZONE, fmt_date, fmt_datetime, fmt_int, fmt_pct, fmt_sek, t
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
    since, as_of = fmt_date(report["since"], lang), fmt_date(report["as_of"], lang)
    line = t("followup.report.dates", lang, since=since, as_of=as_of)
    return f"{line} · {t('example.badge', lang)}" if report.get("example") else line


def language_tag(lang: str) -> str:
    """BCP 47, as documents declare their language: sv-SE, en-GB."""
    return LOCALES[lang].replace("_", "-")


def summary_table(report: dict, lang: str) -> tuple[list[str], list[list[str]]]:
    """One row per goal area: activities, done, ongoing, late (with codes), allocated and spent."""
    header = [t(f"report.col.{c}", lang) for c in ("area", "activities", "done", "ongoing", "late", "allocated",
                                                   "spent")]
    rows = [[f"{a['code']} {cell(a['name'], lang)}", fmt_int(a["activities"], lang), fmt_int(a["done"], lang),
             fmt_int(a["ongoing"], lang),
             f"{len(a['late'])} ({', '.join(a['late'])})" if a["late"] else "0",
             fmt_sek(a["allocated"], lang), fmt_sek(a["spent"], lang)]
            for a in report["summary"]["areas"]]
    return header, rows


def summary_lines(report: dict, lang: str) -> list[str]:
    """The money, and what is late, as one sentence each."""
    money = report["summary"]["money"]
    used = 100 * money["spent"] / money["allocated"] if money["allocated"] else None
    late = report["summary"]["late"]
    lines = [t("report.money", lang, spent=fmt_sek(money["spent"], lang), allocated=fmt_sek(money["allocated"], lang),
               pct=fmt_pct(used, lang, 0), remaining=fmt_sek(money["remaining"], lang))]
    if money.get("not_decided"):  # the plan left money undecided: the total is not all decided money
        lines[0] += " " + t("money.decided_split", lang, decided=fmt_sek(money["decided"], lang),
                            not_decided=fmt_sek(money["not_decided"], lang)).capitalize() + "."
    lines += [t("money.unnumbered", lang, codes=", ".join(a["unnumbered"]), area=a["code"])
              for a in report["summary"]["areas"] if a.get("unnumbered")]
    return lines + [t("report.late", lang, n=len(late), codes=", ".join(late)) if late
                    else t("report.nothing_late", lang)]


def section_title(section: Section, lang: str) -> str:
    return f"{t(f'followup.section.{section.key}', lang)} ({len(section.rows)})"


def empty_line(section: Section, lang: str) -> str:
    return t("report.empty", lang, section=t(f"followup.section.{section.key}", lang))


def examples(report: dict) -> bool:
    return bool(report.get("summary", {}).get("examples"))


def grouped(report: dict) -> list[tuple[str, list[Section]]]:
    return [(g, [s for s in report["sections"] if s.group == g]) for g in GROUPS]


def _md_escape(text: str) -> str:
    """What people typed stays text in the Markdown report too (no images, links or markup), one line per cell."""
    return plain(text, inline=True)


def to_markdown(report: dict, lang: str) -> str:
    lines = [f"# {title(report, lang)}", "", f"**{dates_line(report, lang)}**", ""]
    if examples(report):
        lines += [f"> **{t('report.example', lang)}**", ""]
    if "summary" in report:
        lines += [f"## {t('report.summary', lang)}", "", *_md_table(*summary_table(report, lang)), "",
                  *[f"{line}  " for line in summary_lines(report, lang)], ""]
    if report.get("meeting_notes"):
        lines += [f"*{t('followup.report.notes', lang)}:* {_md_escape(report['meeting_notes'])}", ""]
    for group, sections in grouped(report):
        lines += [f"## {t(f'followup.group.{group}', lang)}", ""]
        for section in sections:
            header, rows = table(section, lang)
            if not rows:
                lines += [f"*{empty_line(section, lang)}*", ""]
                continue
            lines += [f"### {section_title(section, lang)}", "", *_md_table(header, rows), ""]
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in rows]]


def to_docx(report: dict, lang: str) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    page = doc.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, Cm(1.8))
    doc.styles["Normal"].font.size = Pt(10)
    properties = doc.core_properties
    properties.title, properties.language = title(report, lang), language_tag(lang)
    properties.author, properties.subject = t("report.author", lang), dates_line(report, lang)
    # The language Word spell-checks and reads aloud in: every run inherits it from the document defaults.
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        defaults.append(language)
    language.set(qn("w:val"), language_tag(lang))
    page.header.paragraphs[0].text = f"{title(report, lang)} · {dates_line(report, lang)}"
    doc.add_heading(title(report, lang), level=0)
    doc.add_paragraph().add_run(dates_line(report, lang)).bold = True
    if examples(report):
        warning = doc.add_paragraph().add_run(t("report.example", lang))
        warning.bold = True
        warning.font.color.rgb = RGBColor(0xB3, 0x59, 0x00)
    usable = page.page_width - page.left_margin - page.right_margin
    if "summary" in report:
        doc.add_heading(t("report.summary", lang), level=1)
        _docx_table(doc, *summary_table(report, lang), [30, 12, 10, 10, 22, 18, 18], usable)
        for line in summary_lines(report, lang):
            doc.add_paragraph(line)
    if report.get("meeting_notes"):
        doc.add_paragraph(f"{t('followup.report.notes', lang)}: {report['meeting_notes']}")
    for group, sections in grouped(report):
        doc.add_heading(t(f"followup.group.{group}", lang), level=1)
        for section in sections:
            header, rows = table(section, lang)
            if not rows:
                doc.add_paragraph(empty_line(section, lang)).runs[0].italic = True
                continue
            doc.add_heading(section_title(section, lang), level=2)
            _docx_table(doc, header, rows, [WIDTHS.get(c, 20) for c in section.columns], usable)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_table(doc, header: list[str], rows: list[list[str]], weights: list[int], usable: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

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
    for n, column in enumerate(grid.columns):
        for c in column.cells:
            c.width = int(usable * weights[n] / sum(weights))


def to_pdf(report: dict, lang: str) -> bytes:
    from fpdf import FPDF, ViewerPreferences

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
    # The file says what it is and in which language, so screen readers and search read it right (PDF/UA asks
    # for the language, the title shown in the window, and an outline of the headings).
    pdf.set_lang(language_tag(lang))
    pdf.set_title(title(report, lang))
    pdf.set_subject(dates_line(report, lang))
    pdf.set_author(t("report.author", lang))
    pdf.set_creator("Mobilitetsplanen (python -m mobility)")
    pdf.set_creation_date(datetime.now(TIMEZONE))  # when the file was made; the report's date is in its subject
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font("DejaVu", "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.add_font("DejaVu", "I", FONT_DIR / "DejaVuSans-Oblique.ttf")
    pdf.add_page()
    pdf.start_section(title(report, lang), level=0)
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 10, title(report, lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 7, dates_line(report, lang), new_x="LMARGIN", new_y="NEXT")
    if examples(report):
        pdf.set_text_color(179, 89, 0)
        pdf.multi_cell(0, 7, t("report.example", lang), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    if "summary" in report:
        pdf.ln(2)
        pdf.start_section(t("report.summary", lang), level=1)
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(0, 9, t("report.summary", lang), new_x="LMARGIN", new_y="NEXT")
        _pdf_table(pdf, *summary_table(report, lang), [34, 12, 10, 10, 26, 18, 18])
        pdf.set_font("DejaVu", "", 10)
        for line in summary_lines(report, lang):
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    if report.get("meeting_notes"):
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, f"{t('followup.report.notes', lang)}: {report['meeting_notes']}",
                       new_x="LMARGIN", new_y="NEXT")
    for group, sections in grouped(report):
        pdf.ln(3)
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.start_section(t(f"followup.group.{group}", lang), level=1)
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(0, 9, t(f"followup.group.{group}", lang), new_x="LMARGIN", new_y="NEXT")
        for section in sections:
            header, rows = table(section, lang)
            if not rows:
                pdf.set_font("DejaVu", "I", 9)
                pdf.multi_cell(0, 6, empty_line(section, lang), new_x="LMARGIN", new_y="NEXT")
                continue
            if pdf.will_page_break(30):
                pdf.add_page()
            pdf.start_section(section_title(section, lang), level=2)
            pdf.set_font("DejaVu", "B", 11)
            pdf.multi_cell(0, 8, section_title(section, lang), new_x="LMARGIN", new_y="NEXT")
            _pdf_table(pdf, header, rows, [WIDTHS.get(c, 20) for c in section.columns])
    return bytes(pdf.output())


def _pdf_table(pdf, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
    from fpdf.fonts import FontFace

    pdf.set_font("DejaVu", "", 8)
    with pdf.table(col_widths=widths, text_align="LEFT",
                   headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 242)),
                   repeat_headings=1, line_height=4.5, padding=1.2) as grid:
        for row in [header, *rows]:
            grid.row(row)
    pdf.ln(2)


RENDERERS = {"md": to_markdown, "docx": to_docx, "pdf": to_pdf}
MIME = {"md": "text/markdown", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf"}


def render(report: dict, fmt: str, lang: str) -> bytes:
    out = RENDERERS[fmt](report, lang)
    return out.encode("utf-8") if isinstance(out, str) else out


def file_name(report: dict, fmt: str, lang: str) -> str:
    stem = "uppfoljning" if lang == "sv" else "follow-up"
    return f"{stem}-{report['since'].isoformat()}-{report['as_of'].isoformat()}.{fmt}"
