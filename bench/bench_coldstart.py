"""Cold start: a fresh interpreter that imports the client and makes one, against the official SDK.

    python bench/bench_coldstart.py [--runs 15]

The official SDK (`pip install cohere==7.3.1`, or any version) is measured in the same run when
it is installed. Goal: cohere_dyn at most 1/10 of the official SDK. The spec cache is warmed
first (a first-ever import parses the YAML once, then every process reads the cache), and so is
Python's bytecode cache: PYTHONDONTWRITEBYTECODE is removed from the children's environment, as
a pip-installed package has its .pyc files (an editable checkout would otherwise be compiled
from source in every process).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from importlib import metadata

from _common import official_sdk_available, write_section

OURS = "import cohere_dyn; cohere_dyn.ClientV2(api_key='x')"
OFFICIAL = "import cohere; cohere.ClientV2(api_key='x')"
BARE = "pass"


ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=ENVIRONMENT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    run(OURS)  # warm the spec cache and the OS file cache
    candidates = {"python -c pass": BARE, "cohere_dyn": OURS}
    official = f"cohere {metadata.version('cohere')}" if official_sdk_available() else None
    if official:
        run(OFFICIAL)
        candidates[official] = OFFICIAL
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(args.runs):  # interleaved, so that machine noise hits every candidate alike
        for name, code in candidates.items():
            samples[name].append(run(code))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    lines = ["| command | median (ms) |", "|---|---|"]
    lines += [f"| `{candidates[name]}` | {value * 1000:.1f} |" for name, value in medians.items()]
    if official:
        ratio = medians["cohere_dyn"] / medians[official]
        lines.append(f"\nRatio cohere_dyn / official SDK: **{ratio:.3f}** (goal: at most 0.100), {args.runs} interleaved runs, {sys.version.split()[0]}.")
    else:
        lines.append("\nThe official SDK is not installed here: `pip install cohere` to measure the ratio.")
    report = "\n".join(lines)
    print(report)
    write_section("Cold start", "`python bench/bench_coldstart.py`\n\n" + report)


if __name__ == "__main__":
    main()
