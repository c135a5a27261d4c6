"""Generic helpers every layer may use: YAML files with schema errors, and the project's paths.

It imports no other package of the project, so no package needs another only for a helper.
"""
