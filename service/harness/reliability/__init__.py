"""Reliability checks: fuzzing, bad input, a tampered artifact, the API key, faults under load."""
