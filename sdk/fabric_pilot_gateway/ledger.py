"""Ledger queries through system chaincodes (qscc, _lifecycle) via Contract.evaluate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._protos import common_pb2, ledger_pb2, lifecycle_pb2, transaction_pb2
from .network import Network

__all__ = [
    "ChainInfo",
    "CommittedChaincode",
    "get_block",
    "get_block_by_transaction_id",
    "get_chain_info",
    "get_transaction",
    "query_committed_chaincodes",
]

QSCC = "qscc"
LIFECYCLE = "_lifecycle"


@dataclass(frozen=True)
class ChainInfo:
    """Channel height and the hashes of its last two blocks."""

    height: int
    current_block_hash: bytes
    previous_block_hash: bytes


@dataclass(frozen=True)
class CommittedChaincode:
    """A chaincode definition committed on a channel."""

    name: str
    version: str
    sequence: int
    endorsement_plugin: str
    validation_plugin: str
    init_required: bool
    collection_names: tuple[str, ...]


def get_chain_info(network: Network) -> ChainInfo:
    """Return the channel's height and latest block hashes (qscc GetChainInfo).

    Raises:
        EvaluateError: If the query fails.
    """
    raw = network.get_contract(QSCC).evaluate("GetChainInfo", [network.name])
    info = ledger_pb2.BlockchainInfo.FromString(raw)
    return ChainInfo(int(info.height), info.currentBlockHash, info.previousBlockHash)


def get_block(network: Network, number: int) -> Any:
    """Return block ``number`` as a ``common.Block`` (qscc GetBlockByNumber)."""
    raw = network.get_contract(QSCC).evaluate("GetBlockByNumber", [network.name, str(number)])
    return common_pb2.Block.FromString(raw)


def get_block_by_transaction_id(network: Network, transaction_id: str) -> Any:
    """Return the ``common.Block`` containing ``transaction_id`` (qscc GetBlockByTxID)."""
    raw = network.get_contract(QSCC).evaluate("GetBlockByTxID", [network.name, transaction_id])
    return common_pb2.Block.FromString(raw)


def get_transaction(network: Network, transaction_id: str) -> Any:
    """Return a ``peer.ProcessedTransaction`` (qscc GetTransactionByID).

    Its ``validationCode`` holds the ``TxValidationCode``.
    """
    raw = network.get_contract(QSCC).evaluate("GetTransactionByID", [network.name, transaction_id])
    return transaction_pb2.ProcessedTransaction.FromString(raw)


def query_committed_chaincodes(network: Network) -> list[CommittedChaincode]:
    """List chaincode definitions committed on the channel (_lifecycle)."""
    args = lifecycle_pb2.QueryChaincodeDefinitionsArgs().SerializeToString()
    raw = network.get_contract(LIFECYCLE).evaluate("QueryChaincodeDefinitions", [args])
    result = lifecycle_pb2.QueryChaincodeDefinitionsResult.FromString(raw)
    return [
        CommittedChaincode(
            name=definition.name,
            version=definition.version,
            sequence=int(definition.sequence),
            endorsement_plugin=definition.endorsement_plugin,
            validation_plugin=definition.validation_plugin,
            init_required=bool(definition.init_required),
            collection_names=tuple(
                c.static_collection_config.name for c in definition.collections.config
            ),
        )
        for definition in result.chaincode_definitions
    ]
