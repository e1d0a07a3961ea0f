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
"""

from ._transport import CloseableIterator, Transport, new_grpc_channel
from .checkpointers import Checkpointer, FileCheckpointer, InMemoryCheckpointer
from .commit import Commit, Status, SubmittedTransaction
from .contract import Arg, Contract
from .errors import (
    CommitError,
    CommitStatusError,
    CommitTimeoutError,
    EndorseError,
    EndorsementMismatchError,
    ErrorDetail,
    EvaluateError,
    EventsError,
    GatewayError,
    SignatureRequiredError,
    SubmitError,
)
from .event_requests import BlockEventsRequest, ChaincodeEventsRequest
from .events import BlockEventsIterator, ChaincodeEvent, ChaincodeEventsIterator
from .gateway import Gateway, connect
from .hashing import HashFunction, no_hash, sha256, sha384
from .identity import Identity, X509Identity
from .network import Network
from .options import DEFAULT, Default, Timeout, Timeouts
from .proposal import Proposal
from .sectors import ChaincodeRejectedError, CourtEvidence, EnergyMetering, TaxInvoices
from .signing import Signer, new_private_key_signer
from .transaction import Transaction

__all__ = [
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
    "EndorseError",
    "EndorsementMismatchError",
    "EnergyMetering",
    "ErrorDetail",
    "EvaluateError",
    "EventsError",
    "FileCheckpointer",
    "Gateway",
    "GatewayError",
    "HashFunction",
    "Identity",
    "InMemoryCheckpointer",
    "Network",
    "Proposal",
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
    "X509Identity",
    "connect",
    "new_grpc_channel",
    "new_private_key_signer",
    "no_hash",
    "sha256",
    "sha384",
]
