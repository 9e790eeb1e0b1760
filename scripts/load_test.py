"""Load: a room of readers opening pages at once while editors write; then every write is checked.

    .venv/bin/python scripts/load_test.py                         # 50 readers, 5 editors; SQLite ×1, PostgreSQL ×3
    .venv/bin/python scripts/load_test.py --short --setup sqlite  # what the test suite runs: 10 readers, 2 editors

Readers are websocket clients that do what a browser does (open a session, ask for a page run, wait until the run has
finished, read it for 3–10 s, then move to another page), all opening the link at the same moment. Time to a
finished page run is measured from
asking for the page (for the first page: from opening the connection) to the server's "script finished" message.
Editors write counts, activity statuses and spending through the service layer, each write unique, one save every
~3 s each. ``--short`` keeps everyone busier on purpose (clicks every 0.2–1 s, saves every 0.25 s): it hunts lost
writes, not times. It prints the app processes' CPU per page run: what a server needs per reader, on any machine.
Afterwards every successful write must be in the database and in the audit log exactly once; the script exits 1 if
one is missing or doubled, or if any page run failed. Servers are started by the script (localhost only) and stopped
at the end.
"""

import argparse
import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlmodel import Session  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from mobility.activities import activity_detail, set_status  # noqa: E402
from mobility.counts import Cell, save_counts  # noqa: E402
from mobility.db import make_engine  # noqa: E402
from mobility.models import Activity, AuditEntry, MobilityCount, Spend, StatusChange  # noqa: E402
from mobility.service import Actor, ConcurrentEditError  # noqa: E402
from mobility.spending import add_spend  # noqa: E402

# Where readers go: the overview (the link people get) most, then the pages a meeting looks at.
PAGES = ["", "", "", "targets", "budget", "press", "followup", "history", "checklists"]
RUN_TIMEOUT = 60
P95_GOAL = 2.0  # seconds, for 50 readers on 3 processes (the "done when")


@dataclass
class Results:
    by_page: dict[str, list[float]] = field(default_factory=dict)  # "first:/page" or "/page" -> seconds
    errors: list[str] = field(default_factory=list)
    writes: dict[str, list] = field(default_factory=lambda: {"spend": [], "count": [], "status": []})
    refused: int = 0  # concurrent-edit refusals: shown to the editor, not lost

    @property
    def runs(self) -> list[float]:
        return [t for times in self.by_page.values() for t in times]


# Readers -----------------------------------------------------------------------------------------------------------
async def _page_run(ws, page: str, started: float, results: Results, label: str = "") -> None:
    msg = BackMsg()
    msg.rerun_script.page_name = page
    msg.rerun_script.query_string = ""
    await ws.send(msg.SerializeToString())
    while True:
        reply = ForwardMsg()
        reply.ParseFromString(await asyncio.wait_for(ws.recv(), RUN_TIMEOUT))
        kind = reply.WhichOneof("type")
        if kind == "delta" and reply.delta.WhichOneof("type") == "new_element" \
                and reply.delta.new_element.WhichOneof("type") == "exception":
            results.errors.append(f"/{page}: {reply.delta.new_element.exception.message[:200]}")
        elif kind == "page_not_found":
            results.errors.append(f"/{page}: page not found")
        elif kind == "script_finished":
            if reply.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                results.errors.append(f"/{page}: run ended with status {reply.script_finished}")
            seconds = time.perf_counter() - started
            results.by_page.setdefault(f"{label}/{page}", []).append(seconds)
            return


async def reader(n: int, base_urls: list[str], pages_per_reader: int, deadline: float, start: asyncio.Event,
                 results: Results, think: tuple[float, float]) -> None:
    rng = random.Random(n)
    url = base_urls[n % len(base_urls)].replace("http://", "ws://") + "/_stcore/stream"
    await start.wait()
    try:
        started = time.perf_counter()
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=RUN_TIMEOUT) as ws:
            for i in range(pages_per_reader):
                if time.monotonic() > deadline:
                    break
                await _page_run(ws, rng.choice(PAGES), started if i == 0 else time.perf_counter(), results,
                                "first:" if i == 0 else "")
                await asyncio.sleep(rng.uniform(*think))  # a reader reads the page before the next click
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        results.errors.append(f"reader {n}: {exc.__class__.__name__}: {exc}")


