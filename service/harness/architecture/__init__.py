"""The architecture diagram of the post, drawn by Graphviz from the code and configuration it
shows: the app's middleware, the decorators, logging, Filebeat, Prometheus's rules and
Alertmanager's receivers are read, not typed, so the drawing follows the configuration.

    python -m architecture images/architecture.svg
"""
