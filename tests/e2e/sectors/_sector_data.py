"""Payload builders for the sector e2e tests: tax IDs, invoices, signed readings, evidence."""

from __future__ import annotations

import hashlib
import time
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fabric_pilot_contracts.tax_invoice._uscc import check_character
from fabric_pilot_gateway.sectors import canonical_json

QUARTER = 900
DAY = 86_400
TAX_CODE = "1090511030000000000"


def unique(prefix: str) -> str:
    """An identifier no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def uscc(body: str) -> str:
    """Complete a 17-character credit code body with its check character."""
    return body + check_character(body)


def random_uscc() -> str:
    """A fresh, valid unified social credit code."""
    digits = f"{uuid.uuid4().int % 10**9:09d}"
    return uscc(f"91440300{digits}")


def invoice_number() -> str:
    """A fresh 20-digit invoice number."""
    return f"26{uuid.uuid4().int % 10**18:018d}"


def _round(numerator: int, denominator: int) -> int:
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), ROUND_HALF_UP))


def taxpayer(tax_id: str, msp_id: str, quota_fen: int = 10**12) -> dict[str, Any]:
    """A taxpayer registration payload."""
    return {
        "invoice_types": ["fully_digital", "ordinary", "special_vat"],
        "msp_id": msp_id,
        "name": f"Company {tax_id[-4:]}",
        "quota_fen": quota_fen,
        "tax_id": tax_id,
    }


def invoice(
    seller: str, number: str, buyer: dict[str, Any], *, payment_ref: str = ""
) -> dict[str, Any]:
    """A consistent one-line invoice (2 units at 500.00 yuan, 13 % VAT)."""
    net = _round(2000 * 50_000, 1000)
    tax = _round(net * 1300, 10_000)
    line = {
        "name": "Consulting service",
        "net_fen": net,
        "quantity_milli": 2000,
        "rate_bp": 1300,
        "tax_code": TAX_CODE,
        "tax_fen": tax,
        "unit_price_fen": 50_000,
    }
    return {
        "buyer": buyer,
        "file_hash": hashlib.sha256(f"{seller}/{number}/{payment_ref}".encode()).hexdigest(),
        "lines": [line],
        "number": number,
        "payment_ref": payment_ref or f"PAY-{number[-6:]}",
        "seller_tax_id": seller,
        "total_gross_fen": net + tax,
        "total_net_fen": net,
        "total_tax_fen": tax,
        "type": "fully_digital",
    }


def person_buyer(id_number: str, salt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A natural-person buyer and its transient personal data."""
    person_hash = hashlib.sha256(f"{salt}{id_number}".encode()).hexdigest()
    return {"person_hash": person_hash}, {"id_number": id_number, "name": "Li Si", "salt": salt}


def device_key() -> ec.EllipticCurvePrivateKey:
    """A fresh P-256 meter device key."""
    return ec.generate_private_key(ec.SECP256R1())


def public_pem(key: ec.EllipticCurvePrivateKey) -> str:
    """The device's public key as PEM."""
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def meter(meter_id: str, owner: str, key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    """A solar generation meter calibrated for ten years."""
    return {
        "calibration_expiry": int(time.time()) + 10 * 365 * DAY,
        "capacity_w": 5_000_000,
        "grid_node": "SZ-110kV-07",
        "kind": "generation",
        "meter_id": meter_id,
        "owner_msp": owner,
        "public_key_pem": public_pem(key),
        "technology": "solar",
    }


def past_day_start(days_ago: int) -> int:
    """Midnight UTC ``days_ago`` days before today."""
    now = int(time.time())
    return now - now % DAY - days_ago * DAY


def signed_readings(
    key: ec.EllipticCurvePrivateKey,
    meter_id: str,
    start: int,
    count: int,
    *,
    first_counter: int = 1,
    step_wh: int = 250_000,
) -> list[dict[str, Any]]:
    """Consecutive quarter-hour readings exporting ``step_wh`` each, signed by ``key``."""
    readings = []
    for index in range(count):
        body: dict[str, Any] = {
            "counter": first_counter + index,
            "export_wh": (first_counter + index) * step_wh,
            "import_wh": 0,
            "interval_end": start + (index + 1) * QUARTER,
            "interval_start": start + index * QUARTER,
            "meter_id": meter_id,
        }
        message = canonical_json(dict(body, flag="normal"))
        body["signature"] = key.sign(message, ec.ECDSA(hashes.SHA256())).hex()
        readings.append(body)
    return readings


def evidence(evidence_id: str, content: bytes) -> dict[str, Any]:
    """An evidence registration payload for ``content``."""
    return {
        "capture": {
            "captured_at": "2026-11-20T08:00:00Z",
            "device": "crawler-01",
            "source": "https://shop.example.com/item/42",
            "tool": "webcapture 3.2",
        },
        "content_hash": hashlib.sha256(content).hexdigest(),
        "evidence_id": evidence_id,
        "hash_alg": "SHA-256",
        "location": f"oss://evidence/{evidence_id}.warc",
        "media_type": "application/warc",
        "size_bytes": len(content),
    }