async def warm_up(apps: list[str]) -> None:
    """Before the meeting the server has been serving: one visit to every page on every process (directly, not
    through the proxy, which would send it to one process)."""
    for base in apps:
        url = base.replace("http://", "ws://") + "/_stcore/stream"
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=RUN_TIMEOUT) as ws:
            for page in dict.fromkeys(PAGES):
                await _page_run(ws, page, time.perf_counter(), Results())


# Editors -----------------------------------------------------------------------------------------------------------
def editor(n: int, url: str, tag: str, stop: threading.Event, results: Results, every: float) -> None:
    """Writes in turn: a count (one cell of its own, a new value each time), a status, a spend (unique voucher),
    one save about every ``every`` seconds."""
    engine = make_engine(url)
    rng = random.Random(1000 + n)
    actor = Actor(f"load.editor{n}", "editor")
    code = ["A1", "A2", "A3", "B1", "B2", "B3", "C1", "D1", "E1", "E2"][n % 10]
    statuses = ["ongoing", "planned"]
    i = 0
    stop.wait(rng.uniform(0, every))  # editors do not all save at the instant the room opens the link
    while not stop.is_set():
        i += 1
        try:
            if i % 3 == 1:
                cell = Cell(year=2030 + n, term="", group="staff", direction="out", programme="other", level="",
                            faculty="", count=i, note=tag)
                save_counts(engine=engine, actor=actor, cells=[cell], source="form")
                results.writes["count"].append((n, i))
            elif i % 3 == 2:
                comment = f"{tag} e{n} w{i}"
                version = activity_detail(engine, code)["version"]
                set_status(engine=engine, actor=actor, code=code, status=statuses[i % 2], comment=comment,
                           expected_version=version)
                results.writes["status"].append(comment)
            else:
                reference = f"{tag}-e{n}-w{i}"
                add_spend(engine=engine, actor=actor, spent_on=date(2017, 6, 1), activity=code, amount="100",
                          description="load test", reference=reference, today=date(2017, 6, 2))
                results.writes["spend"].append(reference)
        except ConcurrentEditError:
            results.refused += 1
        except Exception as exc:  # noqa: BLE001 - every failure is reported, the run goes on
            results.errors.append(f"editor {n}: {exc.__class__.__name__}: {str(exc)[:200]}")
        stop.wait(rng.uniform(0.5, 1.5) * every)
    engine.dispose()


def check_writes(url: str, tag: str, results: Results) -> list[str]:
    """Every successful write in the database and in the audit log exactly once; returns the problems."""
    engine = make_engine(url)
    problems = []
    with Session(engine) as s:
        def count(query) -> int:
            return s.execute(select(func.count()).select_from(query.subquery())).scalar_one()

        for ref in results.writes["spend"]:
            rows = count(select(Spend.id).where(Spend.reference == ref))
            audits = count(select(AuditEntry.id).where(AuditEntry.action == "add_spend", AuditEntry.entity_key == ref))
            if (rows, audits) != (1, 1):
                problems.append(f"spend {ref}: {rows} rows, {audits} audit entries")
        for comment in results.writes["status"]:
            rows = count(select(StatusChange.id).where(StatusChange.comment == comment))
            audits = count(select(AuditEntry.id).where(AuditEntry.action == "set_status",
                                                       AuditEntry.after.contains(f'"{comment}"')))
            if (rows, audits) != (1, 1):
                problems.append(f"status {comment!r}: {rows} rows, {audits} audit entries")
        by_editor: dict[int, list[int]] = {}
        for n, value in results.writes["count"]:
            by_editor.setdefault(n, []).append(value)
        for n, values in by_editor.items():
            label = f"{2030 + n} staff out other"
            stored = s.execute(select(MobilityCount.count).where(MobilityCount.year == 2030 + n,
                                                                 MobilityCount.note == tag)).scalars().all()
            audits = s.execute(select(AuditEntry.after).where(AuditEntry.entity == "count",
                                                              AuditEntry.entity_key == label)).scalars().all()
            audited = sorted(int(re.search(r'"count": (\d+)', a).group(1)) for a in audits if a)
            if stored != [values[-1]] or audited != sorted(values):
                problems.append(f"count {label}: stored {stored}, audited {audited}, written {values}")
        if not s.execute(select(Activity.id)).first():
            problems.append("the database has no plan")
    engine.dispose()
    return problems


