#!/usr/bin/env bash
# Installs what lakegate needs and is missing: npm dependencies and nats-server. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm dependencies (npm ci)…"
  npm ci --no-audit --no-fund
fi

find_nats() {
  if [ -n "${NATS_SERVER_BIN:-}" ] && [ -x "$NATS_SERVER_BIN" ]; then return 0; fi
  command -v nats-server >/dev/null 2>&1 && return 0
  for p in /usr/sbin/nats-server /usr/local/sbin/nats-server /usr/local/bin/nats-server; do [ -x "$p" ] && return 0; done
  return 1
}

if [ -z "${LAKEGATE_NATS_URL:-}" ] || [ "${1:-}" = "--with-nats" ]; then
  if ! find_nats; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing nats-server (Debian package)…"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
    else
      echo "nats-server is not installed. Install it with: sudo apt-get install -y nats-server" >&2
      echo "(or set NATS_SERVER_BIN to its path, or LAKEGATE_NATS_URL to use an existing NATS server)" >&2
      exit 1
    fi
  fi
fi

# openssl makes the self-signed certificate the local Azure stand-ins (Azurite, Entra ID) serve HTTPS with.
if ! command -v openssl >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing openssl (Debian package)…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
  else
    echo "openssl is not installed. Install it with: sudo apt-get install -y openssl" >&2
    exit 1
  fi
fi
