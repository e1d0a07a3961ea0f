"""``python -m fabric_pilot_cli`` runs the CLI."""

from fabric_pilot_cli.main import main

main()
