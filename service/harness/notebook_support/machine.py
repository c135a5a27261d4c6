"""The machine a measurement ran on, and the parameters it ran with, as the post prints them.

Rates and latencies depend on both, so every notebook that measures prints them beside its
figures: ``print(machine_summary())`` and ``print(run_parameters(users=32, duration="2m"))``.
"""

import os
import platform
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
MEMINFO = Path("/proc/meminfo")


def usable_cores() -> int:
    """The cores this process may run on (its affinity, which a container's cpuset narrows)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cpu_model(cpuinfo: str) -> str | None:
    """The first ``model name`` in /proc/cpuinfo's text; None when it names none (as on ARM)."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return None


def memory_gib(meminfo: str) -> float | None:
    """``MemTotal`` of /proc/meminfo's text, in GiB; None when it is not there."""
    for line in meminfo.splitlines():
        key, _, value = line.partition(":")
        if key == "MemTotal":
            kib, _, unit = value.strip().partition(" ")
            if unit.strip() == "kB" and kib.isdigit():
                return int(kib) / 2**20
    return None


def read_text(path: Path) -> str:
    """The file's text, or an empty string where the system has no such file."""
    try:
        return path.read_text()
    except OSError:
        return ""


def machine_summary(cpuinfo: Path = CPUINFO, meminfo: Path = MEMINFO) -> str:
    """One line: cores, CPU model, memory, Python and the operating system."""
    model = cpu_model(read_text(cpuinfo)) or platform.processor() or platform.machine()
    memory = memory_gib(read_text(meminfo))
    parts = [
        f"{usable_cores()} cores",
        model,
        f"{memory:.0f} GiB" if memory is not None else "memory unknown",
        f"Python {platform.python_version()}",
        f"{platform.system()} {platform.release()}",
    ]
    return "machine: " + ", ".join(parts)


def run_parameters(**parameters: object) -> str:
    """One line naming each parameter and its value, in the order given."""
    if not parameters:
        raise ValueError("run_parameters needs at least one parameter to print")
    return "parameters: " + ", ".join(f"{name}={value}" for name, value in parameters.items())
