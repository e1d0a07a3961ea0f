"""Typed-as-Any handles on the generated Fabric protobuf modules.

The generated modules build their classes dynamically, so static checkers
cannot see their attributes; importing them through importlib keeps mypy quiet.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "chaincode_event_pb2",
    "chaincode_pb2",
    "chaincode_shim_pb2",
    "chaincode_shim_pb2_grpc",
    "common_pb2",
    "identities_pb2",
    "kv_query_result_pb2",
    "proposal_pb2",
    "proposal_response_pb2",
    "timestamp_pb2",
]

chaincode_event_pb2: Any = importlib.import_module("fabric_protos.peer.chaincode_event_pb2")
chaincode_pb2: Any = importlib.import_module("fabric_protos.peer.chaincode_pb2")
chaincode_shim_pb2: Any = importlib.import_module("fabric_protos.peer.chaincode_shim_pb2")
chaincode_shim_pb2_grpc: Any = importlib.import_module("fabric_protos.peer.chaincode_shim_pb2_grpc")
common_pb2: Any = importlib.import_module("fabric_protos.common.common_pb2")
identities_pb2: Any = importlib.import_module("fabric_protos.msp.identities_pb2")
kv_query_result_pb2: Any = importlib.import_module(
    "fabric_protos.ledger.queryresult.kv_query_result_pb2"
)
proposal_pb2: Any = importlib.import_module("fabric_protos.peer.proposal_pb2")
proposal_response_pb2: Any = importlib.import_module("fabric_protos.peer.proposal_response_pb2")
timestamp_pb2: Any = importlib.import_module("google.protobuf.timestamp_pb2")
