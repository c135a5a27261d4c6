"""A generic model service: models and their decorators are loaded by class path from YAML.

- ``app``: the app factory, ``create_app(configuration)``, and how a request flows through it;
  ``main`` and ``__main__``: the entry points, which only read the environment;
- ``configuration``: the schema of the YAML files (``SERVICE_CONFIG`` names one), the API key's
  settings among them; ``loading``: models and decorators built from it;
- ``routes``: every path, written once; ``bodies``, ``guards``, ``request_id``: what a prediction
  request passes through; ``metrics``: what ``/metrics`` exposes; ``ports``: ``/metrics`` on a
  port of its own, when the configuration gives it one.

It knows nothing of insurance.
"""
