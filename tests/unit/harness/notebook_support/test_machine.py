import platform

import pytest

from notebook_support.machine import (
    cpu_model,
    machine_summary,
    memory_gib,
    run_parameters,
    usable_cores,
)

CPUINFO = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz
processor\t: 1
model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz
"""


def test_cpu_model_is_the_first_model_name():
    assert cpu_model(CPUINFO) == "Intel(R) Xeon(R) CPU @ 2.20GHz"


def test_cpu_model_is_none_without_a_model_name():
    assert cpu_model("processor\t: 0\nBogoMIPS\t: 50.00\n") is None


def test_memory_gib_reads_mem_total():
    assert memory_gib("MemTotal:       25165824 kB\nMemFree: 1 kB\n") == pytest.approx(24.0)


@pytest.mark.parametrize("text", ["", "MemFree: 10 kB\n", "MemTotal: lots\n"])
def test_memory_gib_is_none_when_unreadable(text):
    assert memory_gib(text) is None


def test_machine_summary_names_cores_model_memory_and_python(tmp_path):
    cpuinfo, meminfo = tmp_path / "cpuinfo", tmp_path / "meminfo"
    cpuinfo.write_text(CPUINFO)
    meminfo.write_text("MemTotal: 2097152 kB\n")
    summary = machine_summary(cpuinfo, meminfo)
    assert summary.startswith(f"machine: {usable_cores()} cores, Intel(R) Xeon(R) CPU @ 2.20GHz")
    assert "2 GiB" in summary
    assert f"Python {platform.python_version()}" in summary


def test_machine_summary_says_so_when_proc_files_are_missing(tmp_path):
    summary = machine_summary(tmp_path / "no-cpuinfo", tmp_path / "no-meminfo")
    assert "memory unknown" in summary


def test_run_parameters_keeps_the_order_given():
    assert run_parameters(users=32, duration="2m") == "parameters: users=32, duration=2m"


def test_run_parameters_refuses_none():
    with pytest.raises(ValueError, match="at least one parameter"):
        run_parameters()
