"""Fake network manager and fake SDK session for the CLI tests."""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fabric_pilot_cli._profiles import IdentityInfo
from fabric_pilot_cli._sdk import OnCommit, Submitted, sector_client
from fabric_pilot_gateway import errors as sdk_errors
from fabric_pilot_gateway.commit import Committed, Status
from fabric_pilot_gateway.errors import ErrorDetail, GatewayError, specific_error
from fabric_pilot_gateway.sectors import SectorClient, rejection_from
from fabric_pilot_network.errors import UnknownProcessError

BATCH_FUNCTIONS = {"issue_invoices": "invoices", "record_readings": "readings"}


def _canonical(text: str) -> str:
    return json.dumps(json.loads(text), sort_keys=True)


def _raised_by_sdk(
    stage: type[GatewayError],
    message: str,
    code: str,
    details: list[ErrorDetail] | None,
    transaction_id: str,
) -> GatewayError:
    """What the SDK's clients raise for a failed call: the transport's specific error, or the
    contract's typed rejection it carries."""
    error = specific_error(
        stage, message, code=code, details=details or [], transaction_id=transaction_id
    )
    return rejection_from(error) or error  # fmt: skip


def EndorseError(
    message: str, code: str = "ABORTED", details: list[ErrorDetail] | None = None
) -> GatewayError:
    """What the SDK raises for a failed endorsement."""
    return _raised_by_sdk(sdk_errors.EndorseError, message, code, details, "tx-endorse")


def EvaluateError(
    message: str, code: str = "ABORTED", details: list[ErrorDetail] | None = None
) -> GatewayError:
    """What the SDK raises for a failed evaluation."""
    return _raised_by_sdk(sdk_errors.EvaluateError, message, code, details, "tx-evaluate")


def CommitError(transaction_id: str, code_name: str) -> sdk_errors.CommitError:
    """The SDK's ``CommitError``."""
    return sdk_errors.CommitError(
        f"{transaction_id} {code_name}", transaction_id=transaction_id, code=11,
        code_name=code_name,
    )  # fmt: skip


Detail = ErrorDetail


@dataclass
class FakeNodeStatus:
    name: str
    kind: str
    pid: int | None
    running: bool
    ports: dict[str, int]
    heights: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class FakeRecord:
    log_file: str


@dataclass
class FakeDeployResult:
    name: str
    channel: str
    version: str
    sequence: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class FakeDefinition:
    name: str
    channel: str = "mychannel"
    version: str = "1.0"
    server: str = "pkg.mod:CHAINCODE"
    endorsement_policy: str | None = None
    collections: tuple[Any, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name}_{self.version}"

    def replace(self, **changes: Any) -> FakeDefinition:
        values = {key: value for key, value in changes.items() if value is not None}
        return FakeDefinition(**{**self.__dict__, **values})


@dataclass
class FakeNetwork:
    directory: Path
    calls: list[str] = field(default_factory=list)
    processes: dict[str, FakeRecord] = field(default_factory=dict)
    chaincodes: dict[str, Any] = field(default_factory=dict)

    def up(self, progress: Any, source_topology: Path | None = None) -> None:
        self.calls.append(f"up:{source_topology}")
        progress("fake network is up")

    running: tuple[bool, bool] = (True, False)

    def status(self, with_heights: bool = True) -> list[FakeNodeStatus]:
        self.calls.append("status")
        orderer, peer = self.running
        return [
            FakeNodeStatus("orderer0.example.com", "orderer", 101, orderer, {"listen": 7050}, {}),
            FakeNodeStatus(
                "peer0.org1.example.com", "peer", None, peer, {"listen": 7053}, {"mychannel": 4}
            ),
        ]

    def stop(self, progress: Any) -> list[str]:
        self.calls.append("stop")
        progress("stopped peer0")
        return ["peer0"]

    def start(self, progress: Any) -> None:
        self.calls.append("start")

    def down(self, progress: Any) -> None:
        self.calls.append("down")

    def log_tail(self, name: str, lines: int) -> str:
        if name not in self.processes:
            raise UnknownProcessError(f"no process called {name!r} (known: none)")
        return f"{name}:{lines}"


