"""The ASGI app for uvicorn; ``SERVICE_CONFIG`` names the configuration file.

SERVICE_CONFIG=configuration/local.yaml uvicorn model_service.main:app
"""

from model_service.app import create_app
from model_service.configuration import configuration_from_environment

app = create_app(configuration_from_environment())
