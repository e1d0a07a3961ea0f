"""Each package declares its public API: ``__all__`` present, sorted, unique, resolvable."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

ROOTS = (
    "fabric_pilot_chaincode",
    "fabric_pilot_cli",
    "fabric_pilot_contracts",
    "fabric_pilot_demo",
    "fabric_pilot_gateway",
    "fabric_pilot_network",
)


def _packages() -> list[str]:
    names = []
    for root in ROOTS:
        package = importlib.import_module(root)
        names.append(root)
        names += [
            info.name
            for info in pkgutil.walk_packages(package.__path__, f"{root}.")
            if info.ispkg and not info.name.rsplit(".", 1)[-1].startswith("_")
        ]
    return names


@pytest.mark.parametrize("name", _packages())
def test_package_declares_a_sorted_resolvable_public_api(name: str) -> None:
    package = importlib.import_module(name)
    exported = getattr(package, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert list(exported) == sorted(exported), name
    assert len(set(exported)) == len(exported), name
    for symbol in exported:
        assert getattr(package, symbol) is not None, f"{name}.{symbol}"
