#!/usr/bin/env bash
# Offline checks of deploy/, run by scripts/test.sh after `pnpm build`; exits non-zero on any failure.
#   1. Dockerfile: hadolint; every COPY source exists and is in the build context.
#   2. Image layout: `pnpm deploy --prod` of the worker into a temporary folder, as the Dockerfile does; the
#      production graph imports, onnxruntime-node's Linux binding loads, no dev tooling is shipped. The same for
#      the review service (its `review` image target): commands import, its static assets and uPlot load.
#   3. Helm chart: lint, render (default, production and a dev variant, with and without the review app, two
#      Kubernetes versions), validate every object against Kubernetes, KEDA and ServiceMonitor schemas, assert
#      the Deployments' probes, grace periods and security contexts, the review users Secret and Service
#      selectors, and check that invalid values are refused.
# Tools and schemas come from PyPI and the Go module proxy, cached per machine (scripts/tools/deploy-tools.sh).
set -euo pipefail

REPLAY_BUILD=0
for arg in "$@"; do
  case "$arg" in
    --replay-build) REPLAY_BUILD=1 ;; # also run the Dockerfile's build stage for real (~2-4 min)
    *) echo "usage: scripts/deploy-check.sh [--replay-build]" >&2 && exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=tools/deploy-tools.sh
source scripts/tools/deploy-tools.sh

CHART=deploy/helm/modstream-worker
PRODUCTION_VALUES=deploy/helm/values-production.yaml
KUBERNETES_VERSIONS=(1.29.0 1.33.0) # oldest supported and current
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failures=0

step() { printf '\n== %s\n' "$*"; }
fail() {
  printf 'deploy-check: FAIL: %s\n' "$*" >&2
  failures=$((failures + 1))
}

# The worker's CLI in a deployed folder (production dependencies only) classifies one text with the bundle.
smoke_classify() { # app dir, model dir
  local output
  output="$(cd "$1" && NODE_ENV=production node dist/cli.js classify --json --model "$2" \
    "deploy-check smoke test: what a thoughtful reply")" || return 1
  node -e '
    const result = JSON.parse(process.argv[1].trim().split("\n")[0]);
    const scores = Object.keys(result.scores ?? {}).length;
    if (scores !== 10) throw new Error("expected 10 label scores, got " + scores);
    console.log("classify in the deployed layout: 10 scores, model " + result.model_version);
  ' "$output"
}

step "tools (cache: $TOOLS_DIR)"
started=$SECONDS
ensure_python_tools
ensure_helm
ensure_kubeconform
ensure_crd_schemas
declare -A schemas_for
for version in "${KUBERNETES_VERSIONS[@]}"; do
  ensure_kubernetes_schemas "$version"
  schemas_for[$version]="$KUBERNETES_SCHEMAS"
done
echo "tools ready in $((SECONDS - started))s: $("$HELM" version --short), kubeconform $("$KUBECONFORM" -v), $("$HADOLINT" --version)"

step "Dockerfile"
"$HADOLINT" --config deploy/.hadolint.yaml deploy/Dockerfile && echo "hadolint: clean" || fail "hadolint deploy/Dockerfile"
"$TOOLS_PYTHON" deploy/checks/dockerfile_sources.py . deploy/Dockerfile deploy/Dockerfile.dockerignore ||
  fail "Dockerfile COPY sources"

step "image layout (pnpm deploy --prod)"
if [[ ! -f services/worker/dist/cli.js ]]; then
  fail "services/worker/dist/cli.js missing: run pnpm build first"
elif ! ONNXRUNTIME_NODE_INSTALL=skip pnpm --filter @modstream/worker deploy --legacy --prod --prefer-offline \
  "$WORK/out" >"$WORK/deploy.log" 2>&1; then
  cat "$WORK/deploy.log" >&2
  fail "pnpm deploy of @modstream/worker"
