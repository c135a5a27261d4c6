"""Monitoring the deployed service from outside: its SLOs as Prometheus rules, and their tests.

- ``burn_rates``, ``rules``, ``rule_tests``, ``rule_files``: ``configuration/slo.yaml`` turned
  into recording rules, burn-rate alerts and promtool's tests of them, in
  ``configuration/prometheus/`` (``make rules``; both files are committed, and ``make test``
  fails when they are not what ``make rules`` writes now);
- ``prometheus``, ``slis``, ``watch``, ``charts``: step 6, a local Prometheus scraping the service
  under load, the SLIs read back with PromQL, and their charts.

In a cluster, the ``minikube-monitoring`` overlay runs a Prometheus that evaluates the same rules.
"""
