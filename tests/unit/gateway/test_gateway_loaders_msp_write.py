"""write_msp_folder writes what load_msp_folder reads, the key readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from gateway_fakes import make_credentials

from fabric_pilot_gateway.ca_client import Enrollment
from fabric_pilot_gateway.loaders import load_msp_folder, write_msp_folder


def test_an_enrolment_written_as_an_msp_folder_loads_back(tmp_path: Path) -> None:
    credentials = make_credentials()
    key = credentials.key
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    enrollment = Enrollment(credentials.certificate_pem, key, b"CA PEM")
    msp = write_msp_folder(
        tmp_path / "wallet" / "msp",
        enrollment.certificate_pem,
        enrollment.private_key_pem(),
        enrollment.ca_chain_pem,
    )
    identity, signer = load_msp_folder(msp, "Org1MSP")
    assert identity.certificate_pem == credentials.certificate_pem
    assert signer(bytes(32))
    assert stat.S_IMODE((msp / "keystore" / "priv_sk").stat().st_mode) == 0o600
    assert (msp / "cacerts" / "ca.pem").read_bytes() == b"CA PEM"
