# The insurance-charges model service: `make image` builds it, `make run-image` runs it.
#
# Two stages on the same base. The build stage makes a venv with only the runtime requirements
# and service/runtime, the packages that serve: the model contract, the model, the logging
# decorator, the service, the drift monitor (a CronJob runs it on the prediction logs) and their
# helpers. service/harness, the tooling that trains the model and drives the service
# from outside (load test, reliability checks, image and cluster runners, the post) stays out of
# the image, and so does what the libraries bring but the service never runs: test suites, type
# stubs, debug symbols, pip and setuptools. The runtime stage copies that venv, the trained
# serving artifact, its drift baseline and the configuration, and runs as a non-root user that can write
# nowhere but /tmp.

# python:3.11-slim for readers with a registry; `make base-image` builds a local equivalent.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
# A CA bundle for pip, for hosts whose PyPI traffic goes through an inspecting proxy (podman
# mounts it with --volume); empty by default.
ARG PIP_CERT=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
# binutils gives `strip`, for this stage only: the runtime stage copies the venv, not binutils.
# hadolint ignore=DL3008 # binutils only strips here; its version is the base Debian release's
RUN apt-get update \
    && apt-get install --yes --no-install-recommends binutils \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv
COPY requirements-runtime.txt /tmp/requirements-runtime.txt
# The requirements, then what the service never runs (`make image-check` prints the size):
# - the libraries' own test suites (tests/ and test/) and type stubs (*.pyi);
# - the symbols of the extension modules (--strip-unneeded keeps what the dynamic loader needs).
#   Not the libraries that auditwheel vendored into *.libs/: patchelf rewrote those, and strip
#   corrupts such files ("ELF load command address/offset not page-aligned", pypa/manylinux#119).
#   Loading every extension module (and so the libraries it links) afterwards fails the build,
#   not the service, if strip broke one.
RUN if [ -z "${PIP_CERT}" ]; then unset PIP_CERT; fi \
    && /opt/venv/bin/pip install --requirement /tmp/requirements-runtime.txt \
    && find /opt/venv -type d \( -name tests -o -name test \) -prune -exec rm -rf {} + \
    && find /opt/venv -type f -name '*.pyi' -delete \
    && find /opt/venv -type f -name '*.so' -not -path '*.libs/*' -exec strip --strip-unneeded {} + \
    && /opt/venv/bin/python -c "import ctypes, pathlib; [ctypes.CDLL(str(p)) for p in pathlib.Path('/opt/venv').rglob('*.so')]"
COPY pyproject.toml README.md /src/
COPY service/runtime /src/service/runtime
# Then the project, and out go pip and setuptools (with pkg_resources and the distutils .pth hook
# that every interpreter start ran): nothing installs or builds at run time. compileall writes
# the bytecode now, since the read-only root lets no one write it later.
RUN if [ -z "${PIP_CERT}" ]; then unset PIP_CERT; fi \
    && /opt/venv/bin/pip install --no-deps /src \
    && /opt/venv/bin/python -m pip uninstall --yes --quiet pip setuptools \
    && /opt/venv/bin/python -m compileall -q /opt/venv

FROM ${BASE_IMAGE} AS runtime
ARG CREATED=unknown
ARG REVISION=unknown
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="insurance-charges-model" \
      org.opencontainers.image.description="Predicts yearly insurance charges; logs every prediction as JSON." \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT"

RUN useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin service
COPY --from=build /opt/venv /opt/venv
# The serving artifact (the model as numpy arrays; the skops pipeline it was compiled from, and
# scikit-learn, stay out), its metrics.json, which records its sha256, and the drift baseline.
COPY models/insurance_charges_model.npz models/metrics.json models/baseline.json /app/models/
COPY configuration/local.yaml configuration/kubernetes.yaml configuration/logging.yaml configuration/drift.yaml /app/configuration/

# Two workers, one per core of a small machine, when the image runs alone; Kubernetes runs one
# worker per pod (kubernetes.yaml) and scales pods.
ENV PATH=/opt/venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SERVICE_CONFIG=/app/configuration/kubernetes.yaml \
    INSURANCE_CHARGES_MODEL_PATH=/app/models/insurance_charges_model.npz \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=2
WORKDIR /app
USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/api/health/ready\", timeout=2)"]

# Exec form: python is PID 1 and gets SIGTERM itself, so uvicorn shuts down gracefully.
CMD ["python", "-m", "model_service"]
