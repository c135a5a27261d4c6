import uuid

import pytest

from model_service.request_id import request_id_from


def test_a_plain_client_id_is_kept() -> None:
    assert request_id_from([(b"x-request-id", b"order-42.a_b:c")]) == "order-42.a_b:c"


@pytest.mark.parametrize("value", [b"", b"has space", b"x" * 129, b"new\nline", "é".encode()])
def test_an_unusable_id_is_replaced(value: bytes) -> None:
    assert uuid.UUID(request_id_from([(b"x-request-id", value)]))


def test_a_missing_id_is_generated() -> None:
    assert uuid.UUID(request_id_from([(b"content-type", b"application/json")]))
