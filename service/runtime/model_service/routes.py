"""The service's URL paths: the one place they are written, for the app and its clients."""

from insurance_charges_model.model import InsuranceChargesModel

HEALTH_PATH = "/api/health"
READY_PATH = f"{HEALTH_PATH}/ready"
STARTUP_PATH = f"{HEALTH_PATH}/startup"
MODELS_PATH = "/api/models"
METRICS_PATH = "/metrics"


def prediction_route(model_name: str) -> str:
    """Where a model's predictions are served: ``/api/models/{model_name}/prediction``."""
    return f"{MODELS_PATH}/{model_name}/prediction"


PREDICTION_ROUTE = prediction_route(InsuranceChargesModel.qualified_name)
"""The insurance-charges model's prediction route, which the load test, the reliability checks
and the monitoring rules call and watch."""
