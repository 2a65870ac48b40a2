"""Lambda Invoke latency through boto3 against a `tidal serve` this script starts.

Warm: an empty Python and an empty Node.js handler invoked again and again (RequestResponse);
p50/p99 per invoke and invokes per second, sequential and from several threads.
Cold: a fresh environment for every invoke (the function's configuration changes between
invokes, which retires the warm environment as on AWS); p50 of the Invoke call and of the
Init Duration that REPORT shows.

python benchmarks/lambda_invoke.py [--warm 2000] [--cold 20] [--threads 4]
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import io
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

import boto3
from botocore.config import Config

ENDPOINT = re.compile(rb"serving on (http://[\d.]+:\d+)")
INIT = re.compile(r"Init Duration: ([\d.]+) ms")
HANDLERS = {
    "python3.12": ("app.py", "def handler(event, context):\n    return None\n"),
    "nodejs20.x": ("app.js", "exports.handler = async () => null;\n"),
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def serve(data_dir: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tidal.cli", "serve", "--port", "0", "--data-dir", data_dir],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    for line in process.stdout:
        match = ENDPOINT.search(line)
        if match:
            return process, match.group(1).decode()
    raise RuntimeError("tidal serve ended without serving")


def client(service: str, endpoint: str):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=32),
    )


def zipped(name: str, code: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, code)
    return buffer.getvalue()


def create(lam, role: str, runtime: str, name: str) -> None:
    filename, code = HANDLERS[runtime]
    lam.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": zipped(filename, code)},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name)


def timed_invoke(lam, name: str, tail: bool = False) -> tuple[float, dict]:
    started = time.perf_counter()
    response = lam.invoke(FunctionName=name, LogType="Tail" if tail else "None")
    response["Payload"].read()
    elapsed = (time.perf_counter() - started) * 1000
    if "FunctionError" in response:
        raise RuntimeError(f"{name} failed: {response}")
    return elapsed, response


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def warm(lam, name: str, count: int, threads: int) -> None:
    timed_invoke(lam, name)
    started = time.perf_counter()
    times = [timed_invoke(lam, name)[0] for _ in range(count)]
    rate = count / (time.perf_counter() - started)
    print(
        f"  warm, 1 thread:   p50 {percentile(times, 0.5):.2f} ms  "
        f"p99 {percentile(times, 0.99):.2f} ms  {rate:.0f} invokes/s"
    )
    clients = [lam] + [client("lambda", lam.meta.endpoint_url) for _ in range(threads - 1)]
    per_thread = count // threads

    def loop(own) -> list[float]:
        return [timed_invoke(own, name)[0] for _ in range(per_thread)]

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(loop, clients))
    rate = per_thread * threads / (time.perf_counter() - started)
    times = [value for result in results for value in result]
    print(
        f"  warm, {threads} threads:  p50 {percentile(times, 0.5):.2f} ms  "
        f"p99 {percentile(times, 0.99):.2f} ms  {rate:.0f} invokes/s"
    )


def cold(lam, name: str, count: int) -> None:
    calls, inits = [], []
    for round_ in range(count):
        lam.update_function_configuration(
            FunctionName=name, Environment={"Variables": {"ROUND": str(round_)}}
        )
        lam.get_waiter("function_updated_v2").wait(FunctionName=name)
        elapsed, response = timed_invoke(lam, name, tail=True)
        tail = base64.b64decode(response["LogResult"]).decode()
        match = INIT.search(tail)
        if match is None:
            raise RuntimeError(f"invoke {round_} of {name} was not a cold start:\n{tail}")
        calls.append(elapsed)
        inits.append(float(match.group(1)))
    print(
        f"  cold:             p50 {statistics.median(calls):.1f} ms per Invoke "
        f"(Init Duration p50 {statistics.median(inits):.1f} ms) over {count}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warm", type=int, default=2000, help="warm invokes per runtime")
    parser.add_argument("--cold", type=int, default=20, help="cold starts per runtime")
    parser.add_argument("--threads", type=int, default=4)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        process, endpoint = serve(data_dir)
        try:
            lam = client("lambda", endpoint)
            role = client("iam", endpoint).create_role(
                RoleName="bench", AssumeRolePolicyDocument=json.dumps(TRUST)
            )["Role"]["Arn"]
            for runtime in HANDLERS:
                name = "bench-" + runtime.replace(".", "-")
                create(lam, role, runtime, name)
                print(f"{runtime} (empty handler), RequestResponse through boto3:")
                warm(lam, name, options.warm, options.threads)
                cold(lam, name, options.cold)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait()


if __name__ == "__main__":
    main()
