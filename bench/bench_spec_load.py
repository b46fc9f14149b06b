"""Spec loading: cold (no cache: read, parse, normalize) and warm (from the cache), for the
packaged spec and for Cohere's published 1.1 MB file, each in a fresh interpreter.

    python bench/bench_spec_load.py [--runs 7]

Goals: the published file cold well under a second; warm, as fast as the packaged spec. Each figure
is the median time of `Spec.load(path)` inside the process (the interpreter's own start-up and
`import cohere_dyn` are left out, and measured by bench_coldstart.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import HERE, write_section

ROOT = HERE.parent
PACKAGED = ROOT / "spec" / "cohere.yaml"
PUBLISHED = ROOT.parent / "shared" / "reference" / "cohere-openapi-2025-04-15.yaml"
CODE = (
    "import sys, time, warnings; warnings.simplefilter('ignore'); import cohere_dyn\n"
    "start = time.perf_counter(); cohere_dyn.Spec.load(sys.argv[1]); print(time.perf_counter() - start)"
)


def load_time(spec: Path, cache: str) -> float:
    env = {**os.environ, "COHERE_DYN_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", CODE, str(spec)], env=env, capture_output=True, text=True, check=True)
    return float(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    specs = {"packaged spec/cohere.yaml": PACKAGED}
    if PUBLISHED.is_file():
        specs["published (1.1 MB)"] = PUBLISHED
    rows = {}
    with tempfile.TemporaryDirectory() as cache:
        for name, path in specs.items():
            cold = statistics.median(load_time(path, "") for _ in range(args.runs))  # "": no cache at all
            load_time(path, cache)  # fill the cache
            warm = statistics.median(load_time(path, cache) for _ in range(args.runs))
            rows[name] = (path.stat().st_size, cold, warm)
    lines = ["| spec | size (KB) | cold load (ms) | warm load (ms) | cold / warm |", "|---|---|---|---|---|"]
    for name, (size, cold, warm) in rows.items():
        lines.append(f"| {name} | {size / 1024:.0f} | {cold * 1000:.1f} | {warm * 1000:.2f} | {cold / warm:.0f}x |")
    if len(rows) == 2:
        (_, _, packaged_warm), (_, published_cold, published_warm) = rows.values()
        lines.append(
            f"\nPublished file: cold {published_cold * 1000:.0f} ms (goal: well under 1000 ms); warm "
            f"{published_warm / packaged_warm:.2f}x the packaged spec's warm load (goal: about 1x)."
        )
    lines.append(f"\nMedians of {args.runs} fresh interpreters each, {sys.version.split()[0]}; `Spec.load` only.")
    report = "\n".join(lines)
    print(report)
    write_section("Spec loading", "`python bench/bench_spec_load.py`\n\n" + report)


if __name__ == "__main__":
    main()
