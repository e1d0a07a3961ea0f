"""The only module that talks to the Gateway SDK. Tests replace :data:`open_session`.

A :class:`Session` is one signed-in identity on one channel, with plain-data results
(bytes, dicts), so commands never touch SDK objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ._profiles import IdentityInfo, resolve_identity
from ._settings import Settings

if TYPE_CHECKING:
    from fabric_pilot_gateway.commit import Committed
    from fabric_pilot_gateway.contract import Contract
    from fabric_pilot_gateway.sectors import SectorClient

__all__ = [
    "SECTOR_CLIENTS",
    "Acknowledge",
    "OnCommit",
    "CaSession",
    "FabricCaSession",
    "GatewaySession",
    "Revocation",
    "Session",
    "Submitted",
    "decode_result",
    "deployed_channel",
    "open_ca",
    "open_session",
]

Acknowledge = Callable[[], None]
OnCommit = Callable[["Committed"], None]

SECTOR_CLIENTS = {
    "tax_invoice": "TaxInvoices",
    "energy_metering": "EnergyMetering",
    "court_evidence": "CourtEvidence",
}
"""The SDK's typed client (in ``fabric_pilot_gateway.sectors``) of each sector chaincode."""


def sector_client(chaincode: str, contract: Contract, on_commit: OnCommit) -> SectorClient:
    """The SDK's typed client of ``chaincode`` over ``contract``.

    Raises:
        KeyError: ``chaincode`` is not a sector chaincode.
    """
    from fabric_pilot_gateway import sectors

    client_class: type[SectorClient] = getattr(sectors, SECTOR_CLIENTS[chaincode])
    return client_class(contract, on_commit=on_commit)


