"""Checklists as documents: Markdown and Word for a template, a Markdown record of a run, JSON for the CLI."""

import io

import pandas as pd
from sqlalchemy import Engine

from mobility.checklists import PHASES, fmt_due, phase_label, template_detail, template_table
from mobility.i18n import fmt_date, fmt_datetime
from mobility.text import plain

_STATUS_WORDS = {
    "sv": {"draft": "UTKAST", "published": "Publicerad"},
    "en": {"draft": "DRAFT", "published": "Published"},
}


def grouped_items(items: list[dict]) -> list[tuple[str | None, list[dict]]]:
    """Items by phase in the order before, during, after, then those without a phase."""
    order = [*PHASES, None]
    return [(p, [i for i in items if i["phase"] == p]) for p in order if any(i["phase"] == p for i in items)]


def status_line(detail: dict, lang: str) -> str:
    word = _STATUS_WORDS[lang][detail["status"]]
    when = f" {fmt_date(detail['published_at'], lang)}" if detail["published_at"] else ""
    return f"Version {detail['number']} · {word}{when}"


def to_markdown(detail: dict, lang: str) -> str:
    lines = [f"# {plain(detail[f'title_{lang}'], inline=True)}", "", f"*{status_line(detail, lang)} · "
             + ("Aktivitet" if lang == "sv" else "Activity") + f" {', '.join(detail['activities'])}*", ""]
    if detail[f"intro_{lang}"]:
        lines += [plain(detail[f"intro_{lang}"]), ""]
    for phase, items in grouped_items(detail["items"]):
        lines += [f"## {phase_label(phase, lang)}", ""]
        for item in items:
            due = fmt_due(item["due_days"], lang)
            lines.append(f"- [ ] {plain(item[f'text_{lang}'], inline=True)}" + (f" *({due})*" if due else ""))
        lines.append("")
    return "\n".join(lines)


def to_docx(detail: dict, lang: str) -> bytes:
    """A Word document IO can print or adapt: title, status, intro, one heading per phase, a box per item."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = detail[f"title_{lang}"]
    doc.add_heading(detail[f"title_{lang}"], level=1)
    meta = doc.add_paragraph()
    meta.add_run(status_line(detail, lang) + " · " + ("Aktivitet" if lang == "sv" else "Activity")
                 + f" {', '.join(detail['activities'])}").italic = True
    if detail[f"intro_{lang}"]:
        doc.add_paragraph(detail[f"intro_{lang}"])
    for phase, items in grouped_items(detail["items"]):
        doc.add_heading(phase_label(phase, lang), level=2)
        for item in items:
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.left_indent = Pt(18)
            paragraph.paragraph_format.first_line_indent = Pt(-18)
            paragraph.add_run("☐\t" + item[f"text_{lang}"])
            if due := fmt_due(item["due_days"], lang):
                paragraph.add_run(f" ({due})").italic = True
    footer = doc.sections[0].footer.paragraphs[0]
    footer.text = f"{detail[f'title_{lang}']} · {status_line(detail, lang)} · Mittuniversitetet, International Office"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def run_markdown(run: dict, title: str, lang: str) -> str:
    """A run as a record: who ticked what, when."""
    lines = [f"# {plain(title, inline=True)}", "",
             f"**{plain(run['label'], inline=True)}** · {fmt_date(run['reference_date'], lang)}", ""]
    for phase, items in grouped_items(run["items"]):
        lines += [f"## {phase_label(phase, lang)}", ""]
        for i in items:
            mark = "x" if i["done_at"] else " "
            who = f" – {plain(i['done_by'])}, {fmt_datetime(i['done_at'], lang)}" if i["done_at"] else ""
            due = f" ({fmt_date(i['due_date'], lang)})" if i["due_date"] else ""
            lines.append(f"- [{mark}] {plain(i[f'text_{lang}'], inline=True)}{due}{who}")
        lines.append("")
    return "\n".join(lines)


def checklists_json(engine: Engine) -> list[dict]:
    """For the CLI: each template's current version (the newest published one, else the draft)."""
    out = []
    for row in template_table(engine).itertuples():
        detail = template_detail(engine, row.key, None if pd.isna(row.published) else int(row.published))
        out.append({
            "key": row.key, "title": detail["title_sv"], "activities": list(row.activities),
            "audience": row.audience, "version": detail["number"], "status": detail["status"],
            "items": [{"phase": i["phase"], "text": i["text_sv"]} for i in detail["items"]],
        })
    return out
