"""The paths are the service's public interface: clients of the earlier tutorials call them."""

from model_service.routes import (
    METRICS_PATH,
    MODELS_PATH,
    PREDICTION_ROUTE,
    READY_PATH,
    STARTUP_PATH,
    prediction_route,
)


def test_the_prediction_route_keeps_the_rest_model_service_shape() -> None:
    assert prediction_route("insurance_charges_model") == (
        "/api/models/insurance_charges_model/prediction"
    )


def test_the_probes_models_and_metrics_paths() -> None:
    assert (READY_PATH, STARTUP_PATH) == ("/api/health/ready", "/api/health/startup")
    assert (MODELS_PATH, METRICS_PATH) == ("/api/models", "/metrics")


def test_the_insurance_models_prediction_route() -> None:
    assert PREDICTION_ROUTE == "/api/models/insurance_charges_model/prediction"