def make_identity_files(root: Path, common_name: str = "User1@org1.example.com") -> Path:
    """An MSP folder with a self-signed cert and its key; returns the msp dir."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "client"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    msp = root / "msp"
    (msp / "signcerts").mkdir(parents=True)
    (msp / "keystore").mkdir()
    (msp / "signcerts" / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (msp / "keystore" / "priv_sk").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return msp


def write_profiles(directory: Path) -> None:
    """Two org profiles (Org1 with User1/Admin, Org2 with User1) as network up writes them."""
    for org, channels in (("Org1", ["mychannel", "tax"]), ("Org2", ["mychannel"])):
        users = {}
        for user, role in (("Admin", "admin"), ("User1", "client")):
            msp = make_identity_files(
                directory / "crypto" / org / user, f"{user}@{org.lower()}.example.com"
            )
            users[user] = {"mspDir": str(msp), "role": role}
        peer = f"peer0.{org.lower()}.example.com"
        document = {
            "name": f"fabric-pilot-dev-{org}",
            "organizations": {org: {"mspid": f"{org}MSP", "peers": [peer]}},
            "peers": {peer: {"url": "grpcs://127.0.0.1:7051", "tlsCACerts": {"pem": "PEM"}}},
            "x-fabric-pilot": {
                "network": "dev",
                "org": org,
                "mspId": f"{org}MSP",
                "gatewayPeer": peer,
                "channels": channels,
                "defaultUser": "User1",
                "users": users,
            },
        }
        (directory / "profiles").mkdir(parents=True, exist_ok=True)
        (directory / "profiles" / f"{org}.json").write_text(json.dumps(document))


def fake_identity(channel: str = "mychannel") -> IdentityInfo:
    return IdentityInfo(
        network="dev",
        directory=Path("/net"),
        org="Org1",
        msp_id="Org1MSP",
        user="User1",
        role="client",
        msp_dir=Path("/nonexistent/msp"),
        channel=channel,
        channels=(channel,),
        gateway_peer="peer0.org1.example.com",
        endpoint="127.0.0.1:7051",
        tls_ca_pem="PEM",
        profile={},
    )


@dataclass
class Call:
    kind: str
    chaincode: str
    function: str
    args: list[str]
    transient: dict[str, bytes] | None = None
    endorsing_orgs: tuple[str, ...] = ()


class FakeLedger:
    """What the fake session writes to: records create-if-absent by natural key."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.committed: dict[str, str] = {}
        self.results: dict[str, Any] = {}
        self.errors: dict[str, BaseException] = {}
        self.crash_on_call: int | None = None
        self.crash_after_commit_on_call: int | None = None
        self.events: list[dict[str, Any]] = []
        self.acknowledged: list[str] = []
        self.key_of = lambda args: args[0] if args else ""
        self.payloads: dict[str, str] = {}
        self.lock = threading.RLock()  # imports submit from several threads

    def record(self, call: Call) -> None:
        self.calls.append(call)
        if self.crash_on_call is not None and len(self.calls) == self.crash_on_call:
            raise KeyboardInterrupt("simulated crash")
        error = self.errors.get(call.function)
        if error is not None:
            raise error

    def create(self, key: str, payload: str, tx_id: str) -> str:
        """Create-if-absent like the contracts: the transaction that holds ``key`` (an
        identical payload returns the earlier one); a different payload is refused."""
        if key in self.committed:
            if _canonical(self.payloads.get(key, "null")) != _canonical(payload):
                raise EndorseError(
                    "failed to endorse",
                    details=[
                        Detail("peer0", "Org1MSP", f"chaincode response 500, DUPLICATE_KEY: {key}")
                    ],
                )
            return self.committed[key]
        self.committed[key] = tx_id
        self.payloads[key] = payload
        return tx_id


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


class _FakeSubmitted:
    def __init__(self, submitted: Submitted) -> None:
        self._submitted = submitted

    def committed(self) -> Committed:
        tx_id, block = self._submitted.transaction_id, self._submitted.block_number or 0
        return Committed(self._submitted.result, Status(tx_id, 0, "VALID", True, block))


class FakeContract:
    """The SDK ``Contract`` seam of the typed sector clients, writing to the fake session."""

    def __init__(self, session: FakeSession, chaincode: str) -> None:
        self.session = session
        self.chaincode_name = chaincode

    def evaluate(
        self, name: str, args: Sequence[str | bytes] = (), *,
        transient: Mapping[str, str | bytes] | None = None,
        endorsing_organizations: Sequence[str] | None = None,
    ) -> bytes:  # fmt: skip
        return self.session.evaluate(
            self.chaincode_name, name, [_text(arg) for arg in args],
            transient=_bytes_map(transient), endorsing_orgs=endorsing_organizations or (),
        )  # fmt: skip

    def submit_async(
        self, name: str, args: Sequence[str | bytes] = (), *,
        transient: Mapping[str, str | bytes] | None = None,
        endorsing_organizations: Sequence[str] | None = None,
    ) -> _FakeSubmitted:  # fmt: skip
        return _FakeSubmitted(
            self.session.submit(
                self.chaincode_name, name, [_text(arg) for arg in args],
                transient=_bytes_map(transient), endorsing_orgs=endorsing_organizations or (),
            )
        )  # fmt: skip


def _bytes_map(values: Mapping[str, str | bytes] | None) -> dict[str, bytes] | None:
    if not values:
        return None
    return {
        key: value.encode() if isinstance(value, str) else value for key, value in values.items()
    }