# Servers -----------------------------------------------------------------------------------------------------------
def start_sqlite(state: Path) -> tuple[list[str], list[str], str, list[subprocess.Popen]]:
    url = f"sqlite:///{state / 'mobility.db'}"
    port = 20_000 + int.from_bytes(os.urandom(2)) % 30_000
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "mobility", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
                             "--server.address=127.0.0.1", f"--server.port={port}"], cwd=ROOT, env=env,
                            stdout=open(state / "app.log", "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"the app did not start; see {state / 'app.log'}") from None
            time.sleep(0.3)
    return [base], [base], url, [proc]


def start_cluster(state: Path, processes: int) -> tuple[list[str], list[str], str, list[subprocess.Popen]]:
    port = 20_000 + int.from_bytes(os.urandom(2)) % 30_000
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "serve_cluster.sh"), str(processes), str(port)],
                            cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "STATE_DIR": str(state), "PYTHON": sys.executable,
                                 "SECRETS": str(state / "secrets.toml")})
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("ready:"):
            break
    text = "".join(lines)
    database = re.search(r"^database: (\S+)", text, re.M)
    if not lines or not lines[-1].startswith("ready:") or not database:
        proc.terminate()
        raise SystemExit("the cluster did not start:\n" + text)
    apps = re.findall(r"^app \d+: (\S+)", text, re.M)
    through = [f"http://127.0.0.1:{port}"] if "nginx in front" in lines[-1] else apps
    return through, apps, database.group(1), [proc]


@dataclass
class AppUsage:
    memory_mb: list[int]
    cpu_seconds: float


