"""A container's usage read from fake cgroup trees, in both layouts (v2 and v1)."""

import re
from pathlib import Path

import pytest

from kubernetes_deployment.pod_usage import MIB, Usage, UsageError, cgroup_usage, mebibytes

CGROUP = "/machine.slice/libpod-abc.scope"  # as podman reports it, from the root


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def v2_tree(root: Path, peak: int | None = 300 * MIB) -> Path:
    """A cgroup v2 tree: one hierarchy, the controllers listed at its root."""
    write(root / "cgroup.controllers", "cpuset cpu io memory pids\n")
    folder = root / CGROUP.lstrip("/")
    write(folder / "cpu.stat", "user_usec 2000000\nusage_usec 2500000\nsystem_usec 500000\n")
    write(folder / "memory.current", f"{120 * MIB}\n")
    if peak is not None:
        write(folder / "memory.peak", f"{peak}\n")
    return folder


def v1_tree(root: Path, cpu_folder: str = "cpuacct") -> None:
    """A cgroup v1 tree: a hierarchy per controller."""
    write(root / cpu_folder / CGROUP.lstrip("/") / "cpuacct.usage", "1500000000\n")
    memory = root / "memory" / CGROUP.lstrip("/")
    write(memory / "memory.usage_in_bytes", f"{100 * MIB}\n")
    write(memory / "memory.max_usage_in_bytes", f"{250 * MIB}\n")


def test_v2_usage_is_cpu_seconds_memory_now_and_its_peak(tmp_path: Path) -> None:
    v2_tree(tmp_path)
    assert cgroup_usage(CGROUP, root=tmp_path) == Usage(2.5, 120 * MIB, 300 * MIB)


def test_without_memory_peak_v2_takes_the_memory_now_as_the_peak(tmp_path: Path) -> None:
    v2_tree(tmp_path, peak=None)
    assert cgroup_usage(CGROUP, root=tmp_path) == Usage(2.5, 120 * MIB, 120 * MIB)


@pytest.mark.parametrize("cpu_folder", ["cpuacct", "cpu,cpuacct"])
def test_v1_usage_reads_cpuacct_in_nanoseconds_and_the_memory_controller(
    tmp_path: Path, cpu_folder: str
) -> None:
    v1_tree(tmp_path, cpu_folder)
    assert cgroup_usage(CGROUP, root=tmp_path) == Usage(1.5, 100 * MIB, 250 * MIB)


def test_v2_counts_the_cpu_quotas_periods_and_throttled_periods(tmp_path: Path) -> None:
    stat = "usage_usec 2500000\nnr_periods 400\nnr_throttled 30\nthrottled_usec 90000\n"
    write(v2_tree(tmp_path) / "cpu.stat", stat)
    usage = cgroup_usage(CGROUP, root=tmp_path)
    assert (usage.cpu_seconds, usage.periods, usage.throttled_periods) == (2.5, 400, 30)


def test_without_a_quota_the_periods_are_unknown(tmp_path: Path) -> None:
    v2_tree(tmp_path)
    usage = cgroup_usage(CGROUP, root=tmp_path)
    assert (usage.periods, usage.throttled_periods) == (None, None)


@pytest.mark.parametrize("cpu_folder", ["cpu", "cpu,cpuacct"])
def test_v1_counts_the_periods_in_the_cpu_controller(tmp_path: Path, cpu_folder: str) -> None:
    v1_tree(tmp_path, "cpuacct" if cpu_folder == "cpu" else cpu_folder)
    stat = "nr_periods 200\nnr_throttled 12\nthrottled_time 5000000\n"
    write(tmp_path / cpu_folder / CGROUP.lstrip("/") / "cpu.stat", stat)
    usage = cgroup_usage(CGROUP, root=tmp_path)
    assert usage == Usage(1.5, 100 * MIB, 250 * MIB, periods=200, throttled_periods=12)


def test_v1_without_a_cpuacct_controller_says_so(tmp_path: Path) -> None:
    v1_tree(tmp_path, cpu_folder="cpu")
    with pytest.raises(UsageError, match="no cpuacct controller under"):
        cgroup_usage(CGROUP, root=tmp_path)


@pytest.mark.parametrize("missing", ["memory.current", "cpu.stat"])
def test_a_missing_v2_file_is_named(tmp_path: Path, missing: str) -> None:
    path = v2_tree(tmp_path) / missing
    path.unlink()
    with pytest.raises(UsageError, match=re.escape(str(path))):
        cgroup_usage(CGROUP, root=tmp_path)


def test_a_missing_v1_file_is_named(tmp_path: Path) -> None:
    v1_tree(tmp_path)
    path = tmp_path / "memory" / CGROUP.lstrip("/") / "memory.max_usage_in_bytes"
    path.unlink()
    with pytest.raises(UsageError, match=re.escape(str(path))):
        cgroup_usage(CGROUP, root=tmp_path)


def test_a_cpu_stat_without_usage_is_an_error(tmp_path: Path) -> None:
    write(v2_tree(tmp_path) / "cpu.stat", "user_usec 2000000\n")
    with pytest.raises(UsageError, match="has no usage_usec"):
        cgroup_usage(CGROUP, root=tmp_path)


def test_a_file_without_a_number_is_an_error(tmp_path: Path) -> None:
    path = v2_tree(tmp_path) / "memory.peak"
    write(path, "max\n")
    with pytest.raises(UsageError, match=re.escape(f"cannot read a number from {path}")):
        cgroup_usage(CGROUP, root=tmp_path)


def test_usage_since_is_the_cpu_seconds_in_between() -> None:
    earlier, later = Usage(3.25, 100 * MIB, 100 * MIB), Usage(5.0, 90 * MIB, 150 * MIB)
    assert later.since(earlier) == 1.75


def test_mebibytes() -> None:
    assert mebibytes(3 * MIB) == 3
    assert mebibytes(MIB // 2) == 0.5
