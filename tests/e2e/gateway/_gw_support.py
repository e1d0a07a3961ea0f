"""Helpers shared by the Gateway e2e tests: keys, bounded event reads, block inspection."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)
from fabric_protos.common import common_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import transaction_pb2

from fabric_pilot_gateway import EventsError

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
CHANNEL = "mychannel"
CHAINCODE = "gwtest"
ORG1_MSP = "Org1MSP"
ORG2_MSP = "Org2MSP"
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def unique(prefix: str) -> str:
    """A key no other test (or earlier run on the same ledger) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def take_until(
    iterator: Iterator[T], done: Callable[[list[T]], bool], timeout: float = 60.0
) -> list[T]:
    """Read items until ``done(items)`` holds; stops early (returning what it has) when the
    stream ends or ``timeout`` seconds pass, by closing the iterator."""
    items: list[T] = []
    timer = threading.Timer(timeout, iterator.close)  # type: ignore[attr-defined]
    timer.start()
    try:
        while not done(items):
            items.append(next(iterator))
    except (StopIteration, EventsError):
        pass
    finally:
        timer.cancel()
    return items


def endorser_msp_ids(processed: Any) -> list[str]:
    """MSP IDs of the endorsements carried by a ``peer.ProcessedTransaction``."""
    payload = common_pb2.Payload.FromString(processed.transactionEnvelope.payload)
    transaction = transaction_pb2.Transaction.FromString(payload.data)
    action = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    return sorted(
        identities_pb2.SerializedIdentity.FromString(endorsement.endorser).mspid
        for endorsement in action.action.endorsements
    )


def transaction_ids(block: Any) -> list[str]:
    """Transaction IDs of a full ``common.Block``, in block order."""
    ids = []
    for raw in block.data.data:
        payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(raw).payload)
        ids.append(common_pb2.ChannelHeader.FromString(payload.header.channel_header).tx_id)
    return ids


def msp_private_key(msp_dir: Path) -> ec.EllipticCurvePrivateKey:
    """The single private key in an MSP folder's keystore."""
    (key_file,) = sorted((msp_dir / "keystore").iterdir())
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def sign_digest(key: ec.EllipticCurvePrivateKey, digest: bytes) -> bytes:
    """A low-S DER ECDSA P-256 signature over a SHA-256 digest (what Fabric accepts)."""
    assert key.curve.name == "secp256r1"
    der = key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    r, s = decode_dss_signature(der)
    return encode_dss_signature(r, min(s, P256_ORDER - s))
