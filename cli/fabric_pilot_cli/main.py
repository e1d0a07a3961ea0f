"""Entry point of the ``fabric-pilot`` command."""

import click


@click.group()
def main() -> None:
    """fabric-pilot: run Hyperledger Fabric for real."""