else
  (
    cd "$WORK/out"
    NODE_ENV=production node --input-type=module -e "
      import { createRequire } from 'node:module';
      import { existsSync, readdirSync, realpathSync } from 'node:fs';
      const problems = [];
      if (!existsSync('dist/cli.js')) problems.push('dist/cli.js missing');
      for (const name of ['worker', 'classify', 'eval', 'embedded']) {
        await import('./dist/commands/' + name + '.js').catch((e) => problems.push('dist/commands/' + name + '.js: ' + e.message));
      }
      // Resolved from the package's real folder, as node does for its imports (pnpm links it from .pnpm/).
      const classifierDir = realpathSync('node_modules/@modstream/classifier');
      const fromClassifier = createRequire(classifierDir + '/package.json');
      try {
        const ort = fromClassifier('onnxruntime-node');
        if (typeof ort.InferenceSession?.create !== 'function') problems.push('onnxruntime-node has no InferenceSession');
      } catch (e) { problems.push('onnxruntime-node: ' + e.message); }
      const dev = readdirSync('node_modules/.pnpm').filter((d) => /^(typescript|tsx|eslint|prettier|esbuild)@/.test(d));
      if (dev.length > 0) problems.push('dev tooling shipped: ' + dev.join(', '));
      if (problems.length > 0) { console.error(problems.join('\n')); process.exit(1); }
      console.log('deployed worker: dist/cli.js present, commands import, onnxruntime-node loads, no dev tooling');
    " || exit 1
    set +e
    node dist/cli.js >/dev/null 2>"$WORK/usage.txt"
    code=$?
    set -e
    [[ $code -eq 2 ]] && grep -q 'usage: modstream' "$WORK/usage.txt" ||
      { echo "node dist/cli.js exited $code without its usage line" >&2 && exit 1; }
    echo "deployed size: $(du -sh . | cut -f1) (the image prunes darwin/win32 onnxruntime binaries)"
  ) || fail "deployed worker layout"
  smoke_classify "$WORK/out" "$ROOT/models/incivility-minilm-l6" || fail "classify smoke test in the deployed layout"
fi

if [[ ! -f services/review/dist/cli.js ]]; then
  fail "services/review/dist/cli.js missing: run pnpm build first"
elif ! pnpm --filter @modstream/review-service deploy --legacy --prod --prefer-offline "$WORK/review" \
  >"$WORK/deploy-review.log" 2>&1; then
  cat "$WORK/deploy-review.log" >&2
  fail "pnpm deploy of @modstream/review-service"
else
  (
    cd "$WORK/review"
    NODE_ENV=production node --input-type=module -e "
      import { readdirSync } from 'node:fs';
      const problems = [];
      for (const name of ['serve', 'hash-password']) {
        await import('./dist/commands/' + name + '.js').catch((e) => problems.push('dist/commands/' + name + '.js: ' + e.message));
      }
      try {
        const assets = await (await import('./dist/assets.js')).loadAssets();
        for (const name of ['review.css', 'queue.js', 'overview.js', 'uPlot.iife.min.js', 'uPlot.min.css']) {
          if (!(assets[name]?.body.length > 0)) problems.push('asset ' + name + ' is empty or missing');
        }
      } catch (e) { problems.push('assets: ' + e.message); }
      const dev = readdirSync('node_modules/.pnpm').filter((d) => /^(typescript|tsx|eslint|prettier|esbuild|onnxruntime-node)@/.test(d));
      if (dev.length > 0) problems.push('not for the review image: ' + dev.join(', '));
      if (problems.length > 0) { console.error(problems.join('\n')); process.exit(1); }
      console.log('deployed review service: commands import, assets and uPlot load, no dev tooling or onnxruntime');
    " || exit 1
    set +e
    node dist/cli.js >/dev/null 2>"$WORK/review-usage.txt"
    code=$?
    set -e
    [[ $code -eq 2 ]] && grep -q 'usage: modstream-review' "$WORK/review-usage.txt" ||
      { echo "node dist/cli.js (review) exited $code without its usage line" >&2 && exit 1; }
    hash="$(printf 'deploy-check\n' | node dist/cli.js hash-password)"
    [[ "$hash" == scrypt\$* ]] || { echo "hash-password printed no scrypt hash" >&2 && exit 1; }
    echo "deployed review size: $(du -sh . | cut -f1)"
  ) || fail "deployed review layout"
fi

if [[ "$REPLAY_BUILD" == 1 ]]; then
  step "image build replay (the Dockerfile's build stage run for real, runtime stage laid out)"
  replay_started=$SECONDS
  if "$TOOLS_PYTHON" deploy/checks/replay_build.py . deploy/Dockerfile "$WORK/replay" >"$WORK/replay.json" &&
    app="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).app' "$WORK/replay.json")"; then
    echo "replayed in $((SECONDS - replay_started))s; image /app: $(du -sh "$app" | cut -f1)"
    smoke_classify "$app" "$app/models/incivility-minilm-l6" || fail "classify smoke test in the replayed image"
  else
    fail "replaying deploy/Dockerfile"
  fi
fi

