"""The protobuf modules of the chaincode runtime, typed by the stubs in ``typings/`` (generated
from the installed ``fabric_protos`` by ``typings/generate.py``) and by ``types-protobuf``."""

from __future__ import annotations

from fabric_protos.common import common_pb2
from fabric_protos.ledger.queryresult import kv_query_result_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    chaincode_pb2,
    chaincode_shim_pb2,
    chaincode_shim_pb2_grpc,
    proposal_pb2,
    proposal_response_pb2,
)
from google.protobuf import timestamp_pb2

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
