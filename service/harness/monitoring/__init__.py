"""Monitoring the deployed service from outside: its SLOs as Prometheus rules, their tests, and
the way their alerts reach someone.

- ``burn_rates``, ``availability``, ``rules``, ``rule_tests``, ``rule_files``:
  ``configuration/slo.yaml`` turned into recording rules, burn-rate alerts, the alerts for a
  service that answers no scrape, and promtool's tests of them, in ``configuration/prometheus/``,
  at the production timescale and, for the drill, divided by 60 (``make rules``; every file is
  committed, and ``make test`` fails when one is not what ``make rules`` writes now);
- ``alertmanager_config``, ``alertmanager``, ``alert_receiver``: the schema of
  ``configuration/alertmanager/alertmanager.yml``, amtool's check, a local Alertmanager, and a
  webhook receiver that records what reaches it;
- ``prometheus``, ``child_process``, ``slis``, ``watch``, ``charts``: step 6, a local Prometheus
  scraping the service under load, the SLIs read back with PromQL, and their charts;
- ``drill``, ``faults``: step 6's alert drill, the service stopped, then failing a share of its
  predictions, each fault timed from t0 to the page received.

In a cluster, the ``minikube-monitoring`` overlay runs a Prometheus that evaluates the production
rules and an Alertmanager that routes their alerts by the same file.
"""
