"""Where a notebook runs the service: one interface, four places, chosen once.

- ``local``: ``python -m model_service`` as a child process, as ``make serve`` runs it;
- ``container``: the image of step 3, run read-only by docker or podman;
- ``pods``: the Kubernetes manifests of step 4, played by ``podman kube play``;
- ``cluster``: the same manifests applied by kubectl to the cluster it reaches (minikube).

Each target deploys, gives the URL, the JSON log records of every replica, a description of what
runs, the resources used under a load, and tears down. What only some targets can do (what the
platform enforces, sizing from a run, a replica killed under load) answers ``Skipped`` elsewhere,
saying why. A notebook picks its target in one cell, and no cell after it asks where it runs::

    deployment = choose("auto", among=("pods", "local"), port=18081)
    print(deployment.why)
"""

from deployment_targets.choice import TargetUnavailableError, availability, choose
from deployment_targets.target import DeploymentTarget

__all__ = ["DeploymentTarget", "TargetUnavailableError", "availability", "choose"]
