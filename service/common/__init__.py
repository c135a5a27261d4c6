"""Generic helpers every layer may use: YAML files with schema errors, project paths, figures.

It imports no other package of the project, so no package needs another only for a helper.
"""
