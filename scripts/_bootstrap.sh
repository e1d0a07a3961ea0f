# Sourced by the scripts in this folder: makes .venv with fabric-pilot and fabric-pilot-chaincode
# installed (editable) with the development tools. Runs nothing else.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${FABRIC_PILOT_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import fabric_pilot_cli, pytest, hypothesis" 2>/dev/null \
   || [ "$ROOT/setup.cfg" -nt "$VENV/.fabric-pilot-installed" ] \
   || [ "$ROOT/chaincode/pyproject.toml" -nt "$VENV/.fabric-pilot-installed" ]; then
  echo "==> installing fabric-pilot and its development tools"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e "$ROOT/chaincode" -e "$ROOT[dev]"
  touch "$VENV/.fabric-pilot-installed"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
