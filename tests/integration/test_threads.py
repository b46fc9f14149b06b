"""One Client shared by many threads: every call gets its own answer, none fails."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import cohere_dyn
from tests import faults
from tests.conftest import TINY_SPEC
from tests.reliability import record

THREADS = 16
CALLS = 2000


def test_one_client_shared_by_16_threads_for_2000_calls_never_crosses_answers() -> None:
    # max_retries=0: a call that needed a retry counts as an error here.
    with faults.FaultServer(after=faults.echo) as server:
        client = cohere_dyn.Client("thread-test-key-0123456789", base_url=server.url, spec=TINY_SPEC, max_retries=0)
        start = threading.Barrier(THREADS)

        def worker(thread: int) -> list[str]:
            start.wait()
            problems = []
            for call in range(CALLS // THREADS):
                sent = f"thread {thread} call {call}"
                try:
                    received = client.echo_test(message=sent).message
                except Exception as exc:  # every failure is a finding
                    problems.append(f"{sent}: {type(exc).__name__}: {exc}")
                    continue
                if received != sent:
                    problems.append(f"{sent}: got the answer to {received!r}")
            return problems

        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            problems = [problem for found in pool.map(worker, range(THREADS)) for problem in found]
        seconds = time.perf_counter() - started
        client.close()
    errors = [p for p in problems if "got the answer" not in p]
    crossed = [p for p in problems if "got the answer" in p]
    record(
        "threads",
        threads=THREADS,
        calls=CALLS,
        requests=len(server.requests),
        errors=len(errors),
        crossed=len(crossed),
        seconds=round(seconds, 2),
    )
    assert problems == []
    assert len(server.requests) == CALLS
