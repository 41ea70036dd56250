"""A smoke run of the benchmark: tiny data, every scenario over HTTP against gunicorn, a report.

`make bench` is the real run (minutes, province-sized); this proves on every test run that it
still works end to end: seed, serve, load (with wrk where it is installed, and with the Python
generator that replaces it where it is not), baseline, the one-process measurement, the report
and the consistency check.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import private_names

ROOT = Path(__file__).resolve().parent.parent.parent
SCENARIOS = {
    "list_anonymous",
    "list_volunteer",
    "list_deep_cursor",
    "demand_detail",
    "review_queue",
    "baseline_update",
    "claim_request",
    "claim_approve",
    "lifecycle",
}
GENERATORS = ["wrk", "python"] if shutil.which("wrk") else ["python"]


@pytest.fixture(scope="module", params=GENERATORS)
def smoke(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the benchmark chooses its own (bench.settings)
    command = [sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)]
    command += ["--generator", request.param]
    if request.param == "python":
        command += ["--no-consistency"]  # the wrk run checks it; this one checks the fallback
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (result,) = out.glob("smoke-*.json")
    return request.param, json.loads(result.read_text()), out, run.stdout


def test_every_scenario_ran_without_an_error(smoke):
    generator, results, _, _ = smoke
    assert SCENARIOS <= set(results["scenarios"])
    for name, row in results["scenarios"].items():
        assert row["ops"] > 0 and row["errors"] == 0, (name, row)
        assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"], (name, row)
        tool = "python" if name == "lifecycle" else generator
        assert row["generator"]["tool"].startswith(tool), (name, row["generator"])
        assert row["generator"]["cpu_seconds"] >= 0
    assert results["scenarios"]["lifecycle"]["unit"] == "proc/s"


def test_the_load_left_the_workflow_consistent(smoke):
    _, results, _, _ = smoke
    if "consistency" in results:
        assert results["consistency"]["violations"] == 0


def test_the_report_has_the_table_the_goals_and_the_one_process_figures(smoke):
    _, results, out, stdout = smoke
    (table,) = out.glob("smoke-*.md")
    text = table.read_text()
    assert "| claim approve" in text and "× baseline" in text and "| goal |" in text
    assert "% of a CPU" in text
    goals = [g["goal"] for g in results["goals"]]
    assert goals[:2] == [
        "claim approve throughput ≥ 0.5 × the plain DRF update of the same row",
        "whole lifecycle (request → approve → activity → two ratings)",
    ]
    assert len(goals) == 7 and {g["met"] for g in results["goals"]} <= {"yes", "NO", "report"}
    one = results["one_process"]
    assert one["approve_cpu_ms"] > 0 and one["lifecycle_cpu_ms"] > one["approve_cpu_ms"]
    assert {"approve", "request", "activity", "rating, first", "rating, second"} <= set(
        one["statements"]
    )
    assert results["private_names"]["count"] == len(private_names.scan())
    assert text in stdout  # printed as well as written
    if results["database"] == "postgresql":
        assert results["pgbench"]["tps"] > 0


def test_the_private_name_count_sees_what_it_should(tmp_path):
    # Built from pieces, so that this file does not count itself.
    cv, vf, private = "context" + "vars", "view" + "flow", "._" + "deferred"
    (tmp_path / "flows.py").write_text(
        f"import {cv}\n"
        f"from {vf}.workflow.nodes import _private, public\n"
        f"from {vf}.workflow import activation as act\n"
        "def f(activation, task):\n"
        f"    activation{private} = True\n"
        "    task._meta.fields\n"
        "    task.__class__\n"
        f'    """{cv} in a docstring"""\n'
    )
    (tmp_path / "other.py").write_text("class A:\n    def f(self):\n        self._x = 1\n")
    hits = private_names.scan(tmp_path)
    assert [h.split(":")[1] for h in hits] == ["1", "2", "5"], hits
