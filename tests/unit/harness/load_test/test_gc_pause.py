import gc
import json
import sys
from pathlib import Path

import pytest

from load_test import gc_pause
from load_test.gc_pause import (
    collection_pauses,
    describe,
    main,
    median_collection_ms,
    pauses_in_this_process,
)
from support.services import stub_configuration


def test_a_collection_is_timed_in_milliseconds(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 0.002, 1.0, 1.010, 2.0, 2.004])  # 2, 10 and 4 ms
    monkeypatch.setattr(gc_pause.time, "perf_counter", lambda: next(clock))
    assert median_collection_ms(3) == pytest.approx(4.0)


@pytest.mark.parametrize("frozen_before", [False, True])
def test_freezing_takes_the_loaded_objects_out_of_the_collection(frozen_before: bool) -> None:
    if frozen_before:  # as an app started by an earlier test leaves the process
        gc.freeze()
    pauses = pauses_in_this_process(stub_configuration(), repeats=3)
    assert pauses["frozen objects"] > 1000  # this process: pytest, the app and the model
    assert pauses["tracked objects"] >= pauses["frozen objects"]
    assert 0 <= pauses["frozen ms"] < pauses["not frozen ms"]
    assert gc.get_freeze_count() == 0  # the test process is left as it was


def test_models_that_do_not_load_are_named() -> None:
    with pytest.raises(RuntimeError, match=r"^the models did not load: .*artifact refused$"):
        pauses_in_this_process(stub_configuration(model="BrokenStubModel"), repeats=1)


def test_the_pauses_read_as_a_sentence() -> None:
    pauses = {"tracked objects": 177547, "frozen objects": 177365, "not frozen ms": 248.7,
              "frozen ms": 0.004}  # fmt: skip
    assert describe(pauses) == (
        "A full collection walks 177,547 objects in a loaded worker and pauses it 248.7 ms; "
        "with 177,365 frozen, 4 µs."
    )


def test_a_fresh_process_reports_its_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    done = type("Done", (), {"returncode": 0, "stdout": 'x\n{"frozen ms": 0.1}\n', "stderr": ""})
    commands = []
    monkeypatch.setattr(
        gc_pause.subprocess, "run", lambda command, **_: commands.append(command) or done
    )
    assert collection_pauses(Path("service.yaml"), repeats=2) == {"frozen ms": 0.1}
    assert commands == [
        [sys.executable, "-m", "load_test.gc_pause", "--config", "service.yaml",
         "--repeats", "2", "--json"]
    ]  # fmt: skip


def test_a_fresh_process_that_fails_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(RuntimeError) as raised:
        collection_pauses(missing, repeats=1)
    assert str(raised.value).startswith(
        "measuring the collection pauses failed: cannot read the service configuration"
    )
    assert str(missing) in str(raised.value)


def test_main_prints_json_when_asked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    figures = {"tracked objects": 10, "frozen objects": 9, "not frozen ms": 1.5, "frozen ms": 0.1}
    monkeypatch.setattr(gc_pause, "load_configuration", lambda path: path)
    monkeypatch.setattr(gc_pause, "pauses_in_this_process", lambda configuration, repeats: figures)
    assert main(["--json"]) == 0
    assert json.loads(capsys.readouterr().out) == figures
    assert main([]) == 0
    assert capsys.readouterr().out == describe(figures) + "\n"


def test_main_names_a_missing_service_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--config", str(tmp_path / "missing.yaml")]) == 2
    assert capsys.readouterr().err.startswith("error: cannot read the service configuration")


def test_main_refuses_no_repeats(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--repeats", "0"])
    assert exit_info.value.code == 2
    assert "--repeats must be 1 or more, not 0" in capsys.readouterr().err
