"""Structured logging of predictions for any model with ``predict`` and ``predict_batch``."""
