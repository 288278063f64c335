#!/usr/bin/env bash
# Remakes src/test/resources/adapterhub/ with AdapterHub's `adapters` (see adapterhub_fixtures.py).
# Usage: scripts/oracle/adapterhub-fixtures.sh ADAPTERS_CHECKOUT [MINILM_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
checkout=${1:?usage: adapterhub-fixtures.sh ADAPTERS_CHECKOUT [MINILM_DIR]}
minilm=${2:-${MERA_HOME:-$HOME/.cache/mera}/models/minilm}
tool="$here/../shared/tools/adapterhub-oracle"
[ -x "$tool" ] || { echo "adapterhub-fixtures: $tool not found (needs the shared tools beside the checkout)" >&2; exit 3; }
RUN=$("$tool" "$checkout")
rm -rf "$here/src/test/resources/adapterhub"
mkdir -p "$here/src/test/resources/adapterhub"
$RUN "$here/scripts/oracle/adapterhub_fixtures.py" "$minilm" "$here/src/test/resources/adapterhub"
