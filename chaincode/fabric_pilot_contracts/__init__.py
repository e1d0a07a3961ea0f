"""Sector contracts: tax e-invoices, energy metering, court evidence (and the sample assets).

Each contract package exports its contract class and ``CHAINCODE`` (the chaincode the CCaaS
entry point serves); the packages are imported on first use.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["court_evidence", "energy_metering", "sample_assets", "tax_invoice"]


def __getattr__(name: str) -> ModuleType:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return importlib.import_module(f"{__name__}.{name}")
