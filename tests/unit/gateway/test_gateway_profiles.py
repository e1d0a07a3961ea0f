"""Connection profile loading and connecting through a profile to a TLS Gateway."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from cryptography import x509
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import proposal_pb2, proposal_response_pb2
from gateway_fakes import Credentials, make_credentials, write_msp

from fabric_pilot_gateway import SignatureRequiredError, X509Identity
from fabric_pilot_gateway.profiles import GatewayProfile, ProfileError, open_gateway


class EchoCreator(gateway_pb2_grpc.GatewayServicer):  # type: ignore[misc]
    """Evaluate returns the MSP ID of the proposal's creator."""

    def Evaluate(self, request: Any, context: Any) -> Any:
        proposal = proposal_pb2.Proposal.FromString(request.proposed_transaction.proposal_bytes)
        header = common_pb2.Header.FromString(proposal.header)
        creator = common_pb2.SignatureHeader.FromString(header.signature_header).creator
        msp_id = identities_pb2.SerializedIdentity.FromString(creator).mspid
        return gateway_pb2.EvaluateResponse(
            result=proposal_response_pb2.Response(status=200, payload=msp_id.encode())
        )


@pytest.fixture(scope="module")
def tls() -> tuple[Credentials, Credentials]:
    ca = make_credentials("tls-ca", is_ca=True)
    server = make_credentials(
        "peer0.org1.example.com",
        issuer_key=ca.key,
        issuer_name="tls-ca",
        sans=[x509.DNSName("peer0.org1.example.com")],
    )
    return ca, server


@pytest.fixture
def peer_port(tls: tuple[Credentials, Credentials]) -> Iterator[int]:
    _, server_creds = tls
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    gateway_pb2_grpc.add_GatewayServicer_to_server(EchoCreator(), server)
    credentials = grpc.ssl_server_credentials(
        [(server_creds.key_pem, server_creds.certificate_pem)]
    )
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    yield port
    server.stop(None).wait()


def pilot_profile(tmp_path: Path, port: int, ca_pem: bytes, credentials: Credentials) -> Path:
    admin = write_msp(tmp_path / "users" / "Admin" / "msp", credentials, decoy=False)
    user = write_msp(tmp_path / "users" / "User1" / "msp", credentials)
    data = {
        "name": "fabric-pilot-dev-Org1",
        "version": "1.0.0",
        "client": {"organization": "Org1"},
        "organizations": {
            "Org1": {
                "mspid": "Org1MSP",
                "peers": ["peer0.org1.example.com"],
                "certificateAuthorities": ["ca.org1.example.com"],
            }
        },
        "peers": {
            "peer0.org1.example.com": {
                "url": f"grpcs://127.0.0.1:{port}",
                "tlsCACerts": {"pem": ca_pem.decode()},
                "grpcOptions": {"ssl-target-name-override": "peer0.org1.example.com"},
            }
        },
        "certificateAuthorities": {
            "ca.org1.example.com": {
                "url": "https://127.0.0.1:7054",
                "caName": "ca-org1",
                "tlsCACerts": {"pem": [ca_pem.decode()]},
            }
        },
        "channels": {"mychannel": {"peers": {"peer0.org1.example.com": {}}}},
        "x-fabric-pilot": {
            "network": "dev",
            "org": "Org1",
            "mspId": "Org1MSP",
            "gatewayPeer": "peer0.org1.example.com",
            "channels": ["mychannel"],
            "defaultUser": "User1",
            "users": {
                "Admin": {"mspDir": str(admin), "role": "admin"},
                "User1": {"mspDir": str(user), "role": "client"},
            },
        },
    }
    path = tmp_path / "profiles" / "Org1.json"
    path.parent.mkdir()
    path.write_text(json.dumps(data))
    return path


def test_load_fabric_pilot_profile(tmp_path: Path, credentials: Credentials) -> None:
    ca_pem = make_credentials("ca").certificate_pem
    profile = GatewayProfile.load(pilot_profile(tmp_path, 7051, ca_pem, credentials))
    assert profile.msp_id == "Org1MSP"
    assert profile.organization == "Org1"
    assert profile.gateway_endpoint == "127.0.0.1:7051"
    assert profile.use_tls
    assert profile.tls_root_certificates == ca_pem
    assert profile.server_name_override == "peer0.org1.example.com"
    assert profile.channels == ("mychannel",)
    assert sorted(profile.users) == ["Admin", "User1"]
    assert profile.user().name == "User1"
    assert profile.user("Admin").role == "admin"
    ca = profile.certificate_authorities["ca.org1.example.com"]
    assert (ca.url, ca.ca_name, ca.tls_ca_pem) == ("https://127.0.0.1:7054", "ca-org1", ca_pem)
    with pytest.raises(ProfileError, match="unknown user"):
        profile.user("Nobody")
    assert profile.ca_client().ca_name == "ca-org1"
    with pytest.raises(ProfileError, match="unknown certificate authority"):
        profile.ca_client("ca.org2.example.com")


def test_open_gateway_connects_over_tls_as_profile_user(
    tmp_path: Path,
    credentials: Credentials,
    tls: tuple[Credentials, Credentials],
    peer_port: int,
) -> None:
    path = pilot_profile(tmp_path, peer_port, tls[0].certificate_pem, credentials)
    with open_gateway(path, user="Admin") as gateway:
        contract = gateway.get_network("mychannel").get_contract("cc")
        assert contract.evaluate("WhoAmI") == b"Org1MSP"


def test_plain_yaml_profile_with_explicit_identity(
    tmp_path: Path,
    credentials: Credentials,
    tls: tuple[Credentials, Credentials],
    peer_port: int,
) -> None:
    (tmp_path / "tls-ca.pem").write_bytes(tls[0].certificate_pem)
    data = {
        "name": "plain",
        "organizations": {"Org2": {"mspid": "Org2MSP", "peers": ["peer0.org1.example.com"]}},
        "peers": {
            "peer0.org1.example.com": {
                "url": f"grpcs://127.0.0.1:{peer_port}",
                "tlsCACerts": {"path": "tls-ca.pem"},
                "grpcOptions": {"hostnameOverride": "peer0.org1.example.com"},
            }
        },
        "channels": {"a": {}, "b": {}},
    }
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(data))
    profile = GatewayProfile.load(path)
    assert (profile.msp_id, profile.channels, profile.users) == ("Org2MSP", ("a", "b"), {})
    with pytest.raises(ProfileError, match="no default user"):
        profile.connect()
    identity = X509Identity("Org2MSP", credentials.certificate_pem)
    gateway, close = profile.connect(identity=identity)
    try:
        with pytest.raises(SignatureRequiredError):
            gateway.get_network("a").get_contract("cc").evaluate("WhoAmI")
    finally:
        close()


def test_profile_missing_peer_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"organizations": {"O": {"mspid": "OMSP", "peers": ["p"]}}}))
    with pytest.raises(ProfileError, match="peers"):
        GatewayProfile.load(path)
