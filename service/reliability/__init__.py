"""Reliability checks: fuzzing, bad input, a tampered artifact, the API key, faults under load."""

PREDICTION_ROUTE = "/api/models/insurance_charges_model/prediction"
