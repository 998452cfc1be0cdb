#!/usr/bin/env bash
# npm run bench: set up what is missing, build, and run the benchmark (tools/bench). Arguments go to
# the bench: npm run bench -- --quick, npm run bench -- --help.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/ensure-setup.sh --with-nats
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
echo "Building…" >&2
npx nx run-many -t build --outputStyle=static >/tmp/lakegate-bench-build.log 2>&1 || { cat /tmp/lakegate-bench-build.log; exit 1; }
exec node tools/bench/dist/main.js "$@"
