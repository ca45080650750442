#!/usr/bin/env bash
# Main job, placeholder until the worker exists: sets the machine up, starts the local stack and runs
# a smoke flow (Kafka produce/consume through a consumer group, Redis write/read). It classifies nothing.
# Stops the stack on exit if this script started it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
if ! bash scripts/stack.sh status >/dev/null 2>&1; then
  trap 'bash scripts/stack.sh down' EXIT
fi
bash scripts/stack.sh up
node --conditions=@modstream/source --import tsx scripts/smoke.ts
