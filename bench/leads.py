"""Benchmark of the lead service: submissions per second and latency, on SQLite or PostgreSQL.

Starts `leadpress leads serve` (the real service, in its own process) on a fresh database,
sends valid submissions of the webinar form over concurrent keep-alive connections (each
submission from its own visitor address, through X-Forwarded-For, with its own idempotency
key), and prints throughput, latency percentiles and the rows stored.

The default client is a few lines of asyncio that write HTTP/1.1 requests and read the
answers: on a 2-core machine the client shares the CPU with the service, and httpx spends
more CPU per request than the service does, so with `--client httpx` the figures measure
mostly the client.

    .venv/bin/python bench/leads.py                          # SQLite in a temporary folder
    .venv/bin/python bench/leads.py --db postgresql://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from leadpress.forms.loading import forms_json, parse_forms
from leadpress.leads.storage import database_url

REPO = Path(__file__).resolve().parent.parent
ORIGIN = "https://www.tallyfold.example"
PATH = "/v1/forms/webinar-registration/submissions"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _submission(number: int) -> dict[str, object]:
    return {
        "email": f"visitor{number}@example.com",
        "full_name": f"Bench Visitor {number}",
        "company": "Tarnbrook Freight",
        "role": "sales",
        "consent": True,
        "page_path": "/webinars/renewal-forecast-cfo/",
        "form_started_at": (time.time() - 30) * 1000,
        "first_utm_source": "newsletter",
        "first_utm_medium": "email",
        "first_utm_campaign": "renewal-forecast-2027",
        "last_utm_source": "linkedin",
        "last_referrer": "https://www.linkedin.com/",
    }


def _headers(number: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Origin": ORIGIN,
        "Idempotency-Key": str(uuid.uuid4()),
        "X-Forwarded-For": f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}",
    }


class Results:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()


def _submission_request(number: int) -> bytes:
    body = json.dumps(_submission(number)).encode()
    head = f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in _headers(number).items())
    return head.encode() + b"\r\n" + body


def _health_request(number: int) -> bytes:
    return b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def _raw_connection(
    port: int, numbers: list[int], results: Results, request=_submission_request
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for number in numbers:
            started = time.perf_counter()
            writer.write(request(number))
            answer = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in answer.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            results.latencies.append(time.perf_counter() - started)
            results.statuses[int(answer[9:12])] += 1
    finally:
        writer.close()


def _raw_load(port: int, numbers: range, connections: int, request=_submission_request) -> Results:
    results = Results()

    async def run() -> None:
        shares = [list(numbers[i::connections]) for i in range(connections)]
        await asyncio.gather(*(_raw_connection(port, share, results, request) for share in shares))

    asyncio.run(run())
    return results


def _httpx_load(port: int, numbers: range, connections: int) -> Results:
    results = Results()
    lock = threading.Lock()

    def run(share: range) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for number in share:
                started = time.perf_counter()
                answer = client.post(PATH, json=_submission(number), headers=_headers(number))
                elapsed = time.perf_counter() - started
                with lock:
                    results.latencies.append(elapsed)
                    results.statuses[answer.status_code] += 1

    threads = [
        threading.Thread(target=run, args=(numbers[i::connections],)) for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def _postgres_database(server: str, name: str, create: bool) -> str:
    """Create (or drop) the database `name` on the server of `server`; its URL."""
    url = database_url(server)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if create:
            conn.execute(text(f"CREATE DATABASE {name}"))
        else:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _start(forms_path: Path, db: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "leadpress.leads", "serve", "--forms", str(forms_path)]
    command += ["--db", db, "--port", str(port), "--no-outbox"]
    with log.open("wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit(f"the service did not start:\n{log.read_text()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db",
        help="a PostgreSQL server URL: a database is created there for the run and dropped "
        "after (default: a new SQLite file)",
    )
    parser.add_argument("-n", "--count", type=int, default=10_000, help="submissions to send")
    parser.add_argument("-c", "--connections", type=int, default=16, help="concurrent clients")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="leads-bench-"))
    forms, problems = parse_forms((REPO / "campaigns/forms.yml").read_text("utf-8"), "forms.yml")
    assert not problems, problems
    forms_path = folder / "forms.json"
    forms_path.write_text(forms_json(forms, ORIGIN + "/", [ORIGIN], 90), encoding="utf-8")
    scratch = f"leads_bench_{uuid.uuid4().hex[:8]}"
    db = _postgres_database(args.db, scratch, True) if args.db else f"sqlite:///{folder}/leads.db"
    port = _free_port()
    load = _raw_load if args.client == "raw" else _httpx_load
    warm_up = 500
    server = _start(forms_path, db, port, folder / "service.log")
    try:
        load(port, range(warm_up), args.connections)  # connections, caches, the first pages
        started = time.perf_counter()
        results = load(port, range(warm_up, warm_up + args.count), args.connections)
        elapsed = time.perf_counter() - started
        # Baseline in the same run: the same server and client answering GET /healthz (one
        # database read, no checks, no write), so the figure below is a ratio, not a guess.
        started = time.perf_counter()
        baseline = _raw_load(port, range(args.count), args.connections, _health_request)
        baseline_elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(30)
    engine = create_engine(database_url(db))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM leads")).scalar_one()
    engine.dispose()
    if args.db:
        _postgres_database(args.db, scratch, False)
    shutil.rmtree(folder)

    ok = sum(n for status, n in results.statuses.items() if 200 <= status < 300)
    ordered = sorted(results.latencies)
    backend = "PostgreSQL" if args.db else "SQLite"
    print(f"Lead service: {backend}, {os.cpu_count()} CPUs, client {args.client}")
    print(f"  sent:        {len(ordered)} submissions over {args.connections} connections")
    print(f"  answers:     {dict(results.statuses)}")
    print(f"  throughput:  {ok / elapsed:,.0f} submissions/s stored ({elapsed:.2f} s)")
    print(
        f"  latency:     p50 {_percentile(ordered, 0.50):.1f} ms, "
        f"p95 {_percentile(ordered, 0.95):.1f} ms, p99 {_percentile(ordered, 0.99):.1f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms, mean {statistics.fmean(ordered) * 1000:.1f} ms"
    )
    print(f"  rows stored: {rows} (= {warm_up} warm-up + {ok} measured: {rows == warm_up + ok})")
    health = sum(baseline.statuses.values()) / baseline_elapsed
    print(
        f"  baseline:    GET /healthz {health:,.0f} requests/s on the same server and client; "
        f"a stored submission costs {health / (ok / elapsed):.2f}x a health check"
    )


if __name__ == "__main__":
    main()
