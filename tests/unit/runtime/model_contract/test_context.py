"""Prediction ids: distinct, shaped like UUIDs, and another random prefix after a fork."""

import os
import uuid

from model_contract.context import new_prediction_id


def test_new_ids_are_distinct_and_shaped_like_uuids() -> None:
    ids = [new_prediction_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert all(uuid.UUID(value) for value in ids)


def test_a_forked_process_draws_ids_of_its_own() -> None:
    reader, writer = os.pipe()
    parent_id = new_prediction_id()
    child = os.fork()
    if child == 0:  # the child: its next id, then out
        os.write(writer, new_prediction_id().encode())
        os._exit(0)
    os.waitpid(child, 0)
    child_id = os.read(reader, 100).decode()
    os.close(reader)
    os.close(writer)
    assert child_id.rsplit("-", 2)[0] != parent_id.rsplit("-", 2)[0]  # another random prefix
