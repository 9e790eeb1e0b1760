"""Login timing: a known and an unknown user name answer a wrong password in the same time (issue 16: the name must
not leak), and what 20 simultaneous wrong attempts on one name cost. Floor: medians within a few ms of each other.

Usage: python scripts/bench_login.py [pairs]
"""

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mobility import auth, throttle  # noqa: E402
from mobility.db import make_engine  # noqa: E402
from mobility.plan import init_database  # noqa: E402


def main(pairs: int = 25) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-login-"))
    engine = make_engine(f"sqlite:///{folder / 'mobility.db'}")
    init_database(engine)
    auth.set_account(folder / "secrets.toml", "io.editor", role="editor", password="correct-horse-battery")
    users = auth.read_secrets(folder / "secrets.toml")["users"]
    times: dict[str, list[float]] = {"io.editor": [], "nobody.here": []}
    for n in range(pairs):  # each pair from its own address, so no attempt is throttled
        for name in (times if n % 2 else reversed(times)):
            started = time.perf_counter()
            auth.authenticate(engine, users, name, "wrong password", address=f"10.{n // 250}.{n % 250}.1")
            times[name].append(1000 * (time.perf_counter() - started))
    known, unknown = (statistics.median(v) for v in times.values())
    print(f"wrong password, median of {pairs}: known name {known:.1f} ms, unknown name {unknown:.1f} ms, "
          f"difference {unknown - known:+.1f} ms (floor: a few ms; one scrypt is ~{known:.0f} ms)")

    answers, barrier = [], threading.Barrier(20)

    def attempt():
        barrier.wait()
        try:
            answers.append(auth.authenticate(engine, users, "io.editor", "guess", address="192.0.2.1"))
        except auth.LoginThrottled:
            answers.append("throttled")

    started = time.perf_counter()
    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counted = next(r["failures"] for r in throttle.throttled(engine) if r["address"] == "192.0.2.1")
    print(f"20 simultaneous wrong attempts: {answers.count('throttled')} throttled without a password check, "
          f"{counted} counted, {1000 * (time.perf_counter() - started):.0f} ms in all")
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    engine.dispose()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