@dataclass(frozen=True)
class Submitted:
    """A submitted transaction: its ID, the chaincode's result and, once known, its block."""

    transaction_id: str
    result: bytes
    block_number: int | None = None
    status: str = "VALID"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the result decoded as JSON when it is JSON)."""
        return {
            "transaction_id": self.transaction_id,
            "status": self.status,
            "block_number": self.block_number,
            "result": decode_result(self.result),
        }


def decode_result(raw: bytes) -> Any:
    """Chaincode results as JSON when they are JSON, else text, else hex."""
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.hex()
    try:
        return json.loads(text)
    except ValueError:
        return text


class Session(Protocol):
    """What commands can do on a channel."""

    @property
    def identity(self) -> IdentityInfo:
        """Who this session acts as."""
        ...

    def evaluate(
        self,
        chaincode: str,
        function: str,
        args: Sequence[str],
        *,
        transient: Mapping[str, bytes] | None = None,
        endorsing_orgs: Sequence[str] = (),
    ) -> bytes:
        """Evaluate a transaction function."""
        ...

    def submit(
        self,
        chaincode: str,
        function: str,
        args: Sequence[str],
        *,
        transient: Mapping[str, bytes] | None = None,
        endorsing_orgs: Sequence[str] = (),
        wait: bool = True,
    ) -> Submitted:
        """Submit a transaction (and wait for its commit unless ``wait`` is False)."""
        ...

    def sector(self, chaincode: str, on_commit: OnCommit) -> SectorClient:
        """The SDK's typed client of a sector chaincode; ``on_commit`` sees each commit."""
        ...

    def chaincode_events(
        self, chaincode: str, start_block: int | None, checkpoint_file: Path | None
    ) -> Iterator[tuple[dict[str, Any], Acknowledge]]:
        """Chaincode events with a function that checkpoints each one."""
        ...

    def block_events(
        self, start_block: int | None, checkpoint_file: Path | None
    ) -> Iterator[tuple[dict[str, Any], Acknowledge]]:
        """Block summaries with a function that checkpoints each block."""
        ...

    def chain_info(self) -> dict[str, Any]:
        """Channel height and hashes."""
        ...

    def block(self, number: int) -> dict[str, Any]:
        """A block summary."""
        ...

    def transaction(self, transaction_id: str) -> dict[str, Any]:
        """A transaction summary."""
        ...

    def export_receipt(self, chaincode: str, evidence_id: str) -> dict[str, Any]:
        """A receipt for a record that a third party can verify offline."""
        ...

    def trust_anchors(self) -> dict[str, Any]:
        """The channel's genesis block hash and root CA fingerprints, to publish."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def deployed_channel(directory: Path, chaincode: str) -> str | None:
    """The channel a chaincode was deployed on (from DIR/network.json), if known."""
    try:
        state = json.loads((directory / "network.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entry = state.get("chaincodes", {}).get(chaincode)
    return str(entry["channel"]) if entry and entry.get("channel") else None


def _acknowledger(checkpointer: Any, event: Any) -> Acknowledge:
    def acknowledge() -> None:
        if checkpointer is not None:
            checkpointer.checkpoint_chaincode_event(event)

    return acknowledge


class GatewaySession:
    """A real Gateway connection for one identity (gRPC channel owned and closed here)."""

    def __init__(self, info: IdentityInfo) -> None:
        from fabric_pilot_gateway import connect
        from fabric_pilot_gateway.loaders import load_msp_folder
        from fabric_pilot_gateway.profiles import GatewayProfile

        self._info = info
        identity, signer = load_msp_folder(info.msp_dir, info.msp_id)
        profile = GatewayProfile.from_dict(info.profile, base_dir=info.directory / "profiles")
        self._channel = profile.new_channel()
        self._gateway = connect(client=self._channel, identity=identity, signer=signer)
        self._network = self._gateway.get_network(info.channel)

    @property
    def identity(self) -> IdentityInfo:
        """Who this session acts as."""
        return self._info

    def evaluate(
        self,
        chaincode: str,
        function: str,
        args: Sequence[str],
        *,
        transient: Mapping[str, bytes] | None = None,
        endorsing_orgs: Sequence[str] = (),
    ) -> bytes:
        """Evaluate a transaction function (no ledger update)."""
        from fabric_pilot_gateway.sectors import SectorClient

        client = SectorClient(self._network.get_contract(chaincode))
        return client.evaluate_transaction(
            function, list(args), transient=transient, endorsing_organizations=endorsing_orgs
        )

    def submit(
        self,
        chaincode: str,
        function: str,
        args: Sequence[str],
        *,
        transient: Mapping[str, bytes] | None = None,
        endorsing_orgs: Sequence[str] = (),
        wait: bool = True,
    ) -> Submitted:
        """Endorse, order and (unless ``wait`` is False) wait for the commit.

        Raises:
            ChaincodeRejectedError: the contract refused the transaction.
            CommitError: the transaction committed as invalid.
        """
        from fabric_pilot_gateway.sectors import SectorClient

        contract = self._network.get_contract(chaincode)
        if not wait:
            submitted = contract.submit_async(
                function, list(args), transient=transient, endorsing_organizations=endorsing_orgs
            )
            return Submitted(submitted.transaction_id, submitted.result, None, "SUBMITTED")
        committed = SectorClient(contract).submit_transaction(
            function, list(args), transient=transient, endorsing_organizations=endorsing_orgs
        )
        return Submitted(
            committed.transaction_id,
            committed.result,
            committed.block_number,
            committed.status.code_name,
        )

    def sector(self, chaincode: str, on_commit: OnCommit) -> SectorClient:
        """The SDK's typed client of a sector chaincode; ``on_commit`` sees each commit."""
        return sector_client(chaincode, self._network.get_contract(chaincode), on_commit)

    def chaincode_events(
        self, chaincode: str, start_block: int | None, checkpoint_file: Path | None
    ) -> Iterator[tuple[dict[str, Any], Acknowledge]]:
        """Chaincode events as (dict, acknowledge); with a checkpoint file, acknowledging an
        event records it so a later listen resumes after it."""
        from fabric_pilot_gateway import FileCheckpointer

        checkpointer = FileCheckpointer(checkpoint_file) if checkpoint_file else None
        with self._network.chaincode_events(
            chaincode, start_block=start_block, checkpointer=checkpointer
        ) as events:
            for event in events:
                data = {
                    "block_number": event.block_number,
                    "transaction_id": event.transaction_id,
                    "chaincode": event.chaincode_name,
                    "event_name": event.event_name,
                    "payload": decode_result(event.payload),
                }
                yield data, _acknowledger(checkpointer, event)

    def block_events(
        self, start_block: int | None, checkpoint_file: Path | None
    ) -> Iterator[tuple[dict[str, Any], Acknowledge]]:
        """Committed blocks summarised (number, transactions and their validation codes) as
        (dict, acknowledge); acknowledging a block checkpoints it."""
        from fabric_pilot_gateway import FileCheckpointer
        from fabric_pilot_gateway.summaries import block_summary

        checkpointer = FileCheckpointer(checkpoint_file) if checkpoint_file else None
        with self._network.block_events(
            start_block=start_block, checkpointer=checkpointer
        ) as blocks:
            for block in blocks:
                number = int(block.header.number)

                def acknowledge(number: int = number) -> None:
                    if checkpointer is not None:
                        checkpointer.checkpoint_block(number)

                yield block_summary(block), acknowledge

    def chain_info(self) -> dict[str, Any]:
        """Height and latest block hashes of the channel."""
        from fabric_pilot_gateway.ledger import get_chain_info

        info = get_chain_info(self._network)
        return {
            "channel": self._info.channel,
            "height": info.height,
            "current_block_hash": info.current_block_hash.hex(),
            "previous_block_hash": info.previous_block_hash.hex(),
        }

    def block(self, number: int) -> dict[str, Any]:
        """Block ``number`` summarised (header, transactions, validation codes)."""
        from fabric_pilot_gateway.ledger import get_block
        from fabric_pilot_gateway.summaries import block_summary

        return block_summary(get_block(self._network, number))

    def transaction(self, transaction_id: str) -> dict[str, Any]:
        """A committed transaction summarised, with its validation code and block."""
        from fabric_pilot_gateway.ledger import get_block_by_transaction_id, get_transaction
        from fabric_pilot_gateway.summaries import transaction_summary

        processed = get_transaction(self._network, transaction_id)
        block = get_block_by_transaction_id(self._network, transaction_id)
        return transaction_summary(processed, int(block.header.number))

    def export_receipt(self, chaincode: str, evidence_id: str) -> dict[str, Any]:
        """A verification receipt for ``evidence_id`` (record, block, header chain, signatures,
        and the peers' signed state proof)."""
        from fabric_pilot_gateway.sectors import export_evidence_receipt

        return export_evidence_receipt(self._network, evidence_id, chaincode=chaincode)

    def trust_anchors(self) -> dict[str, Any]:
        """The channel's genesis block hash and root CA fingerprints, to publish."""
        from fabric_pilot_gateway.receipts import channel_trust_anchors

        return channel_trust_anchors(self._network)

    def close(self) -> None:
        """Close the gRPC channel."""
        self._channel.close()


