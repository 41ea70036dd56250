"""A smoke run of the benchmark: tiny data, every scenario over HTTP against gunicorn, a report.

`make bench` is the real run (minutes, province-sized); this proves on every test run that it
still works end to end: seed, serve, load, baseline, report and the consistency check.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SCENARIOS = {
    "list_page1",
    "list_deep_page",
    "list_deep_cursor",
    "demand_detail",
    "review_queue",
    "baseline_update",
    "claim_request",
    "claim_approve",
    "lifecycle",
}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the benchmark chooses its own (bench.settings)
    run = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (result,) = out.glob("smoke-*.json")
    return json.loads(result.read_text()), out, run.stdout


def test_every_scenario_ran_without_an_error(smoke):
    results, _, _ = smoke
    assert set(results["scenarios"]) == SCENARIOS
    for name, row in results["scenarios"].items():
        assert row["ops"] > 0 and row["errors"] == 0, (name, row)
        assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"], (name, row)
    assert results["scenarios"]["lifecycle"]["unit"] == "proc/s"


def test_the_load_left_the_workflow_consistent(smoke):
    results, _, _ = smoke
    assert results["consistency"]["violations"] == 0


def test_the_report_has_the_table_the_ratios_and_the_goals(smoke):
    results, out, stdout = smoke
    (table,) = out.glob("smoke-*.md")
    text = table.read_text()
    assert "| claim approve |" in text and "× baseline" in text and "| goal |" in text
    assert [g["goal"] for g in results["goals"]][:2] == [
        "claim approve ≥ 0.5 × plain update",
        "whole lifecycle ≥ 25 processes/s",
    ]
    assert text in stdout  # printed as well as written
    if results["database"] == "postgresql":
        assert results["pgbench"]["tps"] > 0
