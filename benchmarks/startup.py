"""Time from `tidal serve` to its first answer, over several starts; prints the median.

python benchmarks/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ENDPOINT = re.compile(rb"serving on (http://[\d.]+:\d+)")


def one_start(data_dir: str) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "tidal.cli", "serve", "--port", "0", "--data-dir", data_dir],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for line in process.stdout:
            match = ENDPOINT.search(line)
            if match:
                with urllib.request.urlopen(f"{match.group(1).decode()}/_tidal/health") as reply:
                    reply.read()
                return time.perf_counter() - started
        raise RuntimeError("tidal serve ended without serving")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as data_dir:
        times = [one_start(data_dir) for _ in range(runs)]
    print(
        f"tidal serve → first answer: median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {runs} starts"
    )


if __name__ == "__main__":
    main()
