"""The service level objectives (SLOs): their schema and file, read by the load test's gate and by
monitoring's Prometheus rules alike."""
