import pytest

from load_test.shapes import users_at


def test_constant_runs_the_peak_all_along() -> None:
    assert {users_at("constant", progress / 10, 32) for progress in range(10)} == {32}


def test_stages_ramp_up_to_the_peak_then_down() -> None:
    users = [users_at("stages", progress / 100, 32) for progress in range(100)]
    peak_at = users.index(32)
    assert users[0] < 32
    assert users[:peak_at] == sorted(users[:peak_at])  # up
    assert users[peak_at:] == sorted(users[peak_at:], reverse=True)  # then down
    assert users[-1] < 32
    assert users.count(32) == 50  # the peak is half of the run


def test_a_tiny_test_still_runs_one_user() -> None:
    assert users_at("stages", 0.0, 1) == 1


def test_an_unknown_shape_is_named() -> None:
    with pytest.raises(ValueError, match="unknown shape 'spike'; known: constant, stages"):
        users_at("spike", 0.5, 10)
