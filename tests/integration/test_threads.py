"""One Client shared by many threads: every call gets its own answer, none fails."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

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


def test_the_sync_client_keeps_at_most_max_connections_for_reuse() -> None:
    def slow(connection: faults.Connection, request: Any) -> bool:
        connection.wait(0.1)
        return faults.echo(connection, request)

    def two_waves(max_connections: int) -> int:
        with faults.FaultServer(after=slow) as server:
            client = cohere_dyn.Client(
                "k" * 10, base_url=server.url, spec=TINY_SPEC, max_retries=0, max_connections=max_connections
            )
            with ThreadPoolExecutor(6) as pool:
                for wave in range(2):
                    start = threading.Barrier(6)

                    def call(index: int) -> str:
                        start.wait()
                        return client.echo_test(message=f"{wave}-{index}").message

                    assert list(pool.map(call, range(6))) == [f"{wave}-{index}" for index in range(6)]
            client.close()
            return server.connections

    # Six calls at once open six connections; the pool keeps two of them for the second wave.
    assert two_waves(max_connections=2) == 6 + 4
    assert two_waves(max_connections=100) == 6
