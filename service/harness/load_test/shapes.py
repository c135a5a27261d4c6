"""Load shapes: how many users run at each moment of a test, as fractions of the peak."""

# (end of the stage as a fraction of the run, users as a fraction of the peak)
STAGES = (
    (0.10, 0.25),  # warm up
    (0.25, 0.50),
    (0.75, 1.00),  # the peak, half of the run
    (0.90, 0.50),
    (1.00, 0.25),  # cool down
)
SHAPES = {
    "constant": ((1.0, 1.0),),
    "stages": STAGES,
}


def users_at(shape: str, progress: float, peak_users: int) -> int:
    """Users to run at ``progress`` (0 to 1) through the test; at least one."""
    try:
        stages = SHAPES[shape]
    except KeyError:
        raise ValueError(f"unknown shape {shape!r}; known: {', '.join(sorted(SHAPES))}") from None
    fraction = next((users for end, users in stages if progress < end), stages[-1][1])
    return max(1, round(peak_users * fraction))