def app_usage(procs: list[subprocess.Popen]) -> AppUsage:
    """Resident memory and CPU time so far of every app process (Streamlit, not the Chromium that draws images)."""
    def tree(pid: int) -> list[int]:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [pid] + [p for c in children for p in tree(int(c))]

    usage = AppUsage([], 0.0)
    for pid in (p for proc in procs for p in tree(proc.pid)):
        try:
            if b"streamlit" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            rss = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except (OSError, AttributeError):
            continue
        usage.memory_mb.append(int(rss.group(1)) // 1024)
        usage.cpu_seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return usage


# Run ---------------------------------------------------------------------------------------------------------------
async def run(base_urls, url, readers: int, editors: int, seconds: float, pages_per_reader: int,
              write_every: float, think: tuple[float, float]) -> Results:
    results = Results()
    tag = f"LOAD{int(time.time())}"
    stop = threading.Event()
    threads = [threading.Thread(target=editor, args=(n, url, tag, stop, results, write_every)) for n in range(editors)]
    deadline = time.monotonic() + seconds
    start = asyncio.Event()
    tasks = [asyncio.create_task(reader(n, base_urls, pages_per_reader, deadline, start, results, think))
             for n in range(readers)]
    for t in threads:
        t.start()
    start.set()  # everyone opens the link at the same moment
    await asyncio.wait(tasks, timeout=seconds + RUN_TIMEOUT)
    stop.set()
    for t in threads:
        t.join()
    problems = check_writes(url, tag, results)
    results.errors += [f"write check: {p}" for p in problems]
    return results


def _percentiles(times: list[float]) -> str:
    times = sorted(times)
    if not times:
        return "no runs"
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return f"p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s"


def report(name: str, results: Results, readers: int, editors: int, write_every: float,
           think: tuple[float, float]) -> None:
    writes = {k: len(v) for k, v in results.writes.items()}
    first = [t for key, times in results.by_page.items() if key.startswith("first:") for t in times]
    clicks = [t for key, times in results.by_page.items() if not key.startswith("first:") for t in times]
    print(f"{name}: {readers} readers reading each page {think[0]:g}–{think[1]:g} s, {editors} editors saving every "
          f"~{write_every:g} s — {len(results.runs)} page "
          f"runs, {_percentiles(results.runs)} (goal p95 ≤ {P95_GOAL:.0f} s with 3 processes); writes {writes}, "
          f"{results.refused} refused as concurrent edits (shown to the editor), {len(results.errors)} errors")
    print(f"  opening the link (new session + first page): {_percentiles(first)}; "
          f"later clicks: {_percentiles(clicks)}")
    pages = sorted({key.removeprefix("first:") for key in results.by_page})
    both = {page: results.by_page.get(page, []) + results.by_page.get("first:" + page, []) for page in pages}
    print("  per page, p50: " + ", ".join(f"{page} {statistics.median(t):.2f} s" for page, t in both.items()))
    for error in results.errors[:20]:
        print(f"  error: {error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="10 readers, 2 editors, at most 30 s (the test suite)")
    parser.add_argument("--setup", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--readers", type=int)
    parser.add_argument("--editors", type=int)
    parser.add_argument("--seconds", type=float, help="how long the editors write and readers keep reading")
    parser.add_argument("--pages", type=int, default=4, help="pages each reader opens (default %(default)s)")
    parser.add_argument("--think", type=float, nargs=2, metavar=("MIN", "MAX"),
                        help="seconds a reader reads a page before the next click (default 3 10; --short: 0.2 1, "
                             "which keeps the server busy on purpose)")
    parser.add_argument("--write-every", type=float,
                        help="seconds between one editor's saves (default 3: 5 editors save ~100 times a minute, a "
                             "busy working session; --short: 0.25, a stress test of lost writes no room produces)")
    parser.add_argument("--processes", type=int, default=3, help="app processes on PostgreSQL (default 3)")
    args = parser.parse_args()
    readers = args.readers or (10 if args.short else 50)
    editors = args.editors if args.editors is not None else (2 if args.short else 5)
    seconds = min(args.seconds or (15 if args.short else 60), 30 if args.short else 300)
    args.write_every = args.write_every or (0.25 if args.short else 3.0)
    think = tuple(args.think or ((0.2, 1.0) if args.short else (3.0, 10.0)))
    readers, editors = min(readers, 200), min(editors, 20)  # bounded: this is a test, not an attack
    print(f"uptime: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (load 1/5/15 min), "
          f"{os.cpu_count()} cores")
    failed = False
    setups = ["sqlite", "postgres"] if args.setup == "both" else [args.setup]
    for setup in setups:
        with tempfile.TemporaryDirectory(prefix=f"mobility-load-{setup}-") as tmp:
            state = Path(tmp)
            os.chmod(state, 0o755)
            if setup == "sqlite":
                bases, apps, url, procs = start_sqlite(state)
                name = "SQLite, 1 process"
            else:
                bases, apps, url, procs = start_cluster(state, args.processes)
                name = f"PostgreSQL, {args.processes} processes" + (" behind nginx" if len(bases) == 1 else "")
            asyncio.run(warm_up(apps))
            before = app_usage(procs)
            try:
                cpu, wall = time.process_time(), time.perf_counter()
                results = asyncio.run(run(bases, url, readers, editors, seconds, args.pages, args.write_every, think))
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                after = app_usage(procs)
            finally:
                for proc in procs:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(60)
            report(name, results, readers, editors, args.write_every, think)
            if results.errors:  # the page shows a redacted message; the server's log has the cause
                for log in sorted(state.glob("**/app*.log")):
                    text = log.read_text(errors="replace")
                    if "Traceback" in text:
                        print(f"  {log.name}, last traceback:\n" + "Traceback" + text.rsplit("Traceback", 1)[1][:3000])
            runs = len(results.runs)
            print(f"  app processes: {after.cpu_seconds - before.cpu_seconds:.1f} s CPU for {runs} page runs and "
                  f"{sum(len(w) for w in results.writes.values())} writes "
                  f"(~{(after.cpu_seconds - before.cpu_seconds) / max(runs, 1) * 1000:.0f} ms per page run); memory "
                  f"{', '.join(map(str, before.memory_mb))} MB at start, {', '.join(map(str, after.memory_mb))} MB "
                  f"after")
            print(f"  this script's own CPU (readers' and editors' clients, on the same machine): {cpu:.1f} s in "
                  f"{wall:.1f} s")
            failed |= bool(results.errors) or not results.runs
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
