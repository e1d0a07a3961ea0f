"""The real gRPC transport against an in-process Gateway server with canned failures."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from cryptography import x509
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.orderer import ab_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    events_pb2,
    events_pb2_grpc,
    proposal_response_pb2,
)
from gateway_fakes import make_credentials, prepared_envelope
from google.protobuf import any_pb2

from fabric_pilot_gateway import (
    CommitStatusError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    EventsError,
    Gateway,
    Signer,
    SubmitError,
    Timeouts,
    X509Identity,
    connect,
    new_grpc_channel,
)
from fabric_pilot_gateway._rpc_status import STATUS_DETAILS_KEY, Status
from fabric_pilot_gateway._transport import error_details

DETAILS = [
    ErrorDetail("peer0.org1.example.com:7051", "Org1MSP", "chaincode response 500, no asset"),
    ErrorDetail("peer0.org2.example.com:9051", "Org2MSP", "endorsement mismatch"),
]


def _status_trailer(code: grpc.StatusCode, message: str) -> tuple[tuple[str, bytes], ...]:
    status = Status(code=code.value[0], message=message)
    for detail in DETAILS:
        packed = any_pb2.Any()
        packed.Pack(
            gateway_pb2.ErrorDetail(
                address=detail.address, msp_id=detail.msp_id, message=detail.message
            )
        )
        status.details.append(packed)
    unrelated = any_pb2.Any()
    unrelated.Pack(common_pb2.BlockHeader(number=1))
    status.details.append(unrelated)
    return ((STATUS_DETAILS_KEY, status.SerializeToString()),)


class CannedGateway(gateway_pb2_grpc.GatewayServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.failures: dict[str, grpc.StatusCode] = {}
        self.hang = threading.Event()
        self.release = threading.Event()
        self.events: list[Any] = []

    def _fail_if_asked(self, name: str, context: Any) -> None:
        code = self.failures.get(name)
        if code is not None:
            context.set_trailing_metadata(_status_trailer(code, f"{name} failed"))
            context.abort(code, f"{name} failed")

    def Evaluate(self, request: Any, context: Any) -> Any:
        self._fail_if_asked("Evaluate", context)
        if self.hang.is_set():
            self.release.wait(10)
        return gateway_pb2.EvaluateResponse(
            result=proposal_response_pb2.Response(status=200, payload=b"from-server")
        )

    def Endorse(self, request: Any, context: Any) -> Any:
        self._fail_if_asked("Endorse", context)
        envelope = prepared_envelope(request.proposed_transaction, b"endorsed")
        return gateway_pb2.EndorseResponse(prepared_transaction=envelope)

    def Submit(self, request: Any, context: Any) -> Any:
        self._fail_if_asked("Submit", context)
        return gateway_pb2.SubmitResponse()

    def CommitStatus(self, request: Any, context: Any) -> Any:
        self._fail_if_asked("CommitStatus", context)
        return gateway_pb2.CommitStatusResponse(result=0, block_number=3)

    def ChaincodeEvents(self, request: Any, context: Any) -> Iterator[Any]:
        yield from self.events
        self._fail_if_asked("ChaincodeEvents", context)


class CannedDeliver(events_pb2_grpc.DeliverServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    def Deliver(self, request_iterator: Iterator[Any], context: Any) -> Iterator[Any]:
        self.envelopes.append(next(request_iterator))
        for number in (5, 6):
            yield events_pb2.DeliverResponse(
                block=common_pb2.Block(header=common_pb2.BlockHeader(number=number))
            )
        yield events_pb2.DeliverResponse(status=common_pb2.Status.SUCCESS)

    def DeliverFiltered(self, request_iterator: Iterator[Any], context: Any) -> Iterator[Any]:
        self.envelopes.append(next(request_iterator))
        yield events_pb2.DeliverResponse(filtered_block=events_pb2.FilteredBlock(number=9))
        yield events_pb2.DeliverResponse(status=common_pb2.Status.FORBIDDEN)


@pytest.fixture
def servicers() -> Iterator[tuple[CannedGateway, CannedDeliver, int]]:
    gateway_servicer, deliver_servicer = CannedGateway(), CannedDeliver()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    gateway_pb2_grpc.add_GatewayServicer_to_server(gateway_servicer, server)
    events_pb2_grpc.add_DeliverServicer_to_server(deliver_servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield gateway_servicer, deliver_servicer, port
    gateway_servicer.release.set()
    server.stop(None).wait()


@pytest.fixture
def live(
    servicers: tuple[CannedGateway, CannedDeliver, int], identity: X509Identity, signer: Signer
) -> Iterator[tuple[Gateway, CannedGateway, CannedDeliver]]:
    gateway_servicer, deliver_servicer, port = servicers
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield (
        connect(client=channel, identity=identity, signer=signer),
        gateway_servicer,
        deliver_servicer,
    )
    channel.close()


def test_flows_succeed_over_real_grpc(live: tuple[Gateway, CannedGateway, CannedDeliver]) -> None:
    gateway, _, _ = live
    contract = gateway.get_network("ch").get_contract("cc")
    assert contract.evaluate("Q") == b"from-server"
    assert contract.submit("Tx") == b"endorsed"


def _assert_translated(error: Any, code: str, method: str, tx_id: str | None) -> None:
    assert error.code == code
    assert error.message == f"{method} failed"
    assert error.details == DETAILS
    assert error.transaction_id == tx_id
    assert isinstance(error.__cause__, grpc.RpcError)
    assert "peer0.org2.example.com:9051" in str(error)


def test_evaluate_failure_maps_to_evaluate_error(
    live: tuple[Gateway, CannedGateway, CannedDeliver],
) -> None:
    gateway, servicer, _ = live
    servicer.failures["Evaluate"] = grpc.StatusCode.ABORTED
    proposal = gateway.get_network("ch").get_contract("cc").new_proposal("Q")
    with pytest.raises(EvaluateError) as info:
        proposal.evaluate()
    _assert_translated(info.value, "ABORTED", "Evaluate", proposal.transaction_id)


def test_endorse_failure_maps_to_endorse_error(
    live: tuple[Gateway, CannedGateway, CannedDeliver],
) -> None:
    gateway, servicer, _ = live
    servicer.failures["Endorse"] = grpc.StatusCode.ABORTED
    proposal = gateway.get_network("ch").get_contract("cc").new_proposal("Tx")
    with pytest.raises(EndorseError) as info:
        proposal.endorse()
    _assert_translated(info.value, "ABORTED", "Endorse", proposal.transaction_id)


def test_submit_failure_maps_to_submit_error(
    live: tuple[Gateway, CannedGateway, CannedDeliver],
) -> None:
    gateway, servicer, _ = live
    servicer.failures["Submit"] = grpc.StatusCode.UNAVAILABLE
    transaction = gateway.get_network("ch").get_contract("cc").new_proposal("Tx").endorse()
    with pytest.raises(SubmitError) as info:
        transaction.submit()
    _assert_translated(info.value, "UNAVAILABLE", "Submit", transaction.transaction_id)


def test_commit_status_failure_maps_to_commit_status_error(
    live: tuple[Gateway, CannedGateway, CannedDeliver],
) -> None:
    gateway, servicer, _ = live
    servicer.failures["CommitStatus"] = grpc.StatusCode.PERMISSION_DENIED
    submitted = gateway.get_network("ch").get_contract("cc").submit_async("Tx")
    with pytest.raises(CommitStatusError) as info:
        submitted.status()
    _assert_translated(info.value, "PERMISSION_DENIED", "CommitStatus", submitted.transaction_id)


def test_deadline_exceeded_is_translated(
    servicers: tuple[CannedGateway, CannedDeliver, int], identity: X509Identity, signer: Signer
) -> None:
    servicer, _, port = servicers
    servicer.hang.set()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        timeouts = Timeouts(evaluate=0.2)
        gateway = connect(client=channel, identity=identity, signer=signer, timeouts=timeouts)
        with pytest.raises(EvaluateError) as info:
            gateway.get_network("ch").get_contract("cc").evaluate("Q")
    servicer.release.set()
    assert info.value.code == "DEADLINE_EXCEEDED"
    assert info.value.details == []


def test_chaincode_events_stream_and_stream_error(
    live: tuple[Gateway, CannedGateway, CannedDeliver],
) -> None:
    gateway, servicer, _ = live
    servicer.events = [
        gateway_pb2.ChaincodeEventsResponse(
            block_number=4,
            events=[
                chaincode_event_pb2.ChaincodeEvent(
                    chaincode_id="cc", tx_id="t1", event_name="Created", payload=b"p"
                )
            ],
        )
    ]
    servicer.failures["ChaincodeEvents"] = grpc.StatusCode.UNAVAILABLE
    with gateway.get_network("ch").chaincode_events("cc", start_block=4) as events:
        first = next(events)
        assert (first.block_number, first.transaction_id, first.event_name) == (4, "t1", "Created")
        with pytest.raises(EventsError) as info:
            next(events)
    assert info.value.code == "UNAVAILABLE"
    assert info.value.details == DETAILS


def test_chaincode_events_close_stops_iteration(
    live: tuple[Gateway, CannedGateway, CannedDeliver],
) -> None:
    gateway, servicer, _ = live
    servicer.events = [gateway_pb2.ChaincodeEventsResponse(block_number=1)] * 3
    events = gateway.get_network("ch").chaincode_events("cc")
    events.close()
    assert list(events) == []


def test_block_events_over_deliver(live: tuple[Gateway, CannedGateway, CannedDeliver]) -> None:
    gateway, _, deliver = live
    with gateway.get_network("ch").block_events(start_block=5) as blocks:
        numbers = [block.header.number for block in blocks]
    assert numbers == [5, 6]
    payload = common_pb2.Payload.FromString(deliver.envelopes[0].payload)
    seek = ab_pb2.SeekInfo.FromString(payload.data)
    assert seek.start.specified.number == 5


def test_filtered_block_error_status_raises(
    live: tuple[Gateway, CannedGateway, CannedDeliver],
) -> None:
    gateway, _, _ = live
    blocks = gateway.get_network("ch").filtered_block_events()
    assert next(blocks).number == 9
    with pytest.raises(EventsError, match="FORBIDDEN"):
        next(blocks)
    blocks.close()


def test_new_grpc_channel_uses_tls_and_server_name_override(
    identity: X509Identity, signer: Signer
) -> None:
    ca = make_credentials("tls-ca", is_ca=True)
    server_creds = make_credentials(
        "peer0.org1.example.com",
        issuer_key=ca.key,
        issuer_name="tls-ca",
        sans=[x509.DNSName("peer0.org1.example.com")],
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    gateway_pb2_grpc.add_GatewayServicer_to_server(CannedGateway(), server)
    credentials = grpc.ssl_server_credentials(
        [(server_creds.key_pem, server_creds.certificate_pem)]
    )
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    channel = new_grpc_channel(f"127.0.0.1:{port}", ca.certificate_pem, "peer0.org1.example.com")
    try:
        gateway = connect(client=channel, identity=identity, signer=signer)
        assert gateway.get_network("ch").get_contract("cc").evaluate("Q") == b"from-server"
    finally:
        channel.close()
        server.stop(None).wait()


def test_error_details_ignores_garbage_and_other_trailers() -> None:
    good = _status_trailer(grpc.StatusCode.ABORTED, "x")
    assert error_details(None) == []
    assert error_details([("other", b"\x00"), (STATUS_DETAILS_KEY, b"\xff\xff\xff")]) == []
    assert error_details([("other-key", "text"), *good]) == DETAILS
