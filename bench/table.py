"""The figures of every bench module, each beside its ceiling and its target, as one
markdown table.

A bench module (``bench/<name>.py``) measures with its own stack and exposes:

- ``rows(**options) -> list[Row]``: runs its measurement and returns its figures. Called
  without arguments it runs at the size ``make bench`` uses (a few minutes for all the
  modules together); its keyword arguments are its command line's options.
- ``main()``: parses its command line (``python -m bench.<name> --help``), calls ``rows``
  with it and prints ``markdown(rows)``.

``python -m bench`` (``make bench``) runs the modules of ``bench.__main__.MODULES`` in turn
and writes their rows in one table, headed by the machine, its load and the date.
"""
import os
import platform
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One measured figure. ``ceiling``: what the same script measured for the fastest
    thing the figure could reach on the same machine in the same run (empty when there is
    none); ``target``: the issue's goal in words; ``met``: whether the figure reaches it
    (None when there is no target)."""
    figure: str
    measured: str
    ceiling: str = ""
    target: str = ""
    met: bool | None = None


HEADINGS = ("figure", "measured", "ceiling", "target", "met?")
MET = {True: "yes", False: "**no**", None: ""}


def markdown(rows, module_column=False):
    """The rows as a markdown table; ``module_column``: rows are (module, Row) pairs."""
    headings = (("module",) if module_column else ()) + HEADINGS
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    for entry in rows:
        module, row = entry if module_column else (None, entry)
        cells = ((module,) if module_column else ()) + (
            row.figure, row.measured, row.ceiling, row.target, MET[row.met])
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def load_average():
    """The 1, 5 and 15 minutes' load averages, as text: other work on the machine skews
    every figure, so each run says how busy the machine was."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine():
    """The machine, for the heading of a run's figures."""
    return f"{os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}"


def heading(command):
    return (f"`{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
            f"{machine()}; load average {load_average()} (1, 5, 15 min)")
