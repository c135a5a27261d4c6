"""Load tests with Locust: realistic customers, load shapes, the SLO gate, reports and charts."""

from insurance_charges_model.model import InsuranceChargesModel
from model_service.routes import prediction_route

PREDICTION_ROUTE = prediction_route(InsuranceChargesModel.qualified_name)
