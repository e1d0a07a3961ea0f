"""Fabric Gateway client for Python.

Typical use::

    channel = new_grpc_channel("127.0.0.1:7051", tls_ca_pem, "peer0.org1.example.com")
    identity, signer = load_msp_folder(msp_dir, "Org1MSP")  # fabric_pilot_gateway.loaders
    gateway = connect(client=channel, identity=identity, signer=signer)
    contract = gateway.get_network("mychannel").get_contract("basic")
    result = contract.submit("CreateAsset", ["asset1", "blue"])
    channel.close()

File-reading helpers live in the edge modules ``loaders``, ``profiles`` and
``ca_client``; ledger queries in ``ledger``; typed sector chaincode clients in ``sectors``;
offline-verifiable evidence receipts in ``receipts``.

Importing the package is cheap: each name is imported from its module on first use
(PEP 562), so importing ``fabric_pilot_gateway.errors`` loads neither gRPC nor protobuf.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._transport import CloseableIterator, Transport, new_grpc_channel
    from .checkpointers import Checkpointer, FileCheckpointer, InMemoryCheckpointer
    from .commit import Commit, Status, SubmittedTransaction
    from .contract import Arg, Contract
    from .errors import (
        AccessDeniedError,
        ChaincodeRejectedError,
        CommitError,
        CommitStatusError,
        CommitTimeoutError,
        EncodingError,
        EndorseError,
        EndorsementMismatchError,
        ErrorDetail,
        EvaluateError,
        EventsError,
        FabricCAError,
        FabricCANotFoundError,
        FabricCAUnavailableError,
        GatewayError,
        NotFoundError,
        ProfileError,
        ReceiptError,
        RecordNotFoundError,
        SignatureRequiredError,
        SubmitError,
        UnavailableError,
    )
    from .event_requests import BlockEventsRequest, ChaincodeEventsRequest
    from .events import BlockEventsIterator, ChaincodeEvent, ChaincodeEventsIterator
    from .gateway import Gateway, connect
    from .hashing import HashFunction, no_hash, sha256, sha384
    from .identity import Identity, X509Identity
    from .network import Network
    from .options import DEFAULT, Default, Timeout, Timeouts
    from .proposal import Proposal
    from .sectors import CourtEvidence, EnergyMetering, TaxInvoices
    from .signing import Signer, new_private_key_signer
    from .transaction import Transaction

_MODULE_OF = {
    "AccessDeniedError": ".errors",
    "Arg": ".contract",
    "BlockEventsIterator": ".events",
    "BlockEventsRequest": ".event_requests",
    "ChaincodeEvent": ".events",
    "ChaincodeEventsIterator": ".events",
    "ChaincodeEventsRequest": ".event_requests",
    "ChaincodeRejectedError": ".errors",
    "Checkpointer": ".checkpointers",
    "CloseableIterator": "._transport",
    "Commit": ".commit",
    "CommitError": ".errors",
    "CommitStatusError": ".errors",
    "CommitTimeoutError": ".errors",
    "Contract": ".contract",
    "CourtEvidence": ".sectors",
    "DEFAULT": ".options",
    "Default": ".options",
    "EncodingError": ".errors",
    "EndorseError": ".errors",
    "EndorsementMismatchError": ".errors",
    "EnergyMetering": ".sectors",
    "ErrorDetail": ".errors",
    "EvaluateError": ".errors",
    "EventsError": ".errors",
    "FabricCAError": ".errors",
    "FabricCANotFoundError": ".errors",
    "FabricCAUnavailableError": ".errors",
    "FileCheckpointer": ".checkpointers",
    "Gateway": ".gateway",
    "GatewayError": ".errors",
    "HashFunction": ".hashing",
    "Identity": ".identity",
    "InMemoryCheckpointer": ".checkpointers",
    "Network": ".network",
    "NotFoundError": ".errors",
    "ProfileError": ".errors",
    "Proposal": ".proposal",
    "ReceiptError": ".errors",
    "RecordNotFoundError": ".errors",
    "SignatureRequiredError": ".errors",
    "Signer": ".signing",
    "Status": ".commit",
    "SubmitError": ".errors",
    "SubmittedTransaction": ".commit",
    "TaxInvoices": ".sectors",
    "Timeout": ".options",
    "Timeouts": ".options",
    "Transaction": ".transaction",
    "Transport": "._transport",
    "UnavailableError": ".errors",
    "X509Identity": ".identity",
    "connect": ".gateway",
    "new_grpc_channel": "._transport",
    "new_private_key_signer": ".signing",
    "no_hash": ".hashing",
    "sha256": ".hashing",
    "sha384": ".hashing",
}

__all__ = [
    "AccessDeniedError",
    "Arg",
    "BlockEventsIterator",
    "BlockEventsRequest",
    "ChaincodeEvent",
    "ChaincodeEventsIterator",
    "ChaincodeEventsRequest",
    "ChaincodeRejectedError",
    "Checkpointer",
    "CloseableIterator",
    "Commit",
    "CommitError",
    "CommitStatusError",
    "CommitTimeoutError",
    "Contract",
    "CourtEvidence",
    "DEFAULT",
    "Default",
    "EncodingError",
    "EndorseError",
    "EndorsementMismatchError",
    "EnergyMetering",
    "ErrorDetail",
    "EvaluateError",
    "EventsError",
    "FabricCAError",
    "FabricCANotFoundError",
    "FabricCAUnavailableError",
    "FileCheckpointer",
    "Gateway",
    "GatewayError",
    "HashFunction",
    "Identity",
    "InMemoryCheckpointer",
    "Network",
    "NotFoundError",
    "ProfileError",
    "Proposal",
    "ReceiptError",
    "RecordNotFoundError",
    "SignatureRequiredError",
    "Signer",
    "Status",
    "SubmitError",
    "SubmittedTransaction",
    "TaxInvoices",
    "Timeout",
    "Timeouts",
    "Transaction",
    "Transport",
    "UnavailableError",
    "X509Identity",
    "connect",
    "new_grpc_channel",
    "new_private_key_signer",
    "no_hash",
    "sha256",
    "sha384",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
