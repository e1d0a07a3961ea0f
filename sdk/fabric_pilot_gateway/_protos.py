"""The protobuf modules the SDK uses, typed by the stubs in ``typings/`` (generated from the
installed ``fabric_protos`` by ``typings/generate.py``) and by ``types-protobuf``."""

from __future__ import annotations

from fabric_protos.common import common_pb2, ledger_pb2
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.msp import identities_pb2
from fabric_protos.orderer import ab_pb2
from fabric_protos.peer import (
    chaincode_pb2,
    events_pb2,
    events_pb2_grpc,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)
from fabric_protos.peer.lifecycle import lifecycle_pb2
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2
from google.protobuf import message as protobuf_message

__all__ = [
    "ab_pb2",
    "any_pb2",
    "chaincode_pb2",
    "common_pb2",
    "descriptor_pb2",
    "descriptor_pool",
    "events_pb2",
    "events_pb2_grpc",
    "gateway_pb2",
    "gateway_pb2_grpc",
    "identities_pb2",
    "ledger_pb2",
    "lifecycle_pb2",
    "message_factory",
    "proposal_pb2",
    "proposal_response_pb2",
    "protobuf_message",
    "timestamp_pb2",
    "transaction_pb2",
]
