"""Pacing under a rate limit: embed_stream and `cohere-dyn embed` against a token bucket.

    python bench/bench_pacing.py [--texts 20000] [--dims 1024] [--rate 20] [--burst 5]

The server (tests/embed_server.py, in its own process, a fresh one per candidate) admits `--rate`
requests a second from a token bucket holding `--burst`, answers an accepted request after
100 ms with `--dims` floats per text, and refuses the others at once with a 429 saying when the
next one would pass, in one of two ways:

- `seconds`: `Retry-After` only, in whole seconds (rounded up: "1" for any wait under a second);
- `both`: `retry-after-ms` too.

Each candidate runs in a fresh process and embeds the same texts (96 a request) from a generator:

- the floor: a bare loop, one request after another with `requests` and `json.loads` (100 ms a
  request keeps it under the limit, so its answers are the same as everyone's, never a 429);
- v1 and v2 `embed_stream`, sync, and v2 on the async client;
- `cohere-dyn embed IN.txt -o OUT.jsonl` (the CLI's main, in the process); it also writes every
  vector as a JSON line, so a second bare loop, for reference, writes the same lines too.

Measured: the fraction of the limit achieved (the time `requests / rate` over the time taken, from
the call to the last result), the share of requests the server refused, the peak RSS growth over
the process's size before the run, and the process's CPU time (user + system) per embedded text
against the floor's, measured in the same run against the same server. One-time costs (importing
requests, loading the spec's operation) are paid before the clock starts, by every candidate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sys
import tempfile
import time
import urllib.request
from typing import Any

from _common import Checker, candidate_report, embed_server, rss_kb, texts_of, write_section

LATENCY, BATCH = 0.1, 96
ARGUMENTS = {"model": "embed-english-v3.0", "input_type": "search_document", "embedding_types": ["float"]}
CANDIDATES = {
    "floor": "bare loop: requests + json.loads (floor)",
    "floor_write": "bare loop + writing the same lines as the CLI",
    "v1": "v1 embed_stream",
    "v2": "v2 embed_stream",
    "v2_async": "v2 embed_stream, async client",
    "cli": "cohere-dyn embed",
}


def server_stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/stats") as answer:
        return json.loads(answer.read())


def measure(candidate: str, url: str, texts: int) -> dict[str, Any]:
    """Run one candidate in a fresh process; its JSON report, with the server's counts."""
    result = candidate_report("bench_pacing.py", candidate, url, texts, timeout=900)
    if "seconds" not in result:  # it failed: no counts to add
        return result
    statuses = {int(code): count for code, count in server_stats(url)["statuses"].items()}
    result["requests"] = sum(statuses.values())
    result["refused"] = statuses.get(429, 0)
    return result


# ------------------------------------------------------------------------------ in the child


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bare_loop(url: str, count: int, check: Checker, output: Any = None) -> None:
    import requests

    session = requests.Session()
    headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
    source = texts_of(count)
    index = 0
    while True:
        texts = [text for _, text in zip(range(BATCH), source)]
        if not texts:
            return
        body = json.dumps({**ARGUMENTS, "texts": texts}).encode()
        while True:
            answer = session.post(url + "/v2/embed", data=body, headers=headers)
            if answer.status_code != 429:
                break
            time.sleep(float(answer.headers.get("retry-after-ms", 0)) / 1000 or float(answer.headers["Retry-After"]))
        for vector in json.loads(answer.content)["embeddings"]["float"]:
            check.see(index, vector)
            if output is not None:
                output.write((json.dumps({"index": index, "embedding": vector}, separators=(",", ":")) + "\n").encode())
            index += 1


async def async_stream(url: str, count: int, check: Checker) -> None:
    import cohere_dyn

    async with cohere_dyn.AsyncClientV2(api_key="bench", base_url=url) as client:
        async for result in client.embed_stream(texts=texts_of(count), **ARGUMENTS):
            check.see(result.index, result.embedding)


