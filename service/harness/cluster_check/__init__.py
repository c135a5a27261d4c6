"""Check a cluster that runs the minikube-monitoring overlay, from outside, as CI does.

    python -m cluster_check --context minikube      # make cluster-check

- ``predictions``: a prediction through the Service, and the load that feeds the SLO rules;
- ``prometheus_checks``: Prometheus's targets up, and the ``slo:`` recording rules' series;
- ``drift_job``: a Job made from the drift CronJob, waited for until it completes or fails;
- ``forwarding``: ``kubectl port-forward`` to a Service, for as long as a ``with`` block runs;
- ``outcomes``: a check's outcome, how it is reported, and polling until one is reached.

Each check reports PASS or FAIL with what it saw; the command exits 1 when any fails.
"""
