"""The ``fabric-pilot`` command line: a thin adapter over the network manager and the SDK.

Modules: ``main`` (the click group), ``_settings`` (flag > environment > config file >
default), ``_errors`` (exit codes and one-line messages), ``_render`` (table/JSON output),
``_sdk`` and ``_fabric`` (the only modules calling the Gateway SDK and the network manager),
``_sector`` (sector commands from data) and one ``_cmd_*`` module per command group.
"""

from fabric_pilot_cli._errors import EXIT_CODES
from fabric_pilot_cli.main import cli, main

__all__ = ["EXIT_CODES", "cli", "main"]
