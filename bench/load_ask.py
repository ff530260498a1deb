"""Load test of ``POST /api/v1/ask``: sustained requests/s, p50/p95/p99 latency, errors.

Starts the service on the embedded default (SQLite store, local MiniLM embeddings, in-process
jobs, the ``offline`` planner) on a free loopback port, uploads a small demo report, then
drives ``/ask`` at a fixed arrival rate (open loop, ``--rate``) for ``--duration`` seconds::

    .venv/bin/python bench/load_ask.py                       # 60 s at 100 req/s
    .venv/bin/python bench/load_ask.py --duration 20 --rate 150
    .venv/bin/python bench/load_ask.py --url http://127.0.0.1:8000 --key "$(cat ~/.finrag/admin.key)"

Only loopback URLs are accepted. When the ``offline`` planner is not installed yet, the
server runs a fixed-program planner instead (``--planner fixed``): same retrieval, execution,
history and audit work per request, and the figures say which planner ran.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "What was the percentage change in net revenue from 2018 to 2019?",
    "What was the change in operating income from 2018 to 2019?",
    "What was net revenue in 2019?",
    "What was the percentage change in total expenses from 2018 to 2019?",
    "What is the ratio of operating income to net revenue in 2019?",
    "How much did cash and equivalents grow from 2018 to 2019?",
    "What was the change in research and development costs between 2018 and 2019?",
    "What were total assets in 2018?",
]
DEMO = """<html><body><h1>Acme Corp annual report 2019</h1>
<p>Net revenue grew to $5,829 million in 2019 from $5,735 million in 2018.</p>
<table><tr><th>(in millions)</th><th>2019</th><th>2018</th></tr>
<tr><td>Net revenue</td><td>5,829</td><td>5,735</td></tr>
<tr><td>Research and development</td><td>1,210</td><td>1,105</td></tr>
<tr><td>Total expenses</td><td>4,629</td><td>4,635</td></tr>
<tr><td>Operating income</td><td>1,200</td><td>1,100</td></tr>
<tr><td>Cash and equivalents</td><td>2,310</td><td>1,980</td></tr>
<tr><td>Total assets</td><td>18,400</td><td>17,250</td></tr></table>
</body></html>"""
# The fixed planner registers in the server process through the registry's import-path hook.
FIXED_PLANNER = (
    "from finrag.planning.registry import register_planner\n"
    "from finrag.testing.scripted_planner import ScriptedPlanner\n"
    "from finrag.planning.base import Plan\n"
    "from finrag.dsl.parser import parse_program\n"
    "PROGRAM = parse_program('subtract(5829, 5735), divide(#0, 5735)')\n"
    "class Fixed(ScriptedPlanner):\n"
    "    def plan(self, request):\n"
    "        return Plan(program=PROGRAM, planner=self.name, confidence=1.0)\n"
    "register_planner('fixed', lambda argument, **o: Fixed(name='fixed'))\n"
)


@dataclass
class Results:
    """Latencies (ms) of successful requests, errors by kind, wall time."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    abstained: int = 0
    seconds: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check_loopback(url: str) -> None:
    """Refuse anything but a loopback target."""
    host = urlparse(url).hostname or ""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"refusing to load-test {host!r}: only loopback targets are allowed")


def planner_available(name: str) -> bool:
    """True when ``name`` builds in this environment."""
    from finrag.errors import ConfigError
    from finrag.planning.registry import get_planner

    try:
        get_planner(name)
    except ConfigError:
        return False
    return True


def start_server(
    port: int, planner: str, data_dir: Path, embedder: str, workers: int
) -> subprocess.Popen[bytes]:
    """``serve`` on the embedded default in a child process."""
    env = {
        **os.environ,
        "FINRAG_DATA_DIR": str(data_dir),
        "FINRAG_PLANNER": planner,
        "FINRAG_EMBEDDER": embedder,
        "FINRAG_SERVICE__RATE_LIMIT__RATE": "10000",
        "FINRAG_SERVICE__RATE_LIMIT__BURST": "20000",
        "OMP_NUM_THREADS": "1",
    }
    prelude = FIXED_PLANNER if planner == "fixed" else ""
    if prelude and workers > 1:
        raise SystemExit("the fixed planner registers in one process only: use --workers 1")
    code = prelude + (
        "from finrag.service.__main__ import app\n"
        f"app(['serve', '--host', '127.0.0.1', '--port', '{port}', '--workers', '{workers}'])\n"
    )
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - owned by the child
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=log, stderr=log, cwd=ROOT)


