"""Fabric protobuf modules, typed as ``Any``.

The generated ``fabric_protos`` modules ship ``py.typed`` but no stubs, so
mypy cannot see their message classes; importing them here keeps the rest of
the package type-checkable. The same goes for ``google.protobuf`` (no stubs).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "ab_pb2",
    "any_pb2",
    "descriptor_pb2",
    "descriptor_pool",
    "events_pb2_grpc",
    "gateway_pb2_grpc",
    "message_factory",
    "protobuf_message",
    "timestamp_pb2",
    "chaincode_pb2",
    "common_pb2",
    "gateway_pb2",
    "identities_pb2",
    "ledger_pb2",
    "lifecycle_pb2",
    "proposal_pb2",
    "proposal_response_pb2",
    "transaction_pb2",
]


def _load(name: str) -> Any:
    return importlib.import_module(name if name.startswith("google.") else f"fabric_protos.{name}")


ab_pb2: Any = _load("orderer.ab_pb2")
chaincode_pb2: Any = _load("peer.chaincode_pb2")
common_pb2: Any = _load("common.common_pb2")
gateway_pb2: Any = _load("gateway.gateway_pb2")
identities_pb2: Any = _load("msp.identities_pb2")
ledger_pb2: Any = _load("common.ledger_pb2")
lifecycle_pb2: Any = _load("peer.lifecycle.lifecycle_pb2")
proposal_pb2: Any = _load("peer.proposal_pb2")
proposal_response_pb2: Any = _load("peer.proposal_response_pb2")
transaction_pb2: Any = _load("peer.transaction_pb2")
events_pb2_grpc: Any = _load("peer.events_pb2_grpc")
gateway_pb2_grpc: Any = _load("gateway.gateway_pb2_grpc")
any_pb2: Any = _load("google.protobuf.any_pb2")
descriptor_pb2: Any = _load("google.protobuf.descriptor_pb2")
descriptor_pool: Any = _load("google.protobuf.descriptor_pool")
message_factory: Any = _load("google.protobuf.message_factory")
timestamp_pb2: Any = _load("google.protobuf.timestamp_pb2")
protobuf_message: Any = _load("google.protobuf.message")
