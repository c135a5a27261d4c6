"""Runs the service from outside: as a child process, or as a container image with docker or
podman; polls its readiness probe and reads its JSON logs. The image never ships it."""
