"""State shared by Gateway, Network, Contract and the transaction steps."""

from __future__ import annotations

from dataclasses import dataclass

from ._protos import timestamp_pb2
from ._transport import Transport
from .errors import SignatureRequiredError
from .hashing import HashFunction
from .identity import Identity
from .options import Timeouts
from .signing import Signer


@dataclass(frozen=True)
class GatewayContext:
    """Transport, identity, signing and default timeouts of one Gateway connection."""

    transport: Transport
    identity: Identity
    signer: Signer | None
    hash_function: HashFunction
    timeouts: Timeouts
    endorsement_attempts: int = 3

    def creator(self) -> bytes:
        """Serialized identity used as transaction creator."""
        return self.identity.serialize()

    def sign(self, message: bytes, what: str) -> bytes:
        """Sign the digest of ``message``.

        Raises:
            SignatureRequiredError: If no signer is configured.
        """
        if self.signer is None:
            raise SignatureRequiredError(
                f"{what} is not signed and the Gateway has no signer; sign digest() "
                f"externally and use gateway.new_signed_{what}()"
            )
        return self.signer(self.hash_function(message))


def now() -> timestamp_pb2.Timestamp:
    """Current time as a protobuf Timestamp."""
    timestamp = timestamp_pb2.Timestamp()
    timestamp.GetCurrentTime()
    return timestamp
