# Sourced by the scripts in this folder: makes .venv with fabric-pilot installed (editable)
# and builds the Fabric binaries into the per-user cache when they are not there yet.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${FABRIC_PILOT_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import fabric_pilot_cli, pytest, hypothesis" 2>/dev/null \
   || [ "$ROOT/setup.cfg" -nt "$VENV/.fabric-pilot-installed" ]; then
  echo "==> installing fabric-pilot and its development tools"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e "$ROOT[dev]"
  touch "$VENV/.fabric-pilot-installed"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
