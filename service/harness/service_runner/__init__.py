"""Runs the service from outside: as a child process, or as a container image with docker or
podman; polls its readiness probe and reads its JSON logs. The image never ships it.

``make image`` uses docker when its daemon answers, else podman (``ENGINE=`` chooses). Where the
base image cannot be pulled (no registry), it builds on a local one: ``make base-image`` runs
debootstrap (as root) for Debian bookworm with its Python 3.11. With podman, the Makefile points
``CONTAINERS_CONF`` at ``configuration/containers.conf`` (``PODMAN_CONF=`` for your own), and
its builds mount the CA bundle ``PIP_CERT`` names for pip (behind a proxy that inspects PyPI).
"""
