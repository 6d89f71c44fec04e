"""The library's costs as a notebook meets them: `python bench/library.py [--runs N]`.

Each measurement runs in a fresh interpreter (so imports are cold for the process, warm in the
OS cache) and reports the median of N runs: `import parley.api`, `open_case_base()` (build the
in-memory database: migrations and the 28 bundled cases), then, in that case base, a filter,
a search, an assessment (the first also fits the outlook and evaluates it, once per case
base; then cached), the brief in Markdown and in PDF, the outlook's evaluation (first and
cached) and a QCA over the case base. Prints a table and the load average around it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, time
t = time.perf_counter()
import parley.api as p
out = {"import parley.api": time.perf_counter() - t}
def timed(name, fn):
    t = time.perf_counter(); value = fn(); out[name] = time.perf_counter() - t; return value
cases = timed("open_case_base()", p.open_case_base)
timed("list_cases(where)", lambda: cases.list_cases("initiator has religious-leader"))
timed("search('prison riots')", lambda: cases.search("prison riots"))
scenario = {"group_type": ["gang"], "cohesion": "high"}
brief = timed("assess (first)", lambda: cases.assess(scenario))
timed("assess (again)", lambda: cases.assess(scenario))
timed("render md", lambda: cases.render(brief, "md"))
timed("render pdf (first)", lambda: cases.render(brief, "pdf"))
timed("render pdf (again)", lambda: cases.render(brief, "pdf"))
timed("evaluate() (cached)", cases.evaluate)
timed("qca(MED,GOV,INC)", lambda: cases.qca(["MED", "GOV", "INC"], "LASTING"))
timed("close()", cases.close)
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    samples: dict[str, list[float]] = {}
    for _ in range(args.runs):
        done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                              check=True)
        for name, seconds in json.loads(done.stdout).items():
            samples.setdefault(name, []).append(seconds)
    print(f"{'step':<26} {'median ms':>10} {'min ms':>8} {'max ms':>8}   ({args.runs} runs)")
    for name, values in samples.items():
        print(f"{name:<26} {statistics.median(values) * 1000:>10.0f} {min(values) * 1000:>8.0f} "
              f"{max(values) * 1000:>8.0f}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
