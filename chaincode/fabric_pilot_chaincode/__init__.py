"""Python chaincode runtime: shim, stub, contract API, CCaaS server."""

from ._canonical import canonical_json, canonical_loads
from ._contract import Context, Contract, evaluate, transaction
from ._dispatcher import ContractChaincode
from ._errors import ContractError, PeerError
from ._identity import ClientIdentity
from ._stub_api import ChaincodeStub
from ._types import ChaincodeResponse, KeyModification, KeyValue, QueryMetadata, TxTimestamp

__all__ = [
    "ChaincodeResponse",
    "ChaincodeStub",
    "ClientIdentity",
    "Context",
    "Contract",
    "ContractChaincode",
    "ContractError",
    "KeyModification",
    "KeyValue",
    "PeerError",
    "QueryMetadata",
    "TxTimestamp",
    "canonical_json",
    "canonical_loads",
    "evaluate",
    "transaction",
]
