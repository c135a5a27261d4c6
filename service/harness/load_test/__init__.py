"""Load tests with Locust: realistic customers, load shapes, the SLO gate, reports and charts.

``make load-test`` (``run``) holds one run to the SLOs; beyond one headless run here:

- ``PROCESSES=N`` runs Locust's own master and N workers. One Locust process uses about one
  core; on a small machine each also takes CPU from the service it loads, so compare runs made
  on the same machine, and give Locust cores of its own to measure a service near its limit.
- ``METRICS=0`` when several replicas answer ``HOST`` (the podman pods, a Service): each scrape
  of ``/metrics`` reaches one of them, so its counters hold only that one's share.
- In a cluster, the ``minikube-load-test`` overlay runs a Locust master (web UI on
  ``service/locust-master``, port 8089) and workers from the official image, which has none of
  this project: they send what ``cluster_requests`` wrote. No SLO gate runs there.
"""
