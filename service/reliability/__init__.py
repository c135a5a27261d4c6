"""Reliability checks: fuzzing, bad input, a tampered artifact, the API key, faults under load."""

from insurance_charges_model.model import InsuranceChargesModel
from model_service.routes import prediction_route

PREDICTION_ROUTE = prediction_route(InsuranceChargesModel.qualified_name)
