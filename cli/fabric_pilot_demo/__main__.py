"""``python -m fabric_pilot_demo``: the README's main job (``scripts/demo``)."""

import sys

from fabric_pilot_demo import main

sys.exit(main())
