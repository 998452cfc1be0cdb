#!/usr/bin/env bash
# npm start: set up what is missing, build, and run the whole system on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/ensure-setup.sh
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
echo "Building…"
npx nx run-many -t build --outputStyle=static >/tmp/lakegate-build.log 2>&1 || { cat /tmp/lakegate-build.log; exit 1; }
exec node tools/launcher/dist/main.js
