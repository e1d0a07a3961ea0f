"""Chaincode event listener run as a separate process by the resume test.

Usage: ``python _event_listener.py PROFILE CHANNEL CHAINCODE CHECKPOINT_FILE START_BLOCK``

For every event it checkpoints to CHECKPOINT_FILE, prints the event as one JSON line and
waits for a line on stdin before reading the next one, so the test can kill it with SIGKILL
at a known position while its stream is still open.
"""

from __future__ import annotations

import json
import sys

from fabric_pilot_gateway import FileCheckpointer
from fabric_pilot_gateway.profiles import open_gateway


def main(profile: str, channel: str, chaincode: str, checkpoint_file: str, start: str) -> None:
    """Listen, checkpoint, report, wait; forever (until killed)."""
    checkpointer = FileCheckpointer(checkpoint_file)
    with open_gateway(profile) as gateway:
        network = gateway.get_network(channel)
        events = network.chaincode_events(
            chaincode, start_block=int(start), checkpointer=checkpointer
        )
        with events:
            for event in events:
                checkpointer.checkpoint_chaincode_event(event)
                line = {
                    "block": event.block_number,
                    "tx": event.transaction_id,
                    "name": event.event_name,
                    "payload": event.payload.decode(),
                }
                print(json.dumps(line), flush=True)
                if not sys.stdin.readline():
                    return


if __name__ == "__main__":
    main(*sys.argv[1:6])
