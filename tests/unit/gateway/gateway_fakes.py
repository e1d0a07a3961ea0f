"""Test doubles for the Gateway SDK unit tests: credentials and a fake transport."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import (
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)


@dataclass
class Credentials:
    key: ec.EllipticCurvePrivateKey
    certificate_pem: bytes
    key_pem: bytes


def make_credentials(
    common_name: str = "User1@org1.example.com",
    *,
    key: Any = None,
    issuer_key: Any = None,
    issuer_name: str | None = None,
    is_ca: bool = False,
    sans: Iterable[x509.GeneralName] = (),
) -> Credentials:
    """Self-signed (or issuer-signed) certificate for ``key``."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name or common_name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    sans = list(sans)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return Credentials(key, cert.public_bytes(serialization.Encoding.PEM), key_pem)


def write_msp(root: Path, credentials: Credentials, *, decoy: bool = True) -> Path:
    (root / "signcerts").mkdir(parents=True)
    (root / "keystore").mkdir()
    (root / "signcerts" / "cert.pem").write_bytes(credentials.certificate_pem)
    if decoy:
        (root / "keystore" / "aaa_sk").write_bytes(make_credentials("other").key_pem)
    (root / "keystore" / "priv_sk").write_bytes(credentials.key_pem)
    return root


def prepared_envelope(signed_proposal: Any, result: bytes) -> Any:
    """Build the envelope a Gateway returns from Endorse, carrying ``result``."""
    proposal = proposal_pb2.Proposal.FromString(signed_proposal.proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    action = proposal_pb2.ChaincodeAction(
        response=proposal_response_pb2.Response(status=200, payload=result)
    )
    response_payload = proposal_response_pb2.ProposalResponsePayload(
        proposal_hash=b"hash", extension=action.SerializeToString()
    )
    action_payload = transaction_pb2.ChaincodeActionPayload(
        chaincode_proposal_payload=proposal.payload,
        action=transaction_pb2.ChaincodeEndorsedAction(
            proposal_response_payload=response_payload.SerializeToString()
        ),
    )
    transaction = transaction_pb2.Transaction(
        actions=[
            transaction_pb2.TransactionAction(
                header=header.signature_header, payload=action_payload.SerializeToString()
            )
        ]
    )
    payload = common_pb2.Payload(header=header, data=transaction.SerializeToString())
    return common_pb2.Envelope(payload=payload.SerializeToString())


class FakeStream:
    """A closable iterator over canned responses."""

    def __init__(self, items: Iterable[Any]) -> None:
        self._items: Iterator[Any] = iter(items)
        self.closed = False

    def __iter__(self) -> FakeStream:
        return self

    def __next__(self) -> Any:
        if self.closed:
            raise StopIteration
        return next(self._items)

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeTransport:
    """Records requests; answers with canned results or raises canned errors."""

    evaluate_result: bytes = b"evaluated"
    endorse_result: bytes = b"endorsed"
    commit_code: int = 0
    block_number: int = 7
    errors: dict[str, Exception] = field(default_factory=dict)
    event_responses: list[Any] = field(default_factory=list)
    deliver_responses: list[Any] = field(default_factory=list)
    calls: list[tuple[str, Any, Any]] = field(default_factory=list)
    streams: list[FakeStream] = field(default_factory=list)

    def _record(self, name: str, request: Any, timeout: Any = None) -> None:
        self.calls.append((name, request, timeout))
        if name in self.errors:
            raise self.errors[name]

    def requests(self, name: str) -> list[Any]:
        return [request for call, request, _ in self.calls if call == name]

    def timeouts(self, name: str) -> list[Any]:
        return [timeout for call, _, timeout in self.calls if call == name]

    def evaluate(self, request: Any, timeout: float | None) -> Any:
        self._record("evaluate", request, timeout)
        return gateway_pb2.EvaluateResponse(
            result=proposal_response_pb2.Response(status=200, payload=self.evaluate_result)
        )

    def endorse(self, request: Any, timeout: float | None) -> Any:
        self._record("endorse", request, timeout)
        envelope = prepared_envelope(request.proposed_transaction, self.endorse_result)
        return gateway_pb2.EndorseResponse(prepared_transaction=envelope)

    def submit(self, request: Any, timeout: float | None) -> Any:
        self._record("submit", request, timeout)
        return gateway_pb2.SubmitResponse()

    def commit_status(self, request: Any, timeout: float | None) -> Any:
        self._record("commit_status", request, timeout)
        return gateway_pb2.CommitStatusResponse(
            result=self.commit_code, block_number=self.block_number
        )

    def _stream(self, name: str, request: Any, items: list[Any]) -> FakeStream:
        self._record(name, request)
        stream = FakeStream(items)
        self.streams.append(stream)
        return stream

    def chaincode_events(self, request: Any) -> FakeStream:
        return self._stream("chaincode_events", request, self.event_responses)

    def deliver(self, envelope: Any) -> FakeStream:
        return self._stream("deliver", envelope, self.deliver_responses)

    def deliver_filtered(self, envelope: Any) -> FakeStream:
        return self._stream("deliver_filtered", envelope, self.deliver_responses)