def _open_session(settings: Settings, chaincode: str | None = None) -> Session:
    preferred = deployed_channel(settings.directory, chaincode) if chaincode else None
    return GatewaySession(resolve_identity(settings, preferred))


open_session: Callable[..., Session] = _open_session
"""Factory used by every command: ``open_session(settings, chaincode=None) -> Session``."""


def verify_receipt(receipt: dict[str, Any], anchors: Mapping[str, Any]) -> dict[str, Any]:
    """Verify a receipt offline (no network) and summarise what it proves.

    Args:
        anchors: ``{genesis_block_hash?, root_fingerprints?}`` pinned by the verifier.

    Raises:
        ReceiptError: the receipt does not verify; the message names the failed check.
        ValueError: the anchors are malformed.
    """
    from dataclasses import asdict

    from fabric_pilot_gateway.receipts import TrustAnchors
    from fabric_pilot_gateway.receipts import verify_receipt as verify

    return asdict(verify(receipt, anchors=TrustAnchors.from_json(anchors)))


@dataclass(frozen=True)
class Revocation:
    """What a revocation at the CA did: the certificates it revoked (serial and authority key
    identifier, hex) and the CA's CRL (PEM) made then, empty when nothing was left to revoke."""

    certificates: tuple[dict[str, str], ...]
    crl: bytes

    def to_json(self) -> dict[str, Any]:
        """The revoked certificates, JSON-ready (the CRL is left out)."""
        return {"revoked": list(self.certificates)}


class CaSession(Protocol):
    """What ``identity`` commands can do with the org's Fabric CA."""

    @property
    def identity(self) -> IdentityInfo:
        """The registrar and org."""
        ...

    def register(
        self, name: str, *, secret: str | None, type_: str, affiliation: str,
        attributes: Sequence[tuple[str, str, bool]], max_enrollments: int | None,
    ) -> str:  # fmt: skip
        """Register ``name``; return its enrolment secret."""
        ...

    def enroll(self, name: str, secret: str, attributes: Sequence[str]) -> Path:
        """Enrol ``name``; write its MSP folder into the wallet and return it."""
        ...

    def list_identities(self) -> list[dict[str, Any]]:
        """Identities the registrar may see."""
        ...

    def revoke(self, name: str, reason: str) -> Revocation:
        """Revoke every certificate of ``name``; the result carries the CA's new CRL."""
        ...

    def crl(self) -> bytes:
        """The CA's current CRL (PEM)."""
        ...


