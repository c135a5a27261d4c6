"""Response schemas of the service's own routes."""

from typing import Any, Literal

from pydantic import BaseModel, Field


class HealthStatus(BaseModel):
    status: Literal["ok", "ready", "loading", "failed"] = Field(description="State of the service.")
    detail: str | None = Field(default=None, description="Why loading failed, when it did.")


class ModelDetails(BaseModel):
    qualified_name: str = Field(description="Name used in the model's URLs.")
    display_name: str = Field(description="Human-readable name.")
    description: str = Field(description="What the model predicts.")
    version: str = Field(description="Version of the model.")

    @classmethod
    def of(cls, model_class: Any) -> "ModelDetails":
        return cls(
            qualified_name=model_class.qualified_name,
            display_name=getattr(model_class, "display_name", model_class.qualified_name),
            description=getattr(model_class, "description", ""),
            version=str(getattr(model_class, "version", "")),
        )


class ModelCollection(BaseModel):
    models: list[ModelDetails] = Field(description="The models this service serves.")
