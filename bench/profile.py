"""CPU per claim approve and per whole claim lifecycle in one process, and the SQL statements
of each transition's API request, on the seeded bench database.

The requests go through Django's test client: the whole view stack (middleware, token
authentication, permissions, the service with its Viewflow step, the answer's serialisation)
in this process, without HTTP or a server; `time.process_time()` around each request is its
CPU, `CaptureQueriesContext` its statements. `make bench` runs it after the HTTP load
(`bench.run`); `python -m bench.profile --profile` runs it again on a database kept by
`python -m bench.run --keep` and prints the top of a cProfile profile.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time


def measure(approves, chains, *, show_profile=False, out=print) -> dict:
    """`approves`: [(claim id, reviewer token)]; `chains`: the lifecycle work items of
    bench.load (demand, operator and reviewer tokens, the activity). The first of each is a
    warm-up and not counted."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="localhost")
    profiler = cProfile.Profile() if show_profile else None
    statements: dict[str, int] = {}

    def post(name, path, token, body=None, *, wanted, counted=True):
        kwargs = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_ACCEPT": "application/json"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        if profiler and counted:
            profiler.enable()
        began = time.process_time()
        with CaptureQueriesContext(connection) as queries:
            response = client.post(path, **kwargs)
        cpu = time.process_time() - began
        if profiler and counted:
            profiler.disable()
        if response.status_code != wanted:
            raise RuntimeError(f"{name}: {response.status_code} {response.content[:200]!r}")
        statements.setdefault(name, len(queries))
        return response, cpu

    approve_cpu = []
    for n, (claim_id, token) in enumerate(approves):
        _, cpu = post(
            "approve", f"/api/v1/claims/{claim_id}/approve/", token, wanted=200, counted=n > 0
        )
        if n:
            approve_cpu.append(cpu)
    lifecycle_cpu = []
    for n, chain in enumerate(chains):
        total = 0.0
        response, cpu = post(
            "request", f"/api/v1/demands/{chain['demand']}/claims/", chain["operator"],
            wanted=201, counted=n > 0,
        )  # fmt: skip
        total += cpu
        url = f"/api/v1/claims/{response.json()['id']}"
        for name, token, body, wanted in (
            ("approve (in the lifecycle)", chain["reviewer"], None, 200),
            ("activity", chain["operator"], chain["activity"], 201),
            ("rating, first", chain["operator"], {"stars": 5, "comment": "准时、专业"}, 201),
            ("rating, second", chain["reviewer"], {"stars": 4, "comment": "配合良好"}, 201),
        ):
            step = name.split(" ")[0].rstrip(",")
            _, cpu = post(name, f"{url}/{step}/", token, body, wanted=wanted, counted=n > 0)
            total += cpu
        if n:
            lifecycle_cpu.append(total)

    def ms(values):
        return round(statistics.mean(values) * 1000, 1) if values else None

    result = {
        "approve_cpu_ms": ms(approve_cpu),
        "approves": len(approve_cpu),
        "lifecycle_cpu_ms": ms(lifecycle_cpu),
        "lifecycles": len(lifecycle_cpu),
        "statements": statements,
    }
    out(f"  one process: {result}")
    if profiler:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
        result["profile"] = text.getvalue()
        out(result["profile"])
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    parser.add_argument("--approves", type=int, default=20)
    parser.add_argument("--lifecycles", type=int, default=10)
    args = parser.parse_args(argv)

    from bench import run

    vendor, url = run.bench_database(smoke=False, reuse=True)
    path = run.manifest_path(url)
    if not path.exists():
        sys.exit(
            f"bench.profile: no kept bench database ({path}); run `python -m bench.run --keep`"
        )
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-profile-only")
    import django

    django.setup()
    manifest = run.refresh(json.loads(path.read_text())["manifest"])
    run.add_zones(manifest)
    approves, chains = run.profile_work(manifest, args.approves + 1, args.lifecycles + 1)
    measure(approves, chains, show_profile=args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