def run_candidate(candidate: str, url: str, count: int) -> None:
    check = Checker()
    scratch = tempfile.mkdtemp()
    source, target = os.path.join(scratch, "in.txt"), os.path.join(scratch, "out.jsonl")
    import requests  # noqa: F401 - one-time costs are paid before the clock, by every candidate

    if candidate == "cli":
        with open(source, "w") as handle:
            handle.writelines(f"{text}\n" for text in texts_of(count))
        os.environ.update(CO_API_KEY="bench", CO_API_URL=url)
        from cohere_dyn._tools._cli import main as cli
    if not candidate.startswith("floor"):
        import cohere_dyn

        client: Any = cohere_dyn.Client(api_key="bench", base_url=url)
        method = client.embed_stream if candidate == "v1" else client.v2.embed_stream
        list(method(texts=iter(()), **ARGUMENTS))  # loads the spec's operation; sends nothing

    before = rss_kb()
    cpu, started = cpu_seconds(), time.perf_counter()
    error = None
    try:
        if candidate in ("floor", "floor_write"):
            with open(target, "wb") if candidate == "floor_write" else contextlib.nullcontext() as output:
                bare_loop(url, count, check, output)
        elif candidate == "v2_async":
            asyncio.run(async_stream(url, count, check))
        elif candidate == "cli":
            arguments = ["--model", ARGUMENTS["model"], "--input-type", ARGUMENTS["input_type"]]
            code = cli(["embed", source, "-o", target, *arguments])
            if code != 0:
                raise RuntimeError(f"cohere-dyn embed exited with {code}")
            with open(target, "rb") as lines:  # after the clock: checking is not the CLI's work
                cpu, seconds = cpu_seconds() - cpu, time.perf_counter() - started
                for line in lines:
                    entry = json.loads(line)
                    check.see(entry["index"], entry["embedding"])
        else:
            for result in method(texts=texts_of(count), **ARGUMENTS):
                check.see(result.index, result.embedding)
    except Exception as exc:  # a candidate that fails is reported, not fatal
        error = f"{type(exc).__name__} after {time.perf_counter() - started:.1f} s: {' '.join(str(exc).split())[:100]}"
    if candidate != "cli" or error:
        cpu, seconds = cpu_seconds() - cpu, time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ok = check.complete(count)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_growth_mb": (peak - before) / 1024, "ok": ok, "error": error}))


# ------------------------------------------------------------------------------------ report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--dims", type=int, default=1024)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--burst", type=int, default=5)
    parser.add_argument("--only", nargs="*", choices=sorted(CANDIDATES), help="these candidates (the floors always run)")
    parser.add_argument("--hints", nargs="*", choices=("seconds", "both"), default=["seconds", "both"])
    parser.add_argument("--no-report", action="store_true", help="print only (so does a partial run); docs/benchmarks.md is left alone")
    parser.add_argument("--candidate", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.candidate:
        run_candidate(args.candidate, args.url, args.texts)
        return
    requests = -(-args.texts // BATCH)
    ideal = requests / args.rate
    names = [name for name in CANDIDATES if name.startswith("floor") or not args.only or name in args.only]
    lines = [
        "| server's 429 says | candidate | time (s) | fraction of the limit | requests refused | "
        "peak RSS growth (MB) | CPU per text (µs) | CPU / floor | every result once, in order |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    fractions, refusals, ratios = [], [], []
    for hints in args.hints:
        floors: dict[str, float] = {}
        for name in names:
            with embed_server(args.rate, args.burst, args.dims, LATENCY, "--hints", hints) as url:
                result = measure(name, url, args.texts)
            print(hints, name, result, flush=True)
            label = {"seconds": "Retry-After (whole s)", "both": "Retry-After + retry-after-ms"}[hints]
            if "seconds" not in result:
                lines.append(f"| {label} | {CANDIDATES[name]} | | | | | | | {result['error']} |")
                continue
            per_text = result["cpu"] / args.texts * 1e6
            if name.startswith("floor"):
                floors[name] = per_text
            floor = floors.get("floor", per_text)
            fraction = "" if name.startswith("floor") else f"{ideal / result['seconds']:.3f}"
            refused = f"{result['refused'] / max(result['requests'], 1):.1%}"
            if not name.startswith("floor"):
                fractions.append(ideal / result["seconds"])
                refusals.append(result["refused"] / max(result["requests"], 1))
                ratios.append(per_text / floor)
            outcome = "yes" if result["ok"] and not result["error"] else f"no {result['error'] or ''}"
            lines.append(
                f"| {label} | {CANDIDATES[name]} | {result['seconds']:.1f} | {fraction} | {refused} | "
                f"{result['rss_growth_mb']:.0f} | {per_text:.1f} | {per_text / floor:.3f} | {outcome} |"
            )
    lines.append(
        f"\n{args.texts:,} texts ({requests} requests of up to {BATCH}), {args.dims} floats per vector. Server: a token "
        f"bucket of {args.rate:g} requests/s holding {args.burst}, {LATENCY * 1000:.0f} ms per accepted request, "
        f"429s answered at once; a fresh server process per candidate. Fraction of the limit: {ideal:.2f} s "
        f"({requests} / {args.rate:g}) over the time taken. CPU / floor: against the bare loop of the same run "
        f"and server. Each candidate in a fresh process; "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores shared with other work."
    )
    if fractions:
        lines.append(
            f"\nGoals: at least 0.95 of the limit (lowest here {min(fractions):.3f}), at most 10% of requests refused "
            f"(most here {max(refusals):.1%}), CPU per text at most 1.15x the floor (most here {max(ratios):.3f}x)."
        )
    report = "\n".join(lines)
    print(report)
    whole = not args.only and sorted(args.hints) == ["both", "seconds"] and (args.rate, args.burst) == (20.0, 5)
    if whole and not args.no_report:
        command = "python bench/bench_pacing.py" + "".join(
            f" --{name} {value}" for name, value, default in (("texts", args.texts, 20_000), ("dims", args.dims, 1024)) if value != default
        )
        title = f"Pacing under a rate limit ({args.texts:,} texts, {args.dims} floats)"
        write_section(title, f"`{command}`\n\n{report}")


if __name__ == "__main__":
    main()