class FabricCaSession:
    """The org's Fabric CA (from its connection profile), acting as a registrar user."""

    def __init__(self, info: IdentityInfo) -> None:
        from fabric_pilot_gateway.ca_client import FabricCAClient
        from fabric_pilot_gateway.loaders import load_msp_folder
        from fabric_pilot_gateway.profiles import GatewayProfile

        from ._errors import EXIT_NOT_FOUND, CliError

        profile = GatewayProfile.from_dict(info.profile, base_dir=info.directory / "profiles")
        if not profile.certificate_authorities:
            raise CliError(
                f"{info.org} has no Fabric CA (start the network with 'network up --ca')",
                EXIT_NOT_FOUND,
            )
        ca = next(iter(profile.certificate_authorities.values()))
        self._info = info
        self._client = FabricCAClient(ca.url, ca.ca_name, ca.tls_ca_pem or None)
        self._registrar = load_msp_folder(info.msp_dir, info.msp_id)
        self._ca_chain = ca.tls_ca_pem

    @property
    def identity(self) -> IdentityInfo:
        """The registrar and org."""
        return self._info

    def register(
        self, name: str, *, secret: str | None, type_: str, affiliation: str,
        attributes: Sequence[tuple[str, str, bool]], max_enrollments: int | None,
    ) -> str:  # fmt: skip
        """Register ``name``; return its enrolment secret."""
        from fabric_pilot_gateway.ca_client import Attribute

        return self._client.register(
            self._registrar, name, affiliation=affiliation, type=type_,
            attributes=[Attribute(key, value, ecert) for key, value, ecert in attributes],
            secret=secret, max_enrollments=max_enrollments,
        )  # fmt: skip

    def enroll(self, name: str, secret: str, attributes: Sequence[str]) -> Path:
        """Enrol ``name``; write its MSP folder into the wallet and return it."""
        from fabric_pilot_gateway.ca_client import AttributeRequest
        from fabric_pilot_gateway.loaders import write_msp_folder

        from ._profiles import wallet_dir

        requests = [AttributeRequest(attribute) for attribute in attributes]
        enrollment = self._client.enroll(name, secret, attributes=requests)
        return write_msp_folder(
            wallet_dir(self._info.directory, self._info.org, name),
            enrollment.certificate_pem,
            enrollment.private_key_pem(),
            enrollment.ca_chain_pem or self._ca_chain,
        )

    def list_identities(self) -> list[dict[str, Any]]:
        """Identities the registrar may see."""
        return [
            {
                "id": item.id, "type": item.type, "affiliation": item.affiliation,
                "max_enrollments": item.max_enrollments,
                "attributes": {attribute.name: attribute.value for attribute in item.attributes},
            }
            for item in self._client.list_identities(self._registrar)
        ]  # fmt: skip

    def revoke(self, name: str, reason: str) -> Revocation:
        """Revoke every certificate of ``name``; the result carries the CA's new CRL."""
        from fabric_pilot_gateway.ca_client import crl_of

        result = self._client.revoke(self._registrar, name, reason=reason, gen_crl=True)
        certificates = tuple(
            {"serial": str(item.get("Serial", "")), "aki": str(item.get("AKI", ""))}
            for item in result.get("RevokedCerts") or []
        )
        return Revocation(certificates, crl_of(result))

    def crl(self) -> bytes:
        """The CA's current CRL (PEM); the registrar needs ``hf.GenCRL``.

        Raises:
            CliError: the registrar may not generate CRLs (exit 1).
        """
        from fabric_pilot_gateway.ca_client import FabricCAError

        from ._errors import EXIT_ERROR, CliError

        try:
            return self._client.generate_crl(self._registrar)
        except FabricCAError as exc:
            if exc.status != 403:
                raise
            raise CliError(
                f"Fabric CA: {self._info.user} may not generate the CA's CRL (no hf.GenCRL)",
                EXIT_ERROR,
            ) from exc

    def close(self) -> None:
        """Nothing to release (one HTTP connection per request)."""


def _open_ca(settings: Settings) -> CaSession:
    import dataclasses

    registrar = settings.user or "Admin"
    return FabricCaSession(resolve_identity(dataclasses.replace(settings, user=registrar)))


open_ca: Callable[[Settings], CaSession] = _open_ca
"""Factory used by ``identity`` commands: the org's CA acting as ``--as`` user (or Admin)."""
