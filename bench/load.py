"""The benchmark's load generators, outside the process that runs the benchmark.

`wrk` (a compiled HTTP load tool, Debian's package) sends every scenario it can: a work file of
requests (bench/wrk/work.lua), each connection taking the next one, pinned with `taskset` to one
CPU. Without wrk, and always for the whole lifecycle (five requests where each needs the
previous answer: a chain wrk's Lua cannot follow per connection), a Python generator runs in a
separate process (multiprocessing, spawned), one thread and one connection per client. Both
report the generator's own CPU time, so each figure says what the load cost the machine.

This module imports no Django: the spawned generator starts in a fraction of a second.
"""

import json
import os
import resource
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from http.client import HTTPConnection
from multiprocessing import get_context
from pathlib import Path

LUA = Path(__file__).resolve().parent / "wrk" / "work.lua"


def item(method, path, *, token=None, cookie=None, body=None, headers=None) -> list:
    """One request of a work list: [method, path, headers, body text or None]."""
    h = {"Accept": "application/json", **(headers or {})}
    if token:
        h["Authorization"] = f"Token {token}"
    if cookie:
        h["Cookie"] = cookie
    text = None
    if body is not None:
        text = json.dumps(body)  # ASCII, one line: safe in a tab-separated work file
        h["Content-Type"] = "application/json"
    return [method, path, h, text]


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ms(us) -> float:
    return round(float(us) / 1000, 2)


def run_wrk(port, items, *, mode, expected, clients, duration, cpu=None) -> dict:
    """Send `items` with wrk for `duration` seconds over `clients` connections."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        work, out = Path(folder, "work.tsv"), Path(folder, "out.txt")
        with work.open("w") as f:
            for method, path, headers, body in items:
                header_text = "\x1f".join(f"{k}: {v}" for k, v in headers.items())
                f.write(f"{method}\t{path}\t{header_text}\t{body or ''}\n")
        command = [
            "wrk", "-t1", f"-c{clients}", f"-d{max(1, round(duration))}s", "--timeout", "30s",
            "-s", str(LUA), f"http://127.0.0.1:{port}",
        ]  # fmt: skip
        if cpu is not None and shutil.which("taskset"):
            command = ["taskset", "-c", str(cpu), *command]
        env = {
            **os.environ,
            "BENCH_WORK": str(work),
            "BENCH_OUT": str(out),
            "BENCH_MODE": mode,
            "BENCH_EXPECTED": str(expected),
        }
        cpu_before, began = _children_cpu(), time.perf_counter()
        run = subprocess.run(command, env=env, capture_output=True, text=True)
        wall, cpu_seconds = time.perf_counter() - began, _children_cpu() - cpu_before
        if run.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed ({run.returncode}): {run.stderr.strip()[:500]}")
        text = out.read_text()
    head, _, samples = text.partition("samples\n")
    values = dict(line.split(" ", 1) for line in head.splitlines())
    seconds = int(values["duration_us"]) / 1e6
    ok = int(values["ok"])
    return {
        "ops": ok,
        "errors": int(values["bad"]) + int(values["socket_errors"]),
        "seconds": round(seconds, 3),
        "throughput": round(ok / seconds, 2) if seconds else 0.0,
        "p50_ms": _ms(values["p50_us"]),
        "p95_ms": _ms(values["p95_us"]),
        "p99_ms": _ms(values["p99_us"]),
        "exhausted": int(values["exhausted"]) > 0,
        "error_samples": [s for s in samples.splitlines() if s][:5],
        "generator": {
            "tool": "wrk" + (f" (taskset -c {cpu})" if cpu is not None else ""),
            "cpu_seconds": round(cpu_seconds, 2),
            "cpu_share": round(cpu_seconds / wall, 3) if wall else None,
        },
    }


def server_latencies(log: Path, offset: int) -> dict:
    """p50/p95/p99 in ms of the requests the server logged after `offset` (µs, one a line),
    with wrk's own figures kept as `wrk_p*_ms` for comparison."""
    with log.open("rb") as f:
        f.seek(offset)
        times = sorted(int(line) for line in f.read().split() if line.isdigit())

    def percentile(p):
        if not times:
            return None
        return _ms(times[min(len(times) - 1, max(0, round(p / 100 * len(times)) - 1))])

    return {"latency_source": "server (gunicorn request time)", "server_requests": len(times)} | {
        f"p{p}_ms": percentile(p) for p in (50, 95, 99)
    }


