"""The platform lines Lambda writes to a function's log, character for character."""

from __future__ import annotations

import re

from tidal.awslambda import platform_logs

REQUEST = "8f507cfc-example-4697-b07a-ac58fc914c95"


def test_start_and_end_lines():
    assert (
        platform_logs.start(REQUEST, "$LATEST") == f"START RequestId: {REQUEST} Version: $LATEST\n"
    )
    assert platform_logs.end(REQUEST) == f"END RequestId: {REQUEST}\n"


def test_report_of_a_cold_start_has_init_duration_and_a_trailing_tab():
    line = platform_logs.report(REQUEST, 3.0061, 128, 36, 110.1)
    assert line == (
        f"REPORT RequestId: {REQUEST}\tDuration: 3.01 ms\tBilled Duration: 4 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 36 MB\tInit Duration: 110.10 ms\t\n"
    )


def test_report_of_a_warm_invoke_ends_after_max_memory_used():
    line = platform_logs.report(REQUEST, 1.5, 256, 40)
    assert line.endswith("Max Memory Used: 40 MB\t\n")
    assert "Init Duration" not in line


def test_billed_duration_rounds_up_to_a_whole_millisecond():
    assert platform_logs.billed_ms(0.2) == 1
    assert platform_logs.billed_ms(3.0) == 3
    assert platform_logs.billed_ms(3.0001) == 4
    assert platform_logs.billed_ms(999.99) == 1000


def test_timeout_line_and_message():
    line = platform_logs.timed_out(REQUEST, 3, 1_700_000_000.5)
    assert line == f"2023-11-14T22:13:20.500Z {REQUEST} Task timed out after 3.00 seconds\n"
    assert platform_logs.timeout_message(REQUEST, 1) == (
        f"RequestId: {REQUEST} Error: Task timed out after 1.00 seconds"
    )


def test_log_stream_name_per_environment():
    name = platform_logs.log_stream_name("$LATEST", 1_559_934_680.0)
    assert re.fullmatch(r"2019/06/07/\[\$LATEST\][0-9a-f]{32}", name)
    assert platform_logs.log_stream_name("3", 1_559_934_680.0).startswith("2019/06/07/[3]")
    assert name != platform_logs.log_stream_name("$LATEST", 1_559_934_680.0)


def test_init_start_names_the_runtime_version():
    line = platform_logs.init_start("python3.12", "eu-west-1")
    assert re.fullmatch(
        r"INIT_START Runtime Version: python:3\.12\.v\d+\t"
        r"Runtime Version ARN: arn:aws:lambda:eu-west-1::runtime:[0-9a-f]{64}\n",
        line,
    )
    assert platform_logs.runtime_version("nodejs20.x").startswith("nodejs:20.v")
    assert platform_logs.runtime_version("provided.al2023").startswith("provided:al2023.v")
