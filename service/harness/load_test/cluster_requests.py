"""What the in-cluster Locust sends: the route, the API key's header, and one body per customer.

    python -m load_test.cluster_requests --output kubernetes/components/locust/requests.json

The official ``locustio/locust`` image has none of this project's packages, so the locustfile of
``kubernetes/components/locust`` is self-contained and reads what to send from this file, which a
ConfigMap mounts beside it. The file is written from the project's own code (``customer_bodies``,
the prediction route, the API key's header) and committed; a test checks that it is what this
command writes today, so the two cannot drift apart. An image of our own, with the project's
locustfile inside, would need no generated file, but would be one more image to build, load into
minikube and keep in step with Locust's releases; a generated file of about 100 KB is lighter.
"""

import argparse
import json
import sys
from pathlib import Path

from common.paths import KUBERNETES_DIR
from load_test.customers import customer_bodies
from load_test.populations import TRAINING
from model_service.configuration import AuthenticationConfiguration
from model_service.routes import PREDICTION_ROUTE

COMPONENT_FILE = KUBERNETES_DIR / "components" / "locust" / "requests.json"


def cluster_requests(data_path: Path | None = None, population: str = TRAINING) -> str:
    """The file's text: JSON, one body per line, so that a change shows as a readable diff."""
    head = {"route": PREDICTION_ROUTE, "api_key_header": AuthenticationConfiguration().header}
    bodies = [body.decode() for body in customer_bodies(data_path, population)]
    opening = json.dumps(head)[:-1]  # without its closing brace: the bodies follow
    return f'{opening}, "bodies": [\n' + ",\n".join(bodies) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=COMPONENT_FILE)
    parser.add_argument("--data", type=Path, help="customers CSV; default: the training data")
    parser.add_argument("--population", default=TRAINING, help="who the users are")
    arguments = parser.parse_args(argv)
    text = cluster_requests(arguments.data, arguments.population)
    arguments.output.write_text(text)
    print(f"{arguments.output}: {len(json.loads(text)['bodies'])} request bodies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
