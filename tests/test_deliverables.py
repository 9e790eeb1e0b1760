"""Deliverables: the plan's documents, their states, approvals and files — all through the service layer."""

import io
import zipfile
from datetime import date

import pytest
from docx import Document
from sqlalchemy import select
from sqlmodel import Session

from mobility import deliverables
from mobility.models import AuditEntry, DeliverableFile
from mobility.service import VIEWER, ConcurrentEditError, NotAllowed, ValidationError
from tests.conftest import EDITOR

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def docx_bytes(text: str = "Strategi") -> bytes:
    buffer = io.BytesIO()
    document = Document()
    document.add_paragraph(text)
    document.save(buffer)
    return buffer.getvalue()


def audit_of(engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars().all()


def test_the_register_holds_the_documents_the_plan_asks_for(engine):
    """C1's strategic plan, A6's and B7's communication plans, A8's doctoral plan, D1/D2's analyses; not started."""
    rows = {d["key"]: d for d in deliverables.register(engine)}
    assert {"C1-strategy", "A6-communication-plan", "B7-communication-plan", "A8-doctoral-plan",
            "D1-population-analysis", "D2-market-analysis", "B3-outgoing-teachers"} <= set(rows)
    assert {d["state"] for d in rows.values()} == {"not_started"}
    assert rows["C1-strategy"]["activity_code"] == "C1" and rows["C1-strategy"]["kind"] == "strategy"
    assert deliverables.state_by_activity(engine)["B5"].total == 2


def test_seeding_again_adds_nothing_and_keeps_edits(engine):
    deliverables.update_deliverable(engine=engine, actor=EDITOR, key="C1-strategy", state="draft")
    assert deliverables.seed_deliverables(engine) == 0
    assert next(d for d in deliverables.register(engine) if d["key"] == "C1-strategy")["state"] == "draft"


def test_states_move_and_approval_needs_date_and_approver(engine):
    """Draft → approved with date and approver; the overview's summary reads 'approved'; every change audited."""
    deliverables.update_deliverable(engine=engine, actor=EDITOR, key="C1-strategy", state="draft",
                                    link="https://www.miun.se/c1")
    with pytest.raises(ValidationError) as refused:
        deliverables.update_deliverable(engine=engine, actor=EDITOR, key="C1-strategy", state="approved", lang="sv")
    assert any("godkänt den" in p for p in refused.value.problems)
    assert any("godkänt av" in p for p in refused.value.problems)
    with pytest.raises(ValidationError, match="future"):
        deliverables.update_deliverable(engine=engine, actor=EDITOR, key="C1-strategy", state="approved",
                                        approved_on=date(2017, 7, 1), approved_by="Rektor", today=date(2017, 6, 30))
    deliverables.update_deliverable(engine=engine, actor=EDITOR, key="C1-strategy", state="approved",
                                    link="https://www.miun.se/c1", approved_on=date(2017, 6, 20), approved_by="Rektor")
    row = next(d for d in deliverables.register(engine) if d["key"] == "C1-strategy")
    assert (row["state"], row["approved_on"], row["approved_by"]) == ("approved", date(2017, 6, 20), "Rektor")
    summary = deliverables.state_by_activity(engine)["C1"]
    assert summary.text("sv") == "Dokument godkänt (1)" and summary.text("en") == "Document approved (1)"
    assert deliverables.state_by_activity(engine)["B5"].text("en") == "0 of 2 documents approved"
    logged = audit_of(engine, "update_deliverable")
    assert [e.entity_key for e in logged] == ["C1-strategy", "C1-strategy"]
    assert '"state": "draft"' in logged[1].before and '"approved_by": "Rektor"' in logged[1].after


def test_bad_links_unknown_keys_readers_and_stale_forms_are_refused(engine):
    with pytest.raises(ValidationError, match="https"):
        deliverables.update_deliverable(engine=engine, actor=EDITOR, key="C1-strategy", state="draft",
                                        link="javascript:alert(1)")
    with pytest.raises(ValidationError, match="does not exist"):
        deliverables.update_deliverable(engine=engine, actor=EDITOR, key="Z9", state="draft")
    with pytest.raises(NotAllowed):
        deliverables.update_deliverable(engine=engine, actor=VIEWER, key="C1-strategy", state="draft")
    version = next(d for d in deliverables.register(engine) if d["key"] == "C1-strategy")["version"]
    deliverables.update_deliverable(engine=engine, actor=EDITOR, key="C1-strategy", state="draft",
                                    expected_version=version)
    with pytest.raises(ConcurrentEditError):
        deliverables.update_deliverable(engine=engine, actor=EDITOR, key="C1-strategy", state="not_started",
                                        expected_version=version)
    assert len(audit_of(engine, "update_deliverable")) == 1


def test_a_pdf_and_a_docx_are_stored_in_the_database_and_come_back(engine):
    deliverables.attach_file(engine=engine, actor=EDITOR, key="C1-strategy", name="strategi.pdf", data=PDF)
    assert deliverables.file_content(engine, "C1-strategy") == ("strategi.pdf", deliverables.PDF_MIME, PDF)
    docx = docx_bytes()
    deliverables.attach_file(engine=engine, actor=EDITOR, key="C1-strategy", name="strategi v2.docx", data=docx)
    name, mime, data = deliverables.file_content(engine, "C1-strategy")
    assert (name, mime, data) == ("strategi v2.docx", deliverables.DOCX_MIME, docx)
    row = next(d for d in deliverables.register(engine) if d["key"] == "C1-strategy")
    assert row["file_name"] == "strategi v2.docx" and row["file_size"] == len(docx)
    logged = audit_of(engine, "attach_deliverable_file")
    assert len(logged) == 2 and '"file": "strategi.pdf"' in logged[1].before


@pytest.mark.parametrize(("name", "data", "says"), [
    ("strategi.pdf", EXE, "not what its name says"),  # a renamed executable
    ("strategi.docx", EXE, "not what its name says"),
    ("strategi.docx", PDF, "not what its name says"),  # a PDF called .docx
    ("strategi.exe", PDF, "not a PDF or DOCX"),
    ("strategi.pdf", b"", "empty"),
    ("strategi.pdf", b"%PDF-" + b"0" * (deliverables.MAX_FILE_BYTES), "at most 10 MB"),
], ids=["exe-as-pdf", "exe-as-docx", "pdf-as-docx", "exe-name", "empty", "too-big"])
def test_uploads_are_checked_by_content_and_size_and_change_nothing(engine, name, data, says):
    with pytest.raises(ValidationError, match=says):
        deliverables.attach_file(engine=engine, actor=EDITOR, key="C1-strategy", name=name, data=data)
    with Session(engine) as session:
        assert session.execute(select(DeliverableFile)).first() is None
    assert audit_of(engine, "attach_deliverable_file") == []


def test_a_zip_that_is_not_a_word_document_is_refused(engine):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", EXE)
    with pytest.raises(ValidationError, match="innehållet"):
        deliverables.attach_file(engine=engine, actor=EDITOR, key="C1-strategy", name="x.docx",
                                 data=buffer.getvalue(), lang="sv")


def test_readers_cannot_upload(engine):
    with pytest.raises(NotAllowed):
        deliverables.attach_file(engine=engine, actor=VIEWER, key="C1-strategy", name="s.pdf", data=PDF)


def test_a_bad_file_with_a_state_change_changes_nothing(engine):
    """The form saves state and file together: a refused file keeps the old state too."""
    with pytest.raises(ValidationError, match="not what its name says"):
        deliverables.update_deliverable(engine=engine, actor=EDITOR, key="C1-strategy", state="draft",
                                        file=("strategi.pdf", EXE))
    assert next(d for d in deliverables.register(engine) if d["key"] == "C1-strategy")["state"] == "not_started"
    deliverables.update_deliverable(engine=engine, actor=EDITOR, key="C1-strategy", state="draft",
                                    file=("strategi.pdf", PDF))
    row = next(d for d in deliverables.register(engine) if d["key"] == "C1-strategy")
    assert (row["state"], row["file_name"]) == ("draft", "strategi.pdf")