step "Helm chart"
validate() { # name, rendered file, kubernetes version
  "$KUBECONFORM" -strict -summary -kubernetes-version "$3" \
    -schema-location "${schemas_for[$3]}/{{.ResourceKind}}{{.KindSuffix}}.json" \
    -schema-location "$CRD_SCHEMAS/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json" \
    "$2" || fail "kubeconform $1 (Kubernetes $3)"
}
render() { # name, expectations..., -- helm args...
  local name="$1" expectations=() version file
  shift
  while [[ "$1" != "--" ]]; do expectations+=("$1") && shift; done
  shift
  "$HELM" lint --strict --kube-version "${KUBERNETES_VERSIONS[-1]}" "$CHART" "$@" >"$WORK/lint-$name.txt" 2>&1 || {
    cat "$WORK/lint-$name.txt" >&2
    fail "helm lint $name"
  }
  for version in "${KUBERNETES_VERSIONS[@]}"; do
    file="$WORK/$name-$version.yaml"
    if ! "$HELM" template modstream "$CHART" --namespace moderation --kube-version "$version" "$@" >"$file"; then
      fail "helm template $name (Kubernetes $version)"
      continue
    fi
    printf '%s (Kubernetes %s): ' "$name" "$version"
    validate "$name" "$file" "$version"
    "$TOOLS_PYTHON" deploy/checks/assert_rendered.py "$file" "${expectations[@]}" || fail "assertions $name"
  done
}
render default --expect HorizontalPodAutoscaler --expect PodDisruptionBudget --expect Service \
  --expect ServiceAccount --expect-none ScaledObject --expect-none ServiceMonitor --expect-none Secret \
  --max-replicas 6 --
render production --expect ScaledObject --expect TriggerAuthentication --expect ServiceMonitor \
  --expect PodDisruptionBudget --expect-none HorizontalPodAutoscaler --expect-none Secret --max-replicas 12 \
  -- -f "$PRODUCTION_VALUES"
render dev-secret --expect Secret --expect ScaledObject --expect TriggerAuthentication --max-replicas 3 -- \
  --set keda.enabled=true,kafka.inputTopicPartitions=3,kafka.sasl.mechanism=scram-sha-256 \
  --set devSecret.create=true,devSecret.kafkaSaslUsername=modstream,devSecret.kafkaSaslPassword=modstream-secret \
  --set redis.url=redis://redis:6379,devSecret.redisPassword=modstream-secret \
  --set routingPolicy.rules[0].name=all,routingPolicy.rules[0].queue=comments.review
# The review app: a users Secret made from values (development), and an existing one with production values.
REVIEW_HASH='scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
render review-dev --review --expect Secret --expect HorizontalPodAutoscaler --max-replicas 6 -- \
  --set review.enabled=true,review.cookieSecure=false \
  --set-json "review.users=[{\"id\":\"alice\",\"name\":\"Alice\",\"password_hash\":\"$REVIEW_HASH\"}]"
render review-production --review --expect ScaledObject --expect ServiceMonitor --expect-none Secret \
  --max-replicas 12 -- -f "$PRODUCTION_VALUES" \
  --set review.enabled=true,review.usersSecret.existingSecret=modstream-review-users

refused() { # expected error text, helm args...
  local expected="$1"
  shift
  if "$HELM" template modstream "$CHART" --kube-version "${KUBERNETES_VERSIONS[-1]}" "$@" >/dev/null 2>"$WORK/refused.txt"; then
    fail "helm template $* rendered; expected it to be refused ($expected)"
  elif ! grep -q "$expected" "$WORK/refused.txt"; then
    cat "$WORK/refused.txt" >&2
    fail "helm template $* was refused for another reason than: $expected"
  else
    echo "refused as expected: $*"
  fi
}
refused "must exceed worker.shutdownDeadlineMs" --set terminationGracePeriodSeconds=20
refused "exceeds kafka.inputTopicPartitions" -f "$PRODUCTION_VALUES" --set autoscaling.maxReplicas=13
refused "set kafka.sasl.existingSecret" --set kafka.sasl.mechanism=scram-sha-512
refused "kafka.sasl.mechanism must be" --set kafka.sasl.mechanism=gssapi
refused "set review.usersSecret.existingSecret" --set review.enabled=true
refused "must exceed review.shutdownDeadlineMs" --set review.enabled=true,review.usersSecret.existingSecret=u \
  --set review.terminationGracePeriodSeconds=5

echo
if ((failures > 0)); then
  echo "deploy-check: $failures failure(s)" >&2
  exit 1
fi
echo "deploy-check: all checks passed in $((SECONDS - started))s"
