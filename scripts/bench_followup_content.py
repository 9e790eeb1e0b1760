"""Warm script runs of the pages that show deliverables, communication and meetings, with a busy database.

Seeds 2 000 communication entries, 200 minuted meetings (2 decisions and 2 actions each, half of them done) and
100 deliverables each with a 200 kB PDF, then times each page as a reader and an editor against its floor
(a bare page with as many charts and tables), like scripts/bench_scripts.py. Goal: ≤ 150 ms warm.

Usage: python scripts/bench_followup_content.py [--runs 15]
"""

import argparse
import hashlib
import logging
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = ("overview", "deliverables", "communications", "followup", "targets", "press", "about")
COMMUNICATIONS, MEETINGS, DELIVERABLES, FILE_BYTES = 2000, 200, 100, 200 * 1024


def seed(engine) -> None:
    """Bulk rows in one transaction: the bench measures reading them, not 2 000 form posts."""
    from sqlalchemy import func, select
    from sqlmodel import Session

    from mobility.communications import channels
    from mobility.models import Communication, Deliverable, DeliverableFile, Meeting, MeetingAction, MeetingDecision
    from mobility.service import now

    codes = list(channels())
    pdf = b"%PDF-1.4\n" + b"0" * (FILE_BYTES - 16) + b"\n%%EOF\n"
    with Session(engine) as session, session.begin():
        for n in range(COMMUNICATIONS):
            session.add(Communication(held_on=date(2016, 1, 1) + timedelta(days=n % 1095),
                                      channel=codes[n % len(codes)], audience=f"Avdelning {n % 12}",
                                      activity_code="E2" if n % 3 else "",
                                      note=f"Information om handlingsplanen, post {n}", link="https://www.miun.se/",
                                      entered_by="bench", entered_at=now()))
        have = session.execute(select(func.count()).select_from(Deliverable)).scalar_one()
        for n in range(DELIVERABLES - have):
            session.add(Deliverable(key=f"bench-{n}", activity_code="A1", position=100 + n, kind="plan",
                                    title_sv=f"Dokument {n}", title_en=f"Document {n}", state="approved",
                                    approved_on=date(2017, 1, 1), approved_by="Rektor"))
        session.flush()
        for d in session.execute(select(Deliverable)).scalars().all():
            session.add(DeliverableFile(deliverable_id=d.id, name=f"{d.key}.pdf", mime="application/pdf",
                                        size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), content=pdf,
                                        uploaded_by="bench", uploaded_at=now()))
        for n in range(MEETINGS):
            held_on = date(2016, 1, 4) + timedelta(days=5 * n)
            meeting = Meeting(held_on=held_on, notes=f"Möte {n}", chair="Avdelningschefen",
                              attendees='["Cathrine Gladh", "Monica Nyholm"]', recorded_by="bench",
                              recorded_at=now())
            session.add(meeting)
            session.flush()
            for k in range(2):
                session.add(MeetingDecision(meeting_id=meeting.id, position=k, text=f"Beslut {n}.{k}"))
                session.add(MeetingAction(meeting_id=meeting.id, position=k, what=f"Åtgärd {n}.{k}", who="IO",
                                          due_on=held_on + timedelta(days=30),
                                          done_on=held_on + timedelta(days=10) if k else None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    from streamlit.logger import set_log_level

    from mobility.db import make_engine
    from mobility.plan import init_database
    from mobility.ui.shell import PAGES as ALL_PAGES
    from scripts.bench_scripts import FLOOR_APP, bench, uptime

    set_log_level("error")
    for name in [n for n in logging.root.manager.loggerDict if n.startswith("streamlit")]:
        logging.getLogger(name).setLevel(logging.ERROR)
    print(f"machine: {os.cpu_count()} cores; load: {uptime()}")
    print(f"data: {COMMUNICATIONS} communication entries, {MEETINGS} meetings, {DELIVERABLES} deliverables "
          f"with a {FILE_BYTES // 1024} kB file each; goal ≤ 150 ms warm")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor_file = tmp / "floor.py"
        floor_file.write_text(FLOOR_APP)
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
        engine = make_engine()
        init_database(engine)
        seed(engine)
        engine.dispose()
        print(f"{'page':<15} {'role':<7} {'charts':>6} {'tables':>6} {'page ms':>8} {'floor ms':>8} {'ratio':>6}")
        pages = [p for p in ALL_PAGES if p.key in PAGES]
        for key, role, _, charts, tables, page_ms, floor_ms, ratio in bench(pages, ["viewer", "editor"], args.runs,
                                                                             None, floor_file):
            flag = "" if page_ms <= 150 else "  over goal"
            print(f"{key:<15} {role:<7} {charts:>6} {tables:>6} {page_ms:>8.1f} {floor_ms:>8.1f} {ratio:>6.2f}{flag}",
                  flush=True)
    print(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
