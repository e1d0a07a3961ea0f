"""Client identities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ._protos import identities_pb2

__all__ = ["Identity", "X509Identity"]


class Identity(Protocol):
    """Anything that can produce a serialized ``msp.SerializedIdentity``."""

    @property
    def msp_id(self) -> str:
        """MSP ID of the identity's organization."""
        ...

    def serialize(self) -> bytes:
        """Return the serialized ``msp.SerializedIdentity``."""
        ...


@dataclass(frozen=True)
class X509Identity:
    """An X.509 certificate identity.

    Attributes:
        msp_id: MSP ID of the identity's organization.
        certificate_pem: PEM-encoded certificate.
    """

    msp_id: str
    certificate_pem: bytes

    def serialize(self) -> bytes:
        """Return the serialized ``msp.SerializedIdentity`` (the transaction creator)."""
        message = identities_pb2.SerializedIdentity(
            mspid=self.msp_id, id_bytes=self.certificate_pem
        )
        result: bytes = message.SerializeToString()
        return result
