"""The fitted scikit-learn pipeline, saved with skops: verified by sha256 and a type allowlist.

skops, unlike pickle, refuses to build any type it was not told to trust. The allowlist below
is every type our candidate pipelines need beyond those skops trusts by default; a file that asks
for anything else is refused before a single object is built. The service does not load this
file: it loads the serving artifact compiled from it (``serving_artifact``). The notebooks, the
tutorial-style endpoint and the checks of the serving artifact load it.
"""

from pathlib import Path

import skops.io as sio
from sklearn.pipeline import Pipeline

from insurance_charges_model.artifact import ArtifactError, check_sha256, read_metrics
from insurance_charges_model.hashing import sha256_of

TRUSTED_TYPES: tuple[str, ...] = ("sklearn.tree._tree.Tree",)
PIPELINE_NAME = "insurance_charges_model.skops"


def save_pipeline(pipeline: Pipeline, path: Path) -> str:
    """Write the pipeline with skops and return the file's sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(pipeline, path)
    return sha256_of(path)


def load_pipeline(path: Path, expected_sha256: str) -> Pipeline:
    """Load a pipeline after checking its sha256 and that it needs only trusted types."""
    check_sha256(path, expected_sha256, what="pipeline")
    untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
    if untrusted:
        raise ArtifactError(f"Refusing to load {path}: it asks for untrusted types {untrusted}.")
    pipeline = sio.load(path, trusted=list(TRUSTED_TYPES))
    if not isinstance(pipeline, Pipeline):
        raise ArtifactError(
            f"{path} holds a {type(pipeline).__name__}, not a scikit-learn Pipeline."
        )
    return pipeline


def load_trained_pipeline(model_dir: Path) -> Pipeline:
    """The pipeline that training saved in ``model_dir``, checked against its metrics.json."""
    metrics = read_metrics(model_dir / PIPELINE_NAME)
    return load_pipeline(model_dir / metrics.pipeline_file, metrics.pipeline_sha256)
