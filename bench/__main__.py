"""Every bench module in turn, their figures in one table (``make bench``).

    python -m bench [--output var/bench.md] [MODULE ...]

Runs the modules of ``MODULES`` (or those named, e.g. ``journeys``), each with the sizes
its ``rows()`` takes by default (``bench.table`` says what a module provides), prints the
table as each module finishes and writes the whole of it, headed by the machine, its load
average and the date, to ``--output``. A module that fails is reported in the table with
its error, and the others still run.
"""
import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from bench import table

MODULES = ("journeys", "national", "imports", "outbox", "public_reads", "statistics")
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "var" / "bench.md"


def run(modules, measure=None):
    """(module, Row) pairs of every module in ``modules``; ``measure(name)`` gives a
    module's rows (by default, importing ``bench.<name>`` and calling its ``rows()``)."""
    measure = measure or (lambda name: importlib.import_module(f"bench.{name}").rows())
    measured = []
    for name in modules:
        started = time.monotonic()
        print(f"bench.{name}… (load average {table.load_average()})", file=sys.stderr,
              flush=True)
        try:
            rows = measure(name)
        except Exception as exc:  # one module's failure leaves the others' figures
            traceback.print_exc()
            rows = [table.Row("failed", f"{type(exc).__name__}: {exc}")]
        measured.extend((name, row) for row in rows)
        print(f"bench.{name}: {time.monotonic() - started:.0f} s", file=sys.stderr,
              flush=True)
        print(table.markdown([(name, row) for row in rows], module_column=True), flush=True)
    return measured


def report(command, measured, started, finished):
    return "\n".join([
        f"{table.heading(command)}", "",
        f"Load average when it started: {started}; when it finished: {finished}.", "",
        table.markdown(measured, module_column=True), ""])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE",
                        help=f"some of {', '.join(MODULES)} (default: all)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args()
    unknown = set(arguments.modules) - set(MODULES)
    if unknown:
        parser.error(f"no bench module {', '.join(sorted(unknown))}: one of {', '.join(MODULES)}")
    started = table.load_average()
    measured = run(arguments.modules or MODULES)
    text = report("make bench", measured, started, table.load_average())
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text, encoding="utf-8")
    print(f"\n{text}\nwritten to {arguments.output}")


if __name__ == "__main__":
    main()
