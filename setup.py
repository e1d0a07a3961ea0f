"""Maps the packages of the three source roots; all metadata lives in setup.cfg."""

from setuptools import find_packages, setup

SOURCE_ROOTS = ("sdk", "chaincode", "cli")
PACKAGE_DIRS = {
    name: f"{root}/{name.replace('.', '/')}"
    for root in SOURCE_ROOTS
    for name in find_packages(root)
}

# network-config/ (topologies, chaincode definitions, samples) ships as data next to the code.
PACKAGE_DIRS["fabric_pilot_network_config"] = "network-config"

setup(
    packages=sorted(PACKAGE_DIRS),
    package_dir=PACKAGE_DIRS,
    package_data={"fabric_pilot_network_config": ["*/*.yaml", "*/*.json", "samples/*"]},
)
