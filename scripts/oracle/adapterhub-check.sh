#!/usr/bin/env bash
# mera <-> AdapterHub `adapters` oracle (see adapterhub_check.py). Not part of `mvn test`.
# Usage: scripts/oracle/adapterhub-check.sh ADAPTERS_CHECKOUT [MODEL ...]   (models: catalog names, default minilm)
# ADAPTERS_CHECKOUT is a checkout of github.com/adapter-hub/adapters (the folder holding src/adapters); the
# interpreter comes from ../shared/tools/adapterhub-oracle (torch + transformers 4.57 from the local wheel mirror).
# Exits 3 with a message when the wheel mirror or the shared tool is absent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
checkout=${1:?usage: adapterhub-check.sh ADAPTERS_CHECKOUT [MODEL ...]}
shift
models=("${@:-minilm}")
tool="$here/../shared/tools/adapterhub-oracle"
[ -x "$tool" ] || { echo "adapterhub-check: $tool not found; skipping" >&2; exit 3; }
RUN=$("$tool" "$checkout") || { rc=$?; echo "adapterhub-check: no interpreter (adapterhub-oracle exit $rc); skipping" >&2; exit 3; }
cd "$here"
mvn -o -q -B test-compile >&2
mvn -o -q -B dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >/dev/null
java_cmd="java -Dai.djl.offline=true -cp $here/target/classes:$here/target/test-classes:$(cat target/classpath.txt) org.mera.train.AdapterHubOracle"
dirs=()
for m in "${models[@]}"; do
  if [ -d "$m" ]; then dirs+=("$m"); else dirs+=("${MERA_HOME:-$HOME/.cache/mera}/models/$m"); fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/mera-adapterhub-check.XXXXXX")
echo "work directory: $work" >&2
$RUN "$here/scripts/oracle/adapterhub_check.py" --java "$java_cmd" --work "$work" "${dirs[@]}"
