"""The stub interface seen by contracts (implemented by the peer and memory stubs)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from ._types import ChaincodeResponse, KeyModification, KeyValue, QueryMetadata, TxTimestamp

__all__ = ["ChaincodeStub"]


class ChaincodeStub(Protocol):
    """Access to the transaction proposal and to the ledger during one invocation.

    A peer ERROR reply to any ledger call raises ``PeerError``.
    """

    def get_tx_id(self) -> str:
        """The transaction ID."""

    def get_channel_id(self) -> str:
        """The channel the transaction runs on."""

    def get_tx_timestamp(self) -> TxTimestamp:
        """The client-chosen timestamp from the proposal's channel header."""

    def get_creator(self) -> bytes:
        """The submitter's serialized ``msp.SerializedIdentity``."""

    def get_signed_proposal(self) -> Any:
        """The ``peer.SignedProposal`` (None on the memory ledger)."""

    def get_binding(self) -> bytes:
        """SHA-256 of nonce, creator and epoch (binds the proposal to the transaction)."""

    def get_args(self) -> list[bytes]:
        """All arguments as bytes, function name first."""

    def get_function_and_parameters(self) -> tuple[str, list[str]]:
        """The function name and the remaining arguments as strings."""

    def get_transient(self) -> dict[str, bytes]:
        """The proposal's transient map (never written to the ledger)."""

    def get_state(self, key: str) -> bytes:
        """Committed value of ``key`` (b"" when absent); own writes are not visible."""

    def get_multiple_states(self, *keys: str) -> list[bytes]:
        """Committed values of several keys, in order."""

    def put_state(self, key: str, value: bytes) -> None:
        """Write ``key`` (an empty value deletes it, as in Fabric)."""

    def del_state(self, key: str) -> None:
        """Delete ``key``."""

    def get_state_by_range(self, start_key: str, end_key: str) -> Iterator[KeyValue]:
        """Keys in ``[start_key, end_key)``; empty bounds are open, composite keys excluded."""

    def get_state_by_range_with_pagination(
        self, start_key: str, end_key: str, page_size: int, bookmark: str
    ) -> tuple[list[KeyValue], QueryMetadata]:
        """One page of a range query; pass the returned bookmark to continue."""

    def create_composite_key(self, object_type: str, attributes: Sequence[str]) -> str:
        """Build a composite key (raises ContractError ``BAD_KEY`` for bad parts)."""

    def split_composite_key(self, key: str) -> tuple[str, list[str]]:
        """Split a composite key into object type and attributes."""

    def get_state_by_partial_composite_key(
        self, object_type: str, attributes: Sequence[str]
    ) -> Iterator[KeyValue]:
        """Composite keys of ``object_type`` starting with ``attributes``."""

    def get_state_by_partial_composite_key_with_pagination(
        self, object_type: str, attributes: Sequence[str], page_size: int, bookmark: str
    ) -> tuple[list[KeyValue], QueryMetadata]:
        """One page of a partial composite key query."""

    def get_history_for_key(self, key: str) -> Iterator[KeyModification]:
        """Committed modifications of ``key``."""

    def get_private_data(self, collection: str, key: str) -> bytes:
        """Private value of ``key`` in ``collection`` (b"" when absent)."""

    def get_private_data_hash(self, collection: str, key: str) -> bytes:
        """SHA-256 of the private value (readable by non-members; b"" when absent)."""

    def put_private_data(self, collection: str, key: str, value: bytes) -> None:
        """Write a private value."""

    def del_private_data(self, collection: str, key: str) -> None:
        """Delete a private value."""

    def purge_private_data(self, collection: str, key: str) -> None:
        """Delete a private value and purge its history from private stores."""

    def get_private_data_by_range(
        self, collection: str, start_key: str, end_key: str
    ) -> Iterator[KeyValue]:
        """Private keys in ``[start_key, end_key)``."""

    def get_private_data_by_partial_composite_key(
        self, collection: str, object_type: str, attributes: Sequence[str]
    ) -> Iterator[KeyValue]:
        """Private composite keys matching a prefix."""

    def set_event(self, name: str, payload: bytes) -> None:
        """Set the transaction's chaincode event (a later call replaces it)."""

    def set_state_validation_parameter(self, key: str, ep: bytes) -> None:
        """Set the key-level endorsement policy (SignaturePolicyEnvelope bytes)."""

    def get_state_validation_parameter(self, key: str) -> bytes:
        """The key-level endorsement policy of ``key`` (b"" when none)."""

    def set_private_data_validation_parameter(self, collection: str, key: str, ep: bytes) -> None:
        """Set the key-level endorsement policy of a private key."""

    def get_private_data_validation_parameter(self, collection: str, key: str) -> bytes:
        """The key-level endorsement policy of a private key."""

    def invoke_chaincode(
        self, chaincode_name: str, args: Sequence[bytes], channel: str = ""
    ) -> ChaincodeResponse:
        """Call another chaincode in this transaction; its response is returned as data."""
