"""A prediction's body: read, parsed and validated once, with FastAPI's errors, not its machinery.

A FastAPI body parameter costs a request the resolution of its dependencies, a validation of
the body, and on the way out a second validation of the answer and ``jsonable_encoder``. The
prediction route reads its body here instead: the content type checked, ``json.loads`` (the
parser FastAPI uses, so its messages say where it stopped), the model's input schema once, and
the answer written by its own schema (``model_dump_json``). The errors are the ones FastAPI
raises, so the app's handlers answer them as before: 400 for a body that cannot be parsed
(malformed, not UTF-8, nested too deeply, a number too long: any failure of the decoder), 422
for one that does not fit the schema, each problem located under ``body``.
"""

import json
import sys
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from model_service.guards import JSON_MEDIA_TYPE, require_json

PARSE_FAILURE = "There was an error parsing the body"  # FastAPI's detail for a body it can't decode


def malformed(error: json.JSONDecodeError) -> RequestValidationError:
    """The error FastAPI raises for a body that is not JSON: where the parser stopped."""
    problem = {
        "type": "json_invalid",
        "loc": ("body", error.pos),
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": error.msg},
    }
    return RequestValidationError([problem], body=error.doc)


def invalid(error: ValidationError, body: Any) -> RequestValidationError:
    """The schema's problems, each located under ``body``, as FastAPI locates them."""
    problems = [
        {**problem, "loc": ("body", *problem["loc"])} for problem in error.errors(include_url=False)
    ]
    return RequestValidationError(problems, body=body)


def parsed(raw: bytes) -> Any:
    """The body's JSON; the errors FastAPI raises: where the parser stopped for malformed JSON,
    and its 400 caused by the decoder's error for any other failure to decode."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise malformed(error) from error
    except Exception as error:  # as FastAPI: a body the decoder refuses is the client's error
        raise HTTPException(400, PARSE_FAILURE) from error


def is_parse_failure(error: HTTPException) -> bool:
    """Whether ``error`` is the 400 raised (here or by FastAPI) for a body that would not decode."""
    return error.status_code == 400 and error.detail == PARSE_FAILURE and bool(error.__cause__)


def why_unparsable(cause: BaseException) -> str:
    """What is wrong with a body, from the error the JSON decoder raised for it."""
    if isinstance(cause, UnicodeDecodeError):
        return f"it is not UTF-8 ({cause})"
    if isinstance(cause, RecursionError):
        return "its arrays or objects are nested too deeply"
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        return f"a number is too long (more than {sys.get_int_max_str_digits():,} digits)"
    return f"it could not be decoded ({type(cause).__name__})"


async def validated_body(request: Request, schema: type[BaseModel]) -> BaseModel:
    """The request's body as ``schema``: 415, 400 or 422 when it cannot be."""
    await require_json(request)
    raw = await request.body()
    if not raw:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    body = parsed(raw)
    try:
        return schema.model_validate(body, from_attributes=True)  # as FastAPI validates
    except ValidationError as error:
        raise invalid(error, body) from None


def json_answer(result: BaseModel) -> Response:
    """The model's answer as JSON, written by its own schema: no second validation."""
    return Response(result.model_dump_json(), media_type=JSON_MEDIA_TYPE)
