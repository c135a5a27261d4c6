"""Monitoring the deployed service from outside: its SLOs as Prometheus rules, and their tests."""