def run_python(port, items, *, mode, expected, clients, duration) -> dict:
    """The same as `run_wrk`, from a spawned Python process."""
    spec = {"port": port, "items": items, "mode": mode, "expected": expected}
    return _in_child(_requests_worker, spec, clients, duration)


def run_lifecycles(port, chains, *, clients, duration) -> dict:
    """Whole claim lifecycles (request → approve → activity → two ratings), each chain once,
    from a spawned Python process; one operation is one completed process."""
    return _in_child(_lifecycle_worker, {"port": port, "chains": chains}, clients, duration)


def _in_child(worker, spec, clients, duration) -> dict:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_drive, worker, spec, clients, duration).result()


# -- inside the generator process ---------------------------------------------------------------


class _Client:
    def __init__(self, port):
        self.port, self.conn = port, None

    def send(self, method, path, headers, body):
        """(status, body bytes); reconnects when the server closed the connection."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (ConnectionError, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.conn.close()
                self.conn = None
            return response.status, data
        raise AssertionError("unreachable")


def _requests_worker(spec, client, index, n, take):
    method, path, headers, body = take(index, n)
    status, data = client.send(method, path, headers, body)
    if status != spec["expected"]:
        return f"{status} {data[:120].decode(errors='replace')}"
    return None


def _lifecycle_worker(spec, client, index, n, take):
    chain = take(index, n)
    operator = {"Authorization": f"Token {chain['operator']}", "Accept": "application/json"}
    reviewer = {"Authorization": f"Token {chain['reviewer']}", "Accept": "application/json"}
    status, data = client.send("POST", f"/api/v1/demands/{chain['demand']}/claims/", operator, None)
    if status != 201:
        return f"claim {status} {data[:120].decode(errors='replace')}"
    url = f"/api/v1/claims/{json.loads(data)['id']}"
    as_json = {"Content-Type": "application/json"}
    steps = [
        ("approve", reviewer, None, 200),
        ("activity", operator, chain["activity"], 201),
        ("rating", operator, {"stars": 5, "comment": "准时、专业"}, 201),
        ("rating", reviewer, {"stars": 4, "comment": "配合良好"}, 201),
    ]
    for step, headers, body, wanted in steps:
        payload = None if body is None else json.dumps(body)
        status, data = client.send(
            "POST", f"{url}/{step}/", {**headers, **(as_json if payload else {})}, payload
        )
        if status != wanted:
            return f"{step} {status} {data[:120].decode(errors='replace')}"
    return None


class _Exhausted(Exception):
    pass


def _drive(worker, spec, clients, duration) -> dict:
    """`clients` threads call `worker` for `duration` seconds; runs in the generator process."""
    work = spec.get("items") or spec.get("chains")
    once = spec.get("mode", "once") == "once"
    lock = threading.Lock()
    position = [0]

    def take(index, n):
        if not once:
            return work[(index * 7919 + n) % len(work)]
        with lock:
            if position[0] >= len(work):
                raise _Exhausted
            position[0] += 1
            return work[position[0] - 1]

    latencies, errors, samples, exhausted = [], [0], [], [False]
    gate = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(index):
        conn = _Client(spec["port"])
        gate.wait()
        n = 0
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                error = worker(spec, conn, index, n, take)
            except _Exhausted:
                exhausted[0] = True
                return
            except Exception as exc:  # a dropped connection is an error, not a crash
                error = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - began
            n += 1
            with lock:
                if error is None:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
                    samples.append(error)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    cpu_before = time.process_time()
    began = time.perf_counter()
    deadline[0] = began + duration
    gate.wait()
    for thread in threads:
        thread.join()
    # Over the whole window even when the work ran out early, as wrk counts.
    seconds = max(time.perf_counter() - began, duration)
    cpu_seconds = time.process_time() - cpu_before
    data = sorted(latencies)

    def percentile(p):
        if not data:
            return None
        return round(data[min(len(data) - 1, max(0, round(p / 100 * len(data)) - 1))] * 1000, 2)

    return {
        "ops": len(data),
        "errors": errors[0],
        "seconds": round(seconds, 3),
        "throughput": round(len(data) / seconds, 2) if seconds else 0.0,
        "p50_ms": percentile(50),
        "p95_ms": percentile(95),
        "p99_ms": percentile(99),
        "exhausted": exhausted[0],
        "error_samples": samples[:5],
        "generator": {
            "tool": "python (separate process)",
            "cpu_seconds": round(cpu_seconds, 2),
            "cpu_share": round(cpu_seconds / seconds, 3) if seconds else None,
        },
    }
