"""Channel config without a network: decoding blocks, CRLs in an org's MSP, envelopes, commands."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from channel_fakes import (
    HOME,
    NOW,
    channel_config,
    config_block,
    make_ca,
    msp_value,
    planned_network,
    revocation_list,
)
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fabric_protos.common import common_pb2, configtx_pb2

from fabric_pilot_network.channel_config import (
    ChannelConfigError,
    compute_update_command,
    decode_config_block,
    update_envelope,
)
from fabric_pilot_network.msp_revocation import load_crl, org_msp_config, with_revocation_list

ORG1_CA, ORG2_CA = make_ca("ca.org1.example.com"), make_ca("ca.org2.example.com")


def _serials(pem: bytes) -> list[int]:
    return [entry.serial_number for entry in x509.load_pem_x509_crl(pem)]


def test_a_config_block_decodes_to_its_number_and_config() -> None:
    config = channel_config({"Org1": ORG1_CA, "Org2": ORG2_CA})
    decoded = decode_config_block(config_block(7, config))
    assert decoded.number == 7
    assert decoded.config == config
    assert org_msp_config(decoded.config, "Org2").name == "Org2MSP"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\x00garbage", "not a config block"),
        (common_pb2.Block().SerializeToString(), "not a config block"),
        (config_block(3, configtx_pb2.Config(), common_pb2.ENDORSER_TRANSACTION),
         "block 3 is not a config block"),
    ],
)  # fmt: skip
def test_other_bytes_are_not_a_config_block(data: bytes, message: str) -> None:
    with pytest.raises(ChannelConfigError, match=message):
        decode_config_block(data)


def test_the_crl_goes_into_the_orgs_msp_of_a_copy_only() -> None:
    config = channel_config({"Org1": ORG1_CA, "Org2": ORG2_CA})
    crl = ORG1_CA.crl(11)
    updated = with_revocation_list(config, "Org1", crl)
    assert updated is not None
    assert [_serials(pem) for pem in revocation_list(updated, "Org1")] == [[11]]
    assert revocation_list(updated, "Org2") == []
    assert revocation_list(config, "Org1") == []
    assert with_revocation_list(updated, "Org1", crl) is None
    later = NOW + datetime.timedelta(hours=1)
    assert with_revocation_list(updated, "Org1", ORG1_CA.crl(11, at=later)) is None


def test_a_newer_crl_of_the_same_ca_replaces_the_old_one_and_others_stay() -> None:
    config = channel_config({"Org1": ORG1_CA})
    other_ca = make_ca("ca2.org1.example.com")
    group = config.channel_group.groups["Application"].groups["Org1"]
    group.values["MSP"].value = msp_value(
        "Org1MSP", [ORG1_CA.pem, other_ca.pem], (ORG1_CA.crl(11), other_ca.crl(5))
    )
    later = NOW + datetime.timedelta(minutes=1)
    updated = with_revocation_list(config, "Org1", ORG1_CA.crl(11, 12, at=later))
    assert updated is not None
    crls = [load_crl(pem) for pem in revocation_list(updated, "Org1")]
    assert [(crl.issuer, [e.serial_number for e in crl]) for crl in crls] == [
        (other_ca.certificate.subject, [5]),
        (ORG1_CA.certificate.subject, [11, 12]),
    ]


def test_a_der_crl_is_stored_as_pem() -> None:
    der = load_crl(ORG1_CA.crl(3)).public_bytes(serialization.Encoding.DER)
    updated = with_revocation_list(channel_config({"Org1": ORG1_CA}), "Org1", der)
    assert updated is not None
    (stored,) = revocation_list(updated, "Org1")
    assert stored.startswith(b"-----BEGIN X509 CRL-----")


def test_crls_a_channel_must_not_take_are_refused() -> None:
    config = channel_config({"Org1": ORG1_CA, "Org2": ORG2_CA})
    with pytest.raises(ChannelConfigError, match="not signed by a CA of Org1's MSP"):
        with_revocation_list(config, "Org1", ORG2_CA.crl(1))
    with pytest.raises(ChannelConfigError, match=r"Org3 is not an application organisation"):
        with_revocation_list(config, "Org3", ORG1_CA.crl(1))
    with pytest.raises(ChannelConfigError, match="not a certificate revocation list"):
        with_revocation_list(config, "Org1", b"-----BEGIN X509 CRL-----\nnope\n")
    newer = with_revocation_list(config, "Org1", ORG1_CA.crl(1, at=NOW))
    older = ORG1_CA.crl(1, 2, at=NOW - datetime.timedelta(hours=1))
    with pytest.raises(ChannelConfigError, match="carries a newer CRL"):
        with_revocation_list(newer, "Org1", older)


def test_the_update_envelope_is_an_unsigned_config_update_of_the_channel() -> None:
    envelope = common_pb2.Envelope.FromString(update_envelope("mychannel", b"update"))
    payload = common_pb2.Payload.FromString(envelope.payload)
    header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    assert (header.type, header.channel_id) == (common_pb2.CONFIG_UPDATE, "mychannel")
    update = configtx_pb2.ConfigUpdateEnvelope.FromString(payload.data)
    assert (update.config_update, list(update.signatures)) == (b"update", [])
    assert envelope.signature == b""


def test_config_commands_run_as_the_org_admin_against_the_orderer(tmp_path: Path) -> None:
    network = planned_network(tmp_path / "net")
    fetch = network.admin.fetch_config("peer0.org1.example.com", "mychannel", tmp_path / "b")
    update = network.admin.channel_update("peer0.org2.example.com", "mychannel", tmp_path / "e")
    orderer = network.ports.address("orderer0.example.com")
    assert fetch.argv[1:7] == ("channel", "fetch", "config", str(tmp_path / "b"), "-c", "mychannel")
    assert update.argv[1:7] == ("channel", "update", "-f", str(tmp_path / "e"), "-c", "mychannel")
    for command, org in ((fetch, "org1"), (update, "org2")):
        assert command.argv[command.argv.index("-o") + 1] == orderer
        assert "--tls" in command.argv
        assert command.env["CORE_PEER_MSPCONFIGPATH"].endswith(f"Admin@{org}.example.com/msp")
    compute = compute_update_command(HOME, "mychannel", Path("a.pb"), Path("b.pb"), Path("u.pb"))
    assert compute.argv == (
        "/fabric/bin/configtxlator", "compute_update", "--channel_id", "mychannel",
        "--original", "a.pb", "--updated", "b.pb", "--output", "u.pb",
    )  # fmt: skip
