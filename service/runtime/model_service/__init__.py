"""A generic model service: models and their decorators are loaded by class path from YAML."""
