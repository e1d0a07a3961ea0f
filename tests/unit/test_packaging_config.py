"""The build configuration lists every package: setup.cfg (fabric-pilot, no setup.py) and
chaincode/pyproject.toml (fabric-pilot-chaincode) together cover every package of the tree."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _setup_cfg() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    return parser


def _listed(parser: configparser.ConfigParser, key: str) -> list[str]:
    return [line.strip() for line in parser["options"][key].splitlines() if line.strip()]


def test_there_is_one_build_configuration() -> None:
    assert not (ROOT / "setup.py").exists()


def test_every_python_package_of_sdk_and_cli_is_in_setup_cfg() -> None:
    packages = set(_listed(_setup_cfg(), "packages"))
    found = {
        ".".join(init.parent.relative_to(ROOT / root).parts)
        for root in ("sdk", "cli")
        for init in (ROOT / root).rglob("__init__.py")
    }
    missing = sorted(found - packages)
    assert missing == [], f"add these to [options] packages in setup.cfg: {missing}"


def test_every_data_folder_ships() -> None:
    packages = set(_listed(_setup_cfg(), "packages"))
    folders = {
        f"fabric_pilot_network_config.{path.name}"
        for path in (ROOT / "network-config").iterdir()
        if path.is_dir()
    }
    assert folders <= packages
    data = _setup_cfg()["options.package_data"]
    for package in sorted(folders):
        assert package in data, f"no package_data for {package}"


def test_chaincode_distribution_holds_the_runtime_and_contracts_only() -> None:
    text = (ROOT / "chaincode" / "pyproject.toml").read_text()
    assert 'include = ["fabric_pilot_chaincode*", "fabric_pilot_contracts*"]' in text
    packages = (ROOT / "chaincode").glob("*/__init__.py")
    assert sorted(init.parent.name for init in packages) == [
        "fabric_pilot_chaincode",
        "fabric_pilot_contracts",
    ]
    assert "fabric-pilot-chaincode==0.1.0" in _listed(_setup_cfg(), "install_requires")
