"""gRPC transport: the only module that imports ``grpc``.

:class:`Transport` is the seam between the SDK and the network; unit tests
inject a fake. :class:`GrpcTransport` implements it over the generated stubs and
translates every ``grpc.RpcError`` into the SDK's error tree.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar

import grpc

from ._protos import (
    common_pb2,
    events_pb2,
    events_pb2_grpc,
    gateway_pb2,
    gateway_pb2_grpc,
    protobuf_message,
)
from ._rpc_status import STATUS_DETAILS_KEY, Status
from .errors import (
    CommitStatusError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    EventsError,
    GatewayError,
    SubmitError,
    specific_error,
)

__all__ = [
    "CloseableIterator",
    "GrpcTransport",
    "Transport",
    "error_details",
    "new_grpc_channel",
    "translate_rpc_error",
]

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")

_ERROR_DETAIL_TYPE = gateway_pb2.ErrorDetail.DESCRIPTOR.full_name
_DEFAULT_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("grpc.max_receive_message_length", 100 * 1024 * 1024),
    ("grpc.max_send_message_length", 100 * 1024 * 1024),
)


class CloseableIterator(Protocol[T_co]):
    """An iterator over a server stream that can be closed early."""

    def __iter__(self) -> Iterator[T_co]: ...

    def __next__(self) -> T_co: ...

    def close(self) -> None:
        """Cancel the underlying stream."""
        ...


class Transport(Protocol):
    """Calls made by the SDK; requests and responses are protobuf messages."""

    def evaluate(
        self, request: gateway_pb2.EvaluateRequest, timeout: float | None
    ) -> gateway_pb2.EvaluateResponse:
        """Gateway Evaluate: ``EvaluateRequest`` -> ``EvaluateResponse``."""
        ...

    def endorse(
        self, request: gateway_pb2.EndorseRequest, timeout: float | None
    ) -> gateway_pb2.EndorseResponse:
        """Gateway Endorse: ``EndorseRequest`` -> ``EndorseResponse``."""
        ...

    def submit(
        self, request: gateway_pb2.SubmitRequest, timeout: float | None
    ) -> gateway_pb2.SubmitResponse:
        """Gateway Submit: ``SubmitRequest`` -> ``SubmitResponse``."""
        ...

    def commit_status(
        self, request: gateway_pb2.SignedCommitStatusRequest, timeout: float | None
    ) -> gateway_pb2.CommitStatusResponse:
        """Gateway CommitStatus: ``SignedCommitStatusRequest`` -> ``CommitStatusResponse``."""
        ...

    def chaincode_events(
        self, request: gateway_pb2.SignedChaincodeEventsRequest
    ) -> CloseableIterator[gateway_pb2.ChaincodeEventsResponse]:
        """Gateway ChaincodeEvents: stream of ``ChaincodeEventsResponse``."""
        ...

    def deliver(
        self, envelope: common_pb2.Envelope
    ) -> CloseableIterator[events_pb2.DeliverResponse]:
        """Peer Deliver: stream of ``DeliverResponse`` with full blocks."""
        ...

    def deliver_filtered(
        self, envelope: common_pb2.Envelope
    ) -> CloseableIterator[events_pb2.DeliverResponse]:
        """Peer DeliverFiltered: stream of ``DeliverResponse`` with filtered blocks."""
        ...


def new_grpc_channel(
    endpoint: str,
    tls_root_certificates: bytes | None,
    server_name_override: str | None = None,
    options: Sequence[tuple[str, Any]] = (),
) -> grpc.Channel:
    """Open a gRPC channel to a peer; the caller owns (and closes) it.

    Args:
        endpoint: ``host:port`` of the Gateway peer.
        tls_root_certificates: PEM CA certificate(s) the peer's TLS certificate
            chains to; ``None`` opens a plaintext channel (peers without TLS only).
        server_name_override: Host name expected in the peer's TLS certificate.
        options: Extra gRPC channel options.
    """
    all_options = [*_DEFAULT_OPTIONS, *options]
    if tls_root_certificates is None:
        return grpc.insecure_channel(endpoint, options=all_options)
    if server_name_override:
        all_options.append(("grpc.ssl_target_name_override", server_name_override))
        all_options.append(("grpc.default_authority", server_name_override))
    credentials = grpc.ssl_channel_credentials(root_certificates=tls_root_certificates)
    return grpc.secure_channel(endpoint, credentials, options=all_options)


def error_details(trailing_metadata: Sequence[tuple[str, Any]] | None) -> list[ErrorDetail]:
    """Decode ``gateway.ErrorDetail`` entries from the ``grpc-status-details-bin`` trailer.

    Undecodable trailers are ignored so that the original error is not masked.
    """
    details: list[ErrorDetail] = []
    for key, value in trailing_metadata or ():
        if key != STATUS_DETAILS_KEY or not isinstance(value, bytes):
            continue
        try:
            details.extend(_decode_status_details(value))
        except protobuf_message.DecodeError:
            continue
    return details


def _decode_status_details(value: bytes) -> list[ErrorDetail]:
    details: list[ErrorDetail] = []
    for entry in Status.FromString(value).details:
        if entry.type_url.rsplit("/", 1)[-1] != _ERROR_DETAIL_TYPE:
            continue
        detail = gateway_pb2.ErrorDetail.FromString(entry.value)
        details.append(ErrorDetail(detail.address, detail.msp_id, detail.message))
    return details


def translate_rpc_error(
    exc: grpc.RpcError,
    error_type: type[GatewayError],
    transaction_id: str | None,
) -> GatewayError:
    """Convert a ``grpc.RpcError`` into ``error_type`` (or its more specific subclass,
    e.g. ``EndorseUnavailableError``) with per-peer details."""
    code_fn = getattr(exc, "code", None)
    code = code_fn() if callable(code_fn) else None
    details_fn = getattr(exc, "details", None)
    message = details_fn() if callable(details_fn) else None
    trailers_fn = getattr(exc, "trailing_metadata", None)
    trailers = trailers_fn() if callable(trailers_fn) else None
    return specific_error(
        error_type,
        message or str(exc),
        code=code.name if isinstance(code, grpc.StatusCode) else "UNKNOWN",
        details=error_details(trailers),
        transaction_id=transaction_id,
    )


class _Stream(Generic[T]):
    """Wraps a gRPC response stream; translates errors, supports close()."""

    def __init__(self, call: Any, on_close: Callable[[], None] | None = None) -> None:
        self._call = call
        self._on_close = on_close
        self._closed = False

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        try:
            item: T = next(self._call)
        except StopIteration:
            self._finish()
            raise
        except grpc.RpcError as exc:
            self._finish()
            if self._closed:
                raise StopIteration from None
            raise translate_rpc_error(exc, EventsError, None) from exc
        return item

    def _finish(self) -> None:
        if self._on_close is not None:
            self._on_close()

    def close(self) -> None:
        """Cancel the stream; further iteration stops."""
        self._closed = True
        self._call.cancel()
        self._finish()


def _hold_open(
    envelope: common_pb2.Envelope, done: threading.Event
) -> Iterator[common_pb2.Envelope]:
    """Send one request, then keep the client side open until ``done`` is set."""
    yield envelope
    done.wait()


class GrpcTransport:
    """:class:`Transport` over a caller-owned gRPC channel (never closed here)."""

    def __init__(self, channel: grpc.Channel) -> None:
        self._gateway = gateway_pb2_grpc.GatewayStub(channel)
        self._deliver = events_pb2_grpc.DeliverStub(channel)

    def evaluate(
        self, request: gateway_pb2.EvaluateRequest, timeout: float | None
    ) -> gateway_pb2.EvaluateResponse:
        """Gateway Evaluate. Raises EvaluateError."""
        try:
            response: gateway_pb2.EvaluateResponse = self._gateway.Evaluate(
                request, timeout=timeout
            )
            return response
        except grpc.RpcError as exc:
            raise translate_rpc_error(exc, EvaluateError, request.transaction_id) from exc

    def endorse(
        self, request: gateway_pb2.EndorseRequest, timeout: float | None
    ) -> gateway_pb2.EndorseResponse:
        """Gateway Endorse. Raises EndorseError."""
        try:
            response: gateway_pb2.EndorseResponse = self._gateway.Endorse(request, timeout=timeout)
            return response
        except grpc.RpcError as exc:
            raise translate_rpc_error(exc, EndorseError, request.transaction_id) from exc

    def submit(
        self, request: gateway_pb2.SubmitRequest, timeout: float | None
    ) -> gateway_pb2.SubmitResponse:
        """Gateway Submit. Raises SubmitError."""
        try:
            response: gateway_pb2.SubmitResponse = self._gateway.Submit(request, timeout=timeout)
            return response
        except grpc.RpcError as exc:
            raise translate_rpc_error(exc, SubmitError, request.transaction_id) from exc

    def commit_status(
        self, request: gateway_pb2.SignedCommitStatusRequest, timeout: float | None
    ) -> gateway_pb2.CommitStatusResponse:
        """Gateway CommitStatus. Raises CommitStatusError."""
        try:
            response: gateway_pb2.CommitStatusResponse = self._gateway.CommitStatus(
                request, timeout=timeout
            )
            return response
        except grpc.RpcError as exc:
            inner = gateway_pb2.CommitStatusRequest.FromString(request.request)
            raise translate_rpc_error(exc, CommitStatusError, inner.transaction_id) from exc

    def chaincode_events(
        self, request: gateway_pb2.SignedChaincodeEventsRequest
    ) -> CloseableIterator[gateway_pb2.ChaincodeEventsResponse]:
        """Gateway ChaincodeEvents stream; iteration raises EventsError."""
        return _Stream(self._gateway.ChaincodeEvents(request))

    def deliver(
        self, envelope: common_pb2.Envelope
    ) -> CloseableIterator[events_pb2.DeliverResponse]:
        """Peer Deliver stream (full blocks); iteration raises EventsError."""
        done = threading.Event()
        return _Stream(self._deliver.Deliver(_hold_open(envelope, done)), done.set)

    def deliver_filtered(
        self, envelope: common_pb2.Envelope
    ) -> CloseableIterator[events_pb2.DeliverResponse]:
        """Peer DeliverFiltered stream; iteration raises EventsError."""
        done = threading.Event()
        return _Stream(self._deliver.DeliverFiltered(_hold_open(envelope, done)), done.set)
