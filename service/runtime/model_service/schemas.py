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
        """The details a model class declares (see ``model_contract.servable.Model``)."""
        return cls(
            qualified_name=model_class.qualified_name,
            display_name=model_class.display_name,
            description=model_class.description,
            version=str(model_class.version),
        )


class ModelCollection(BaseModel):
    models: list[ModelDetails] = Field(description="The models this service serves.")


class ErrorMessage(BaseModel):
    detail: str = Field(description="What went wrong.")
    prediction_id: str | None = Field(
        default=None, description="The request's id, to find it in the logs; on 500s."
    )


class FieldProblem(BaseModel):
    loc: list[str] = Field(description="Where the problem is, e.g. ['body', 'age'].")
    field: str = Field(description="The field, dotted, e.g. 'age'; 'body' for the whole body.")
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="The kind of problem, e.g. 'missing' or 'json_invalid'.")


class RequestProblems(BaseModel):
    detail: list[FieldProblem] = Field(description="Every problem found in the request.")
