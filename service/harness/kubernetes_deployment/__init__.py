"""Render, validate and apply the Kubernetes manifests under kubernetes/."""