class FakeSession:
    """In-memory stand-in for the Gateway session."""

    def __init__(self, ledger: FakeLedger, chaincode: str | None = None) -> None:
        self.ledger = ledger
        self.chaincode = chaincode
        self.closed = False

    @property
    def identity(self) -> IdentityInfo:
        return fake_identity()

    def evaluate(
        self,
        chaincode: str,
        function: str,
        args: Sequence[str],
        *,
        transient: Mapping[str, bytes] | None = None,
        endorsing_orgs: Sequence[str] = (),
    ) -> bytes:
        self.ledger.record(
            Call("evaluate", chaincode, function, list(args), dict(transient or {}) or None,
                 tuple(endorsing_orgs))
        )  # fmt: skip
        echo = {"function": function, "args": list(args)}
        default = [echo] if function.endswith("history") else echo  # as the contracts return
        result = self.ledger.results.get(function, default)
        return json.dumps(result).encode()

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
        call = Call("submit", chaincode, function, list(args), dict(transient or {}) or None,
                    tuple(endorsing_orgs))  # fmt: skip
        with self.ledger.lock:
            self.ledger.record(call)
            tx_id = f"tx{len(self.ledger.calls)}"
            if function in BATCH_FUNCTIONS:
                result = self._create_batch(function, args[0], tx_id)
            else:
                original = self.ledger.create(self.ledger.key_of(list(args)), args[0], tx_id)
                echo: dict[str, Any] = {"function": function, "args": list(args)}
                if original != tx_id:  # the stored record names the transaction that made it
                    echo["tx_id"] = original
                result = json.dumps(echo).encode()
            if self.ledger.crash_after_commit_on_call == len(self.ledger.calls):
                raise KeyboardInterrupt("simulated crash after commit")
        return Submitted(tx_id, result, 7 if wait else None, "VALID" if wait else "SUBMITTED")

    def _create_batch(self, function: str, documents_json: str, tx_id: str) -> bytes:
        """All rows or none; a refused row is named ``rows[i]`` like the contracts do."""
        documents = json.loads(documents_json)
        keys = [self.ledger.key_of([json.dumps(document)]) for document in documents]
        for index, (key, document) in enumerate(zip(keys, documents, strict=True)):
            stored = self.ledger.payloads.get(key)
            if stored is not None and _canonical(stored) != _canonical(json.dumps(document)):
                message = f"chaincode response 500, DUPLICATE_KEY: rows[{index}]: {key}"
                raise EndorseError("failed to endorse", details=[Detail("p", "O", message)])
        records = [
            dict(document, tx_id=self.ledger.create(key, json.dumps(document), tx_id))
            for key, document in zip(keys, documents, strict=True)
        ]
        return json.dumps({BATCH_FUNCTIONS[function]: records}).encode()

    def sector(self, chaincode: str, on_commit: OnCommit) -> SectorClient:
        """The SDK's real typed client over a fake contract that writes to the ledger."""
        return sector_client(chaincode, FakeContract(self, chaincode), on_commit)  # type: ignore[arg-type]

    def chaincode_events(
        self, chaincode: str, start_block: int | None, checkpoint_file: Path | None
    ) -> Iterator[tuple[dict[str, Any], Any]]:
        for event in self.ledger.events:
            if start_block is not None and event["block_number"] < start_block:
                continue
            yield event, (lambda e=event: self.ledger.acknowledged.append(e["transaction_id"]))

    def block_events(
        self, start_block: int | None, checkpoint_file: Path | None
    ) -> Iterator[tuple[dict[str, Any], Any]]:
        for number in range(start_block or 0, 5):
            block = self.block(number)
            yield block, (lambda n=number: self.ledger.acknowledged.append(f"block-{n}"))

    def chain_info(self) -> dict[str, Any]:
        return {"channel": "mychannel", "height": 5}

    def block(self, number: int) -> dict[str, Any]:
        if number >= 5:
            raise EvaluateError("no such block", code="UNKNOWN",
                                details=[Detail("p", "Org1MSP", "NOT_FOUND: block")])  # fmt: skip
        return {
            "number": number,
            "previous_hash": "00",
            "data_hash": f"{number:032x}",
            "transaction_count": 1,
            "transactions": [
                {"transaction_id": f"t{number}", "type": "ENDORSER_TRANSACTION",
                 "function": "issue", "validation": "VALID" if number % 2 else "MVCC_READ_CONFLICT"}
            ],
        }  # fmt: skip

    def transaction(self, transaction_id: str) -> dict[str, Any]:
        return {"transaction_id": transaction_id, "validation": "VALID", "block_number": 3}

    def export_receipt(self, chaincode: str, evidence_id: str) -> dict[str, Any]:
        return {"chaincode": chaincode, "evidence_id": evidence_id}

    def trust_anchors(self) -> dict[str, Any]:
        return {"channel": "justice", "genesis_block_hash": "00" * 32, "root_fingerprints": {}}

    def close(self) -> None:
        self.closed = True
