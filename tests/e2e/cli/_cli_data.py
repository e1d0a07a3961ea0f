"""Input documents for the CLI e2e tests: taxpayers, invoices, meters, readings, device keys."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fabric_pilot_contracts.tax_invoice._uscc import check_character

__all__ = [
    "QUARTER",
    "device_key_files",
    "invoice",
    "invoice_number",
    "meter",
    "new_tax_id",
    "taxpayer",
    "unique",
    "write_json",
]

QUARTER = 900
_TAX_CODE = "1090511030000000000"


def unique(prefix: str) -> str:
    """An identifier no other test run uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def new_tax_id() -> str:
    """A fresh, valid unified social credit code (GB 32100 check character)."""
    body = f"91440300{uuid.uuid4().int % 10**9:09d}"
    return body + check_character(body)


def invoice_number(serial: int, prefix: str) -> str:
    """A 20-digit invoice number: a 6-digit run prefix and a serial."""
    return f"{prefix}{serial:014d}"


def taxpayer(tax_id: str, msp_id: str) -> dict[str, Any]:
    """A taxpayer registration document with a generous quota."""
    return {
        "invoice_types": ["fully_digital", "ordinary", "special_vat"],
        "msp_id": msp_id,
        "name": f"Company {tax_id[-4:]}",
        "quota_fen": 10**12,
        "tax_id": tax_id,
    }


def invoice(seller: str, buyer: str, number: str, quantity_milli: int = 2000) -> dict[str, Any]:
    """A consistent one-line invoice at 500.00 yuan per unit and 13 % VAT."""
    net = (quantity_milli * 50_000 + 500) // 1000
    tax = (net * 1300 + 5000) // 10_000
    return {
        "buyer": {"tax_id": buyer},
        "file_hash": hashlib.sha256(f"{seller}/{number}".encode()).hexdigest(),
        "lines": [
            {
                "name": "Consulting service",
                "net_fen": net,
                "quantity_milli": quantity_milli,
                "rate_bp": 1300,
                "tax_code": _TAX_CODE,
                "tax_fen": tax,
                "unit_price_fen": 50_000,
            }
        ],
        "number": number,
        "payment_ref": f"PAY-{number[-8:]}",
        "seller_tax_id": seller,
        "total_gross_fen": net + tax,
        "total_net_fen": net,
        "total_tax_fen": tax,
        "type": "fully_digital",
    }


def device_key_files(folder: Path, name: str) -> tuple[Path, str]:
    """A fresh P-256 device key written to ``folder/name.pem``; returns it and the public PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    path = folder / f"{name}.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return path, public.decode()


def meter(meter_id: str, owner_msp: str, public_pem: str) -> dict[str, Any]:
    """A solar generation meter, calibrated for a year."""
    return {
        "calibration_expiry": int(time.time()) + 365 * 86_400,
        "capacity_w": 5_000_000,
        "grid_node": "SZ-110kV-07",
        "kind": "generation",
        "meter_id": meter_id,
        "owner_msp": owner_msp,
        "public_key_pem": public_pem,
        "technology": "solar",
    }


def write_json(path: Path, document: Any) -> Path:
    """Write ``document`` as a JSON file and return its path."""
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path
