#!/usr/bin/env bash
# The browser of the end-to-end tests (idempotent): Debian's `chromium` package, driven by puppeteer-core
# (which never downloads a browser of its own). Only scripts/test.sh runs this; the worker and
# scripts/demo.sh never need a browser. The tests find it at /usr/bin/chromium (or $MODSTREAM_CHROMIUM).
set -euo pipefail

log() { printf '[setup-browser] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

browser="${MODSTREAM_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  log "chromium present: $browser"
  exit 0
fi

log "installing Debian's chromium package (about 100 MB the first time)"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; a stale list can name a version no longer served.
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
if [ ! -x "$browser" ]; then
  log "chromium was installed but $browser is missing"
  exit 1
fi
log "installed $("$browser" --version 2>/dev/null || echo chromium)"