async def wait_ready(client: httpx.AsyncClient, url: str, timeout: float = 120.0) -> None:
    """Poll /readyz until the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (await client.get(f"{url}/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit(f"server at {url} not ready after {timeout}s")


async def preload(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[str]:
    """Upload the demo report and wait for its job; returns its document ids."""
    files = {"file": ("acme-2019.html", DEMO.encode(), "text/html")}
    response = await client.post(f"{url}/api/v1/documents", headers=headers, files=files)
    response.raise_for_status()
    job_id = response.json()["job"]["id"]
    for _ in range(600):
        job = (await client.get(f"{url}/api/v1/jobs/{job_id}", headers=headers)).json()
        if job["status"] == "succeeded":
            return list(job["doc_ids"])
        if job["status"] == "failed":
            raise SystemExit(f"demo ingestion failed: {job['error']}")
        await asyncio.sleep(0.1)
    raise SystemExit("demo ingestion did not finish")


async def one(client: httpx.AsyncClient, url: str, headers: dict[str, str], body: dict[str, object],
              results: Results) -> None:  # fmt: skip
    """One /ask request, timed."""
    started = time.perf_counter()
    try:
        response = await client.post(f"{url}/api/v1/ask", headers=headers, json=body)
    except httpx.HTTPError as exc:
        results.error(type(exc).__name__)
        return
    elapsed = (time.perf_counter() - started) * 1000.0
    if response.status_code != 200:
        results.error(f"HTTP {response.status_code}")
        return
    results.latencies.append(elapsed)
    results.abstained += bool(response.json().get("abstained"))


async def drive(url: str, headers: dict[str, str], doc_ids: list[str], rate: float,
                duration: float, max_in_flight: int) -> Results:  # fmt: skip
    """Open-loop load: one request every 1/rate seconds, at most ``max_in_flight`` at once."""
    results = Results()
    # keep-alive expiry under uvicorn's 5 s, so an idle connection is never reused as it closes
    limits = httpx.Limits(
        max_connections=max_in_flight, max_keepalive_connections=max_in_flight, keepalive_expiry=4.0
    )
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        gate = asyncio.Semaphore(max_in_flight)
        tasks: list[asyncio.Task[None]] = []

        async def guarded(body: dict[str, object]) -> None:
            async with gate:
                await one(client, url, headers, body, results)

        started = time.perf_counter()
        n = 0
        while (now := time.perf_counter() - started) < duration:
            due = n / rate
            if due > now:
                await asyncio.sleep(due - now)
            body = {"question": QUESTIONS[n % len(QUESTIONS)], "doc_ids": doc_ids}
            tasks.append(asyncio.create_task(guarded(body)))
            n += 1
        await asyncio.gather(*tasks)
        results.seconds = time.perf_counter() - started
    return results


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += cpu.get(current, 0.0)
        todo.extend(children.get(current, []))
    return total


def client_cpu_seconds() -> float:
    """This process's user + system CPU seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def report(results: Results, planner: str, rate: float, workers: int | str) -> None:
    """Print the figures."""
    done = len(results.latencies)
    errors = sum(results.errors.values())
    print(f"planner={planner} workers={workers} target={rate:.0f} req/s "
          f"duration={results.seconds:.1f}s")  # fmt: skip
    print(f"sustained: {done / results.seconds:.1f} req/s ({done} ok, {errors} errors "
          f"{results.errors or ''}, {results.abstained} abstained)")  # fmt: skip
    if done:
        print(f"latency ms: p50={percentile(results.latencies, 50):.1f} "
              f"p95={percentile(results.latencies, 95):.1f} "
              f"p99={percentile(results.latencies, 99):.1f} "
              f"mean={statistics.fmean(results.latencies):.1f} max={max(results.latencies):.1f}")  # fmt: skip


async def main_async(args: argparse.Namespace) -> None:
    """Start (or target) the server, preload, warm up, measure, report."""
    server = None
    planner = args.planner if args.url is None else "(as configured on the server)"
    url = args.url
    key = args.key
    data_dir = Path(tempfile.mkdtemp(prefix="finrag-bench-"))
    if url is None:
        if planner == "offline" and not planner_available("offline"):
            print("planner 'offline' is not available here; using the fixed-program planner")
            planner, args.workers = "fixed", 1
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(port, planner, data_dir, args.embedder, args.workers)
    check_loopback(url)
    try:
        async with httpx.AsyncClient(timeout=30.0) as client:
            await wait_ready(client, url)
            key = key or (data_dir / "admin.key").read_text().strip()
            headers = {"Authorization": f"Bearer {key}"}
            doc_ids = await preload(client, url, headers)
        await drive(url, headers, doc_ids, args.rate, min(5.0, args.duration / 6), 32)  # warm-up
        server_cpu = tree_cpu_seconds(server.pid) if server else 0.0
        client_cpu = client_cpu_seconds()
        results = await drive(url, headers, doc_ids, args.rate, args.duration, args.max_in_flight)
        report(results, planner, args.rate, args.workers if args.url is None else "?")
        done = max(1, len(results.latencies))
        if server is not None:
            used = tree_cpu_seconds(server.pid) - server_cpu
            print(f"server CPU: {1000 * used / done:.1f} ms/request; "
                  f"client CPU: {1000 * (client_cpu_seconds() - client_cpu) / done:.1f} ms/request")  # fmt: skip
        load = os.getloadavg()
        print(f"load average (1/5/15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
              f"on {os.cpu_count()} CPUs")  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of measured load")
    parser.add_argument("--rate", type=float, default=100.0, help="target requests per second")
    parser.add_argument("--max-in-flight", type=int, default=64)
    parser.add_argument("--planner", default="offline")
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--url", help="target a running loopback server instead of starting one")
    parser.add_argument("--key", help="API key for --url (analyst or admin)")
    args = parser.parse_args()
    if args.duration <= 0 or args.duration > 3600 or args.rate <= 0:
        raise SystemExit("--duration must be in (0, 3600] and --rate positive")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
