"""The bench scripts import, and ``make bench``'s aggregator builds its table from what the
modules return (fake rows here: the benchmarks themselves are scripts, never tests)."""
import importlib

import pytest

from bench import __main__ as aggregator
from bench import load, table


@pytest.mark.parametrize("name", aggregator.MODULES)
def test_every_bench_module_offers_rows_and_main(name):
    module = importlib.import_module(f"bench.{name}")
    assert callable(module.rows) and callable(module.main)


def test_the_aggregator_tables_each_modules_rows_and_reports_a_failure():
    def measure(name):
        if name == "broken":
            raise RuntimeError("no broker")
        return [table.Row(f"{name} figure", "12 ms", "3 ms", "≤ 100 ms", True),
                table.Row("p99 | piped", "150 ms", "", "≤ 100 ms", False)]

    measured = aggregator.run(["journeys", "broken"], measure)
    text = aggregator.report("make bench", measured, "0.10 0.20 0.30", "0.40 0.50 0.60")

    lines = text.splitlines()
    assert lines[0].startswith("`make bench` on ") and "load average" in lines[0]
    assert "CPUs (" in lines[0]
    assert "| module | figure | measured | ceiling | target | met? |" in lines
    assert "| journeys | journeys figure | 12 ms | 3 ms | ≤ 100 ms | yes |" in lines
    assert "| journeys | p99 \\| piped | 150 ms |  | ≤ 100 ms | **no** |" in lines
    assert "| broken | failed | RuntimeError: no broker |  |  |  |" in lines
    assert "when it finished: 0.40 0.50 0.60" in text


def test_wrk_output_is_read_in_milliseconds_with_failures_counted():
    output = """Running 8s test @ http://127.0.0.1:8000/api/v1/products
  2 threads and 20 connections
  Latency Distribution
     50%  850.00us
     75%   12.00ms
     90%   40.00ms
     99%    1.20s
  1200 requests in 8.00s, 2.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    150.25
"""
    assert load.parsed_wrk(output) == load.Load(0.85, 1200.0, 150.25, 1200, 6)


def test_profiles_rank_functions_by_the_samples_they_are_on():
    collapsed = "main (a.py:1);query (b.py:5);decode (c.py:9) 6\nmain (a.py:2);render (d.py:3) 4\n"
    total, inclusive, own = load.heaviest(collapsed, top=3)
    assert total == 10
    assert inclusive == [(100.0, "main (a.py)"), (60.0, "decode (c.py)"),
                         (60.0, "query (b.py)")]
    assert own == [(60.0, "decode (c.py)"), (40.0, "render (d.py)")]
