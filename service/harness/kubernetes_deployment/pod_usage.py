"""What a container has used, read from its cgroup: CPU time, memory now, and memory at its peak.

The kernel counts these for every cgroup, so the figures are exact (not sampled) and cost nothing
to read. Both cgroup layouts are read: v2 (one tree: ``cpu.stat``, ``memory.current``,
``memory.peak``) and v1 (a tree per controller: ``cpuacct.usage``, ``memory.usage_in_bytes``,
``memory.max_usage_in_bytes``).
"""

from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_CPU_FOLDERS = ("cpuacct", "cpu,cpuacct")
V1_QUOTA_FOLDERS = ("cpu", "cpu,cpuacct")  # the CPU quota, and how often it throttled
MIB = 1024 * 1024


class UsageError(RuntimeError):
    """The container's cgroup files cannot be read; the message names the one missing."""


@dataclass(frozen=True)
class Usage:
    """A container's CPU seconds since it started, its memory now and at its peak, and how many
    of the CPU quota's periods (100 ms each, by default) ran and were throttled, when known."""

    cpu_seconds: float
    memory_bytes: int
    peak_memory_bytes: int
    periods: int | None = None
    throttled_periods: int | None = None

    def since(self, earlier: "Usage") -> float:
        """The CPU seconds used since ``earlier`` (of the same container, not restarted)."""
        return self.cpu_seconds - earlier.cpu_seconds


def read_number(path: Path) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError) as error:
        raise UsageError(f"cannot read a number from {path}: {error}") from error


def throttling(path: Path) -> dict[str, int | None]:
    """The quota's periods and throttled periods from a ``cpu.stat`` file; None where it does
    not count them (no such file, or no CPU controller for the cgroup)."""
    counts: dict[str, int | None] = {"periods": None, "throttled_periods": None}
    if path.exists():
        values = dict(line.split(" ", 1) for line in path.read_text().splitlines() if " " in line)
        if "nr_periods" in values and "nr_throttled" in values:
            counts = {
                "periods": int(values["nr_periods"]),
                "throttled_periods": int(values["nr_throttled"]),
            }
    return counts


def stat_value(path: Path, key: str) -> int:
    """The value of ``key`` in a flat-keyed cgroup file such as ``cpu.stat``."""
    try:
        lines = path.read_text().splitlines()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error}") from error
    for line in lines:
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    raise UsageError(f"{path} has no {key}")


def usage_v2(folder: Path) -> Usage:
    current = read_number(folder / "memory.current")
    peak_file = folder / "memory.peak"  # Linux 5.19 and later
    return Usage(
        cpu_seconds=stat_value(folder / "cpu.stat", "usage_usec") / 1e6,
        memory_bytes=current,
        peak_memory_bytes=read_number(peak_file) if peak_file.exists() else current,
        **throttling(folder / "cpu.stat"),
    )


def usage_v1(root: Path, cgroup: str) -> Usage:
    cpu_roots = [root / name for name in V1_CPU_FOLDERS if (root / name).is_dir()]
    if not cpu_roots:
        raise UsageError(f"no cpuacct controller under {root}")
    memory = root / "memory" / cgroup
    quota_root = next((root / name for name in V1_QUOTA_FOLDERS if (root / name).is_dir()), root)
    return Usage(
        cpu_seconds=read_number(cpu_roots[0] / cgroup / "cpuacct.usage") / 1e9,
        memory_bytes=read_number(memory / "memory.usage_in_bytes"),
        peak_memory_bytes=read_number(memory / "memory.max_usage_in_bytes"),
        **throttling(quota_root / cgroup / "cpu.stat"),
    )


def cgroup_usage(cgroup: str, root: Path = CGROUP_ROOT) -> Usage:
    """The usage of the cgroup at ``cgroup`` (a path as podman reports it, from the root)."""
    relative = cgroup.lstrip("/")
    if (root / "cgroup.controllers").exists():
        return usage_v2(root / relative)
    return usage_v1(root, relative)


def mebibytes(count: int) -> float:
    return count / MIB
