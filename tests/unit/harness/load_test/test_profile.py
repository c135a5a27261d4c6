import pytest

from load_test.profile import OTHER, hop_of, hop_shares

REQUEST = (
    "run_asgi (uvicorn/protocols/http/httptools_impl.py:446);__call__ (starlette/routing.py:1)"
)
RAW = f"""\
{REQUEST};predict (app.py:9);ServingModel.predict (serving.py:1);dot (numpy:1) 30
{REQUEST};predict (app.py:9);Logger._log (logging/__init__.py:1) 20
_bootstrap (threading.py:1);BatchQueueListener._run (configuration.py:1);format (core.py:1) 40
{REQUEST} 10
"""


def test_a_sample_goes_to_its_innermost_recognised_hop() -> None:
    assert hop_of(["run_asgi (uvicorn/protocols/http/httptools_impl.py:1)", "dumps (json:1)"]) == (
        "HTTP: uvicorn and httptools"
    )
    assert hop_of(["main (x.py:1)", "select (selectors.py:1)"]) == OTHER


def test_the_shares_add_up_by_hop() -> None:
    shares = hop_shares(RAW)
    assert shares.to_dict() == {
        "logging: writer thread": 0.4,
        "model: predict": 0.3,
        "logging: records in the request": 0.2,
        "framework: Starlette and FastAPI": 0.1,
    }


def test_an_empty_profile_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        hop_shares("")


def test_work_inside_a_layer_counts_as_that_work() -> None:
    serializing = [
        "run_asgi (uvicorn/protocols/http/httptools_impl.py:1)",
        "serialize_response (fastapi/routing.py:1)",
        "TypeAdapter.validate_python (pydantic/type_adapter.py:1)",
    ]
    assert hop_of(serializing) == "serialization: output to JSON"
    in_metrics = [
        "Starlette.__call__ (starlette/applications.py:1)",
        "MetricsMiddleware.__call__ (m:1)",
    ]
    assert hop_of(in_metrics) == "metrics"
