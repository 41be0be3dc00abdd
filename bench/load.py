"""What several bench modules measure with: ``wrk``'s load on an address, each process's
resident memory, and py-spy's profile of a process."""
import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

from scripts import devstack

# wrk ---------------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


class Load(NamedTuple):
    p50_ms: float
    p99_ms: float
    per_second: float
    answered: int  # requests completed
    failed: int  # non-2xx answers, errors and timeouts


def ensure_wrk():
    """``wrk``'s path, installed from Debian when running as root; None when it cannot be
    had here."""
    if shutil.which("wrk") is None:
        devstack.apt_install("wrk")
    return shutil.which("wrk")


def wrk(url, connections, duration, token=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
               "--latency", url]  # wrk's own 2 s timeout would cut the slowest answers off
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parsed_wrk(output)


def parsed_wrk(output):
    def latency(percent):
        value, unit = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output,
                                re.M).groups()
        return float(value) * UNITS[unit]
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    failed += sum(int(n) for n in errors.groups()) if errors else 0
    return Load(latency(50), latency(99),
                float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
                int(re.search(r"(\d+) requests in", output).group(1)), failed)


# Memory ------------------------------------------------------------------------------------

def rss_mb(pid):
    """Resident memory of a process in MB (``VmRSS``)."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1)) / 1024


def memory(stack):
    return {name: rss_mb(process.pid) for name, process in stack.processes.items()}


# Profiles ----------------------------------------------------------------------------------

def profiled(pids, seconds, directory):
    """Start ``py-spy record`` on each of ``pids`` (name → pid) for ``seconds``; returns a
    function that waits for them and gives each process's collapsed stacks."""
    spy = shutil.which("py-spy") or str(devstack.VENV_BIN / "py-spy")
    recorders = {name: subprocess.Popen(
        [spy, "record", "--nonblocking", "--format", "raw", "--duration", str(seconds),
         "--pid", str(pid), "--output", str(Path(directory) / f"{name}.txt")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for name, pid in pids.items()}

    def collected():
        for process in recorders.values():
            process.wait()
        return {name: (Path(directory) / f"{name}.txt").read_text(encoding="utf-8")
                for name in recorders if (Path(directory) / f"{name}.txt").exists()}
    return collected


def heaviest(collapsed, top=12):
    """From py-spy's collapsed stacks: the process's samples, the functions most samples
    were in (anywhere on the stack) and those most were in themselves (the top of the
    stack), each as (share of the samples in percent, function)."""
    inclusive, own, total = {}, {}, 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        total += int(count)
        for function in set(frames):
            inclusive[function] = inclusive.get(function, 0) + int(count)
        own[frames[-1]] = own.get(frames[-1], 0) + int(count)

    def ranked(samples):
        return [(100 * n / total, function) for function, n in
                sorted(samples.items(), key=lambda item: (-item[1], item[0]))[:top]]
    return total, ranked(inclusive), ranked(own)


def print_profiles(what, profiles):
    """Print where each process of ``profiles`` (``profiled``'s) spent its samples while
    ``what`` was measured."""
    for name, collapsed in profiles.items():
        total, inclusive, own = heaviest(collapsed)
        print(f"profile of {name} during {what}: {total} samples")
        for title, ranked in (("in each function, callees included", inclusive),
                              ("in each function itself", own)):
            print(f"  share of the samples {title}:")
            for share, function in ranked:
                print(f"    {share:5.1f}%  {function}")
