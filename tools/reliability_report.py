"""Run the reliability tests and write docs/RELIABILITY.md from what they observed.

    python tools/reliability_report.py                 # the CI-sized run (a minute or so)
    python tools/reliability_report.py --examples 500  # fuzz 500 payloads per operation

Every figure in the report comes from this run: the tests append what they saw (fault, outcome,
exception, requests the server received, leaks found...) to a JSON-lines file named by
COHERE_DYN_RELIABILITY_LOG (see tests/reliability.py), and pytest's JUnit XML says whether each
test passed. Nothing is typed in by hand. Exit status: pytest's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TESTS = [
    "tests/integration/test_faults.py",
    "tests/integration/test_threads.py",
    "tests/integration/test_secrets.py",
    "tests/integration/test_fuzz.py",
    "tests/unit/test_hostile_specs.py",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=None, help="fuzzed payloads per operation (default: the tests')")
    parser.add_argument("--output", default=str(ROOT / "docs" / "RELIABILITY.md"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        log, junit = Path(scratch, "records.jsonl"), Path(scratch, "junit.xml")
        env = {**os.environ, "COHERE_DYN_RELIABILITY_LOG": str(log)}
        if args.examples:
            env["COHERE_DYN_FUZZ_EXAMPLES"] = str(args.examples)
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *TESTS]
        started = time.perf_counter()
        run = subprocess.run(command, cwd=ROOT, env=env)
        seconds = time.perf_counter() - started
        records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        results = _results(junit)
    report = render(records, results, seconds, args.examples or int(os.environ.get("COHERE_DYN_FUZZ_EXAMPLES", "25")))
    Path(args.output).write_text(report)
    print(f"wrote {args.output}: {len(records)} records from {len(results)} tests")
    return run.returncode


def _results(junit: Path) -> dict[str, str]:
    """{test id as in PYTEST_CURRENT_TEST: passed | failed | skipped}."""
    results: dict[str, str] = {}
    if not junit.exists():
        return results
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "").replace(".", "/") + ".py"
        outcome = "passed"
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "failed"
        elif case.find("skipped") is not None:
            outcome = "skipped"
        results[f"{module}::{case.get('name')}"] = outcome
    return results


def _mark(record: dict[str, Any], results: dict[str, str]) -> str:
    return {"passed": "✓", "failed": "✗ failed", "skipped": "skipped"}.get(results.get(record["test"], ""), "?")


def render(records: list[dict[str, Any]], results: dict[str, str], seconds: float, examples: int) -> str:
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in records:
        by_kind[item["kind"]].append(item)
    counts = defaultdict(int)
    for outcome in results.values():
        counts[outcome] += 1
    out = [
        "# Reliability report",
        "",
        "Written by `python tools/reliability_report.py` from one run of the reliability tests; every",
        "figure below was recorded by a test as it ran (see `tests/reliability.py`). Re-run to refresh.",
        "",
        (
            f"- Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
        ),
        (
            f"- Tests: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped, "
            f"in {seconds:.1f} s (`{' '.join(TESTS)}`)"
        ),
        "",
    ]
    out += _faults(by_kind["fault"], results)
    out += _threads(by_kind["threads"], results)
    out += _fuzz(by_kind["fuzz"], by_kind["large_input"], examples, results)
    out += _specs(by_kind["hostile_spec"], by_kind["spec_mutations"], results)
    out += _leaks(by_kind["leaks"], results)
    return "\n".join(out) + "\n"


def _faults(items: list[dict[str, Any]], results: dict[str, str]) -> list[str]:
    survived = sum(1 for item in items if item["outcome"] == "success")
    out = [
        "## Faults injected",
        "",
        "A loopback server (`tests/faults.py`) misbehaves on cue; the client runs with its default",
        "policy (2 retries, so at most 3 attempts), its delays recorded rather than slept except where noted.",
        f"{len(items)} faults injected; {survived} survived by retrying, the others raised the documented error.",
        "",
        "Every fault is injected on both transports: the sync client's (requests) and the async one's (aiohttp).",
        "",
        "| fault | transport | outcome | exception | requests the server saw | test |",
        "|---|---|---|---|---|---|",
    ]
    for item in items:
        seen = "-" if item.get("requests") is None else str(item["requests"])
        if item.get("attempts"):
            seen = f"no connection made ({item['attempts']} attempts)"
        out.append(
            f"| {item['fault']} | {item.get('transport', '-')} | {item['outcome']} | {item['exception'] or '-'} | {seen} "
            f"| {_mark(item, results)} |"
        )
    return out + [""]


def _threads(items: list[dict[str, Any]], results: dict[str, str]) -> list[str]:
    out = ["## Threads", "", "| threads | calls | requests seen | errors | crossed answers | seconds | test |", "|---|---|---|---|---|---|---|"]
    for item in items:
        out.append(
            f"| {item['threads']} | {item['calls']:,} | {item['requests']:,} | {item['errors']} | {item['crossed']} "
            f"| {item['seconds']} | {_mark(item, results)} |"
        )
    return out + [""]


def _fuzz(items: list[dict[str, Any]], large: list[dict[str, Any]], examples: int, results: dict[str, str]) -> list[str]:
    total = {key: sum(item.get(key, 0) for item in items) for key in ("examples", "mutated", "sent", "refused")}
    failed = [item["operation"] for item in items if "failed" in (results.get(test) for test in _fuzz_tests(item))]
    out = [
        "## Inputs fuzzed",
        "",
        "Hypothesis generated payloads for every operation from its schema, and mutations of them (a value",
        "replaced by NaN, a lone surrogate, bytes, a set, 10 KB of text..., a required argument dropped, an",
        f"unknown one added); up to {examples} per operation and client (sync and async). Each call either sent one request whose body",
        "validates against the spec, or raised ValidationError/TypeError having sent nothing.",
        "",
        (
            f"- Operations: {len(items)}; payloads: {total['examples']:,} ({total['mutated']:,} of them mutated); "
            f"sent and valid: {total['sent']:,}; refused before sending: {total['refused']:,}; "
            f"any other outcome: {'none' if not failed else ', '.join(failed)}"
        ),
        "",
        "| operation | payloads | sent (valid) | refused |",
        "|---|---|---|---|",
    ]
    out += [f"| {i['operation']} | {i['examples']} | {i['sent']} | {i['refused']} |" for i in items]
    out += ["", "Large inputs (time for the whole call: validate, encode, send):", "", "| input | seconds | test |", "|---|---|---|"]
    out += [f"| {i['case']} | {i['seconds']} | {_mark(i, results)} |" for i in large]
    return out + [""]


def _fuzz_tests(item: dict[str, Any]) -> list[str]:
    """The fuzz test of an operation, through each client (sync and async)."""
    name = "tests/integration/test_fuzz.py::test_every_call_sends_a_valid_request_or_raises_before_sending"
    return [f"{name}[{item['operation']}-{kind}]" for kind in ("requests", "aiohttp")]


def _specs(items: list[dict[str, Any]], mutations: list[dict[str, Any]], results: dict[str, str]) -> list[str]:
    out = [
        "## Hostile and broken spec files",
        "",
        "| spec | outcome | detail | test |",
        "|---|---|---|---|",
    ]
    for item in items:
        detail = item.get("message", "")
        if "requests" in item:
            detail = f"requests to the referenced URL: {item['requests']}"
        detail = detail.split(": ", 1)[-1] if detail.startswith("/") else detail
        out.append(f"| {item['test_case']} | {item['outcome']} | {detail.replace('|', '/')} | {_mark(item, results)} |")
    for item in mutations:
        documents = item["loaded"] + item["SpecError"]
        out += [
            "",
            (
                f"Random mutations of a spec: {documents} documents, {item['loaded']} loaded and validated, "
                f"{item['SpecError']} refused with a SpecError naming the file; no other exception."
            ),
        ]
    return out + [""]


def _leaks(items: list[dict[str, Any]], results: dict[str, str]) -> list[str]:
    total = sum(item["leaks"] for item in items)
    out = [
        "## Secrets",
        "",
        f"Leaks of the API key or AWS credentials found: **{total}**. Each surface was searched for the",
        "secret, including errors from a server that echoes it back in its body, headers, stream or",
        "malformed answer, in each spelling the server used (plain, JSON-escaped, percent-encoded,",
        "HTML references, base64), sync (requests) and async (aiohttp).",
        "",
        "| surface | texts searched | leaks | test |",
        "|---|---|---|---|",
    ]
    out += [f"| {i['surface']} | {i['checked']} | {i['leaks']} | {_mark(i, results)} |" for i in items]
    return out + [""]


if __name__ == "__main__":
    sys.exit(main())
