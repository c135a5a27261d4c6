"""Render, validate and apply the Kubernetes manifests under kubernetes/.

- ``manifests``: render and validate every overlay offline, and the cluster commands behind
  ``make deploy`` and the other minikube targets; ``minikube``: start it sized, check its images;
- ``podman``: the same manifests played by ``podman kube play``, without a cluster;
- ``sizing``, ``pod_usage``, ``pod_resources``: what the pods request, what they used under
  load, and the requests and limits derived from that.

Overlays (``make deploy OVERLAY=...``): ``minikube``, ``minikube-elk`` (Elasticsearch, Kibana,
Filebeat), ``minikube-monitoring`` (Prometheus with the SLO rules, the drift CronJob),
``minikube-load-test`` (Locust in the cluster) and ``podman``. ``make validate-manifests``
validates every folder under ``kubernetes/overlays/``.

On minikube: podman names its build ``localhost/...``, while minikube's runtimes look for
``docker.io/library/...`` (else ``ErrImageNeverPull``), so ``make minikube-image`` loads the image
under the name the pod asks for, tagged with its content (``service_runner.image_tag``), and
checks that the node holds it by its id. With the docker driver on macOS, Windows and WSL the
node's IP does not answer from the host: ``make service-url`` says to use ``make port-forward``.
minikube keeps the size a profile was created with, so ``make minikube-start`` refuses one smaller
than the pods need: ``minikube delete``, then ``make minikube-start``, resizes it.
"""
