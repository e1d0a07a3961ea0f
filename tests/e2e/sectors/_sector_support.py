"""Helpers for the sector e2e tests: races, and waiting until every peer committed."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from fabric_protos.gateway import gateway_pb2

from fabric_pilot_gateway import (
    CommitError,
    Contract,
    EndorseError,
    Gateway,
    Proposal,
    Transaction,
)
from fabric_pilot_gateway.sectors import ChaincodeRejectedError, SectorClient, encode_args
from fabric_pilot_gateway.sectors import rejection_from as _rejection_from


@dataclass(frozen=True)
class Outcome:
    """What happened to one racing transaction."""

    transaction_id: str
    code_name: str  # TxValidationCode name, or "REJECTED:<contract code>" if endorsement failed


def proposal(client: SectorClient, name: str, *args: Any) -> Proposal:
    """An unsigned proposal for ``name`` with sector-encoded arguments."""
    return client.contract.new_proposal(name, encode_args(*args))


def _endorse(item: Proposal) -> Transaction | ChaincodeRejectedError:
    try:
        return item.endorse()
    except EndorseError as error:
        rejection = _rejection_from(error)
        if rejection is None:
            raise
        return rejection


def race(proposals: Sequence[Proposal], client: SectorClient) -> list[Outcome]:
    """Endorse every proposal concurrently, then submit the endorsed ones concurrently.

    Returns once every peer of the channel committed the submitted ones (``client`` must
    come from the conftest factories, whose contract can ``settle``).
    """
    with ThreadPoolExecutor(len(proposals)) as pool:
        endorsed = list(pool.map(_endorse, proposals))
        outcomes: dict[int, Outcome] = {}
        submitted = {}
        for index, item in enumerate(endorsed):
            if isinstance(item, ChaincodeRejectedError):
                tx_id = proposals[index].transaction_id
                outcomes[index] = Outcome(tx_id, f"REJECTED:{item.rejection_code}")
            else:
                submitted[index] = pool.submit(lambda tx: tx.submit().status(), item)
        for index, future in submitted.items():
            status = future.result()
            outcomes[index] = Outcome(status.transaction_id, status.code_name)
    ordered = [outcomes[index] for index in range(len(proposals))]
    for outcome in ordered:
        if not outcome.code_name.startswith("REJECTED:"):
            client.contract.settle(outcome.transaction_id)  # type: ignore[attr-defined]
    return ordered


CHANNEL_MEMBERS = {
    "tax": [("TaxBureau", "Officer1"), ("EnterpriseA", "Seller1"), ("EnterpriseB", "Seller1")],
    "energy": [
        ("GridOperator", "Operator1"),
        ("Generator", "Operator1"),
        ("EnterpriseA", "Seller1"),
        ("EnterpriseB", "Seller1"),
    ],
    "justice": [
        ("Court", "Judge1"),
        ("Notary", "Notary1"),
        ("EnterpriseA", "Seller1"),
        ("EnterpriseB", "Seller1"),
    ],
}
"""One user per organisation of each channel (each org runs one peer)."""


def wait_committed(gateway: Gateway, channel: str, transaction_id: str) -> None:
    """Block until ``gateway``'s peer has committed ``transaction_id`` (valid or not)."""
    request = gateway_pb2.CommitStatusRequest(
        transaction_id=transaction_id, channel_id=channel, identity=gateway.identity.serialize()
    )
    signed = gateway_pb2.SignedCommitStatusRequest(request=request.SerializeToString())
    gateway.new_signed_commit(signed.SerializeToString(), b"").status()


class SyncedContract:
    """A Contract whose ``submit`` returns once every org's peer on the channel committed.

    Peers commit a block at slightly different moments; without this a test that writes
    through one org and reads through another could read a ledger one block behind.
    """

    def __init__(self, contract: Contract, channel: str, peers: Sequence[Gateway]) -> None:
        self._contract = contract
        self._channel = channel
        self._peers = list(peers)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._contract, name)

    def settle(self, transaction_id: str) -> None:
        """Wait until every peer of the channel committed ``transaction_id``."""
        for gateway in self._peers:
            wait_committed(gateway, self._channel, transaction_id)

    def submit(self, name: str, args: Sequence[Any] = (), **options: Any) -> bytes:
        """Submit, wait for commit here and on every other peer of the channel.

        Raises:
            CommitError: If the transaction committed invalid.
        """
        submitted = self._contract.submit_async(name, args, **options)
        status = submitted.status()
        if not status.successful:
            raise CommitError(
                f"{name} committed as {status.code_name}",
                transaction_id=status.transaction_id,
                code=status.code,
                code_name=status.code_name,
            )
        self.settle(submitted.transaction_id)
        return submitted.result
