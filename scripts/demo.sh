#!/usr/bin/env bash
# Main job: set the machine up, start the local Kafka + Redis stack, run the moderation worker, stream the
# project's sample comments through Kafka and show labeled events, throughput and the cache hit ratio.
# It ends by starting the review web app on the run's queues with a demo moderator (demo / demo-password, local
# stack only) and keeps it running until Ctrl-C; without a terminal (CI) it prints how to start it instead, and
# DEMO_REVIEW=0 skips it. When Kafka cannot start, the same pipeline runs in embedded mode (JSONL in, JSONL out)
# and says so. Stops the stack on exit if this script started it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TEXTS=models/incivility-minilm-l6/reference/texts.jsonl
EVENTS="${DEMO_EVENTS:-3000}"
export DEMO_EVENTS="$EVENTS"

bash scripts/setup.sh
[ -f "$TEXTS" ] || { echo "demo: $TEXTS is missing (the model bundle's sample texts)" >&2; exit 1; }

embedded_fallback() {
  echo
  echo "demo: Kafka could not start; FALLING BACK TO EMBEDDED MODE (same pipeline, no Kafka or Redis)."
  local input output
  input="$(mktemp)"
  output="$(mktemp)"
  node -e '
    const fs = require("fs");
    const texts = fs.readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l).text);
    const n = Number(process.argv[2]);
    const out = [];
    for (let i = 0; i < n; i++) out.push(JSON.stringify({ id: `demo-${i}`, text: texts[i % texts.length] }));
    out.push("{\"id\": \"broken-json\", \"text\": ");
    fs.writeFileSync(process.argv[3], out.join("\n") + "\n");
  ' "$TEXTS" "$EVENTS" "$input"
  pnpm --silent modstream embedded "$input" >"$output"
  echo "demo: first labeled events (embedded mode):"
  head -n 5 "$output" | node -e '
    const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
    for (const line of lines) {
      const e = JSON.parse(line);
      if (e.schema !== "modstream.labeled.v1") continue;
      const top = Object.entries(e.scores).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([l, s]) => `${l}=${s.toFixed(2)}`).join(" ");
      console.log(`  ${e.id.padEnd(8)} ${(e.labels.join(",") || "(none)").padEnd(28)} ${top}`);
    }'
  echo "demo: $(grep -c '"schema":"modstream.deadletter.v1"' "$output") dead letter(s) in $output"
  rm -f "$input"
}

stack_reachable() {
  node --conditions=@modstream/source --import tsx \
    -e "await (await import('./packages/testkit/src/index.ts')).requireStack()" >/dev/null 2>&1
}

if ! bash scripts/stack.sh status >/dev/null 2>&1 && ! stack_reachable; then
  if bash scripts/stack.sh up; then
    trap 'bash scripts/stack.sh down' EXIT
  elif ! stack_reachable; then
    embedded_fallback
    exit 0
  fi
fi

node --conditions=@modstream/source --import tsx scripts/demo.ts
