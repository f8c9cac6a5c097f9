#!/usr/bin/env bash
# Renders the kustomize base and every overlay and validates the result against the
# Kubernetes API's JSON schemas (and KEDA's CRDs), offline: with no cluster and no GitHub.
# Prints kubeconform's summary; on an invalid manifest, what is wrong, and exits 1.
#
#   bash deploy/k8s/validate.sh              # base + overlays/*
#   bash deploy/k8s/validate.sh <dir>...     # other kustomization directories
#
# Everything comes from the Go module proxy and is cached under $GM_STACK_CACHE
# (default ~/.cache/group-messages-stack, as deploy/local/stack.sh), keyed by version:
#   k8s-tools/kubeconform-<v>/kubeconform, k8s-tools/kustomize-<v>/kustomize  (go install)
#   kubernetes-json-schema/v<k8s>-standalone-strict/<kind>-<group>-<version>.json
#       from api/openapi-spec/swagger.json of the k8s.io/kubernetes module
#   kubernetes-json-schema/crds/keda-<v>/keda.sh/<kind>_<version>.json
#       from config/crd/bases of the github.com/kedacore/keda/v2 module, converted by
#       kubeconform's scripts/openapi2jsonschema.py
# Needs go and python3 (PyYAML: installed into a venv in the cache if python3 lacks it).
#
#   GM_K8S_VERSION   the Kubernetes release to validate against (default below)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${GM_STACK_CACHE:-$HOME/.cache/group-messages-stack}
K8S_VERSION=${GM_K8S_VERSION:-1.35.4}
KUBECONFORM_VERSION=v0.7.0
# The newest kustomize whose go.mod the Go here accepts without another toolchain
# (v5.8.3 asks for go 1.27).
KUSTOMIZE_VERSION=v5.8.2
KEDA_VERSION=v2.21.0
# Bump when the conversion below changes: the cached schemas are made again.
SCHEMA_REVISION=1

TOOLS=$CACHE/k8s-tools
SCHEMAS=$CACHE/kubernetes-json-schema
K8S_SCHEMAS=$SCHEMAS/v$K8S_VERSION-standalone-strict
KEDA_SCHEMAS=$SCHEMAS/crds/keda-$KEDA_VERSION

die() { printf 'validate: %s\n' "$*" >&2; exit 1; }

# quietly CMD...: run CMD, showing its output only if it fails.
quietly() {
  local log status=0
  log=$(mktemp)
  "$@" >"$log" 2>&1 || status=$?
  ((status == 0)) || cat "$log" >&2
  rm -f "$log"
  return "$status"
}

command -v go >/dev/null || die 'needs go (the tools and schemas come from the Go module proxy)'
command -v python3 >/dev/null || die 'needs python3 (to convert the OpenAPI schemas)'

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# module_dir MODULE@VERSION: where the Go module cache holds it (downloaded if need be).
module_dir() {
  local json
  json=$(cd "$WORK" && go mod download -json "$1") || { printf '%s\n' "$json" >&2; die "cannot download $1"; }
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json"
}

# tool NAME PACKAGE VERSION: path of the binary, built by go install on first use.
tool() {
  local dir=$TOOLS/$1-$3
  if [[ ! -x $dir/$1 ]]; then
    mkdir -p "$dir"
    (cd "$WORK" && export GOBIN=$dir && quietly go install "$2@$3") || die "go install $2@$3 failed"
  fi
  printf '%s\n' "$dir/$1"
}

KUBECONFORM=$(tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION")
KUSTOMIZE=$(tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION")

# Only to make schemas: kubeconform's scripts/openapi2jsonschema.py, and a python3 with
# PyYAML (which it imports).
converter() {
  PYTHON=python3
  if ! python3 -c 'import yaml' 2>/dev/null; then
    PYTHON=$TOOLS/venv/bin/python3
    if ! "$PYTHON" -c 'import yaml' 2>/dev/null; then
      quietly python3 -m venv "$TOOLS/venv" || die 'python3 -m venv failed'
      quietly "$PYTHON" -m pip install --quiet PyYAML || die 'pip install PyYAML failed'
    fi
  fi
  CONVERTER=$(module_dir "github.com/yannh/kubeconform@$KUBECONFORM_VERSION")/scripts/openapi2jsonschema.py
  [[ -f $CONVERTER ]] || die "no $CONVERTER"
}

# The API's kinds: swagger.json -> one standalone (no $ref), strict (no unknown field) schema
# per kind, in yannh/kubernetes-json-schema's layout (what kubeconform's default expects).
# Reuses the converter's helpers, which handle CRDs only.
k8s_schemas() {
  local spec tmp
  converter
  spec=$(module_dir "k8s.io/kubernetes@v$K8S_VERSION")/api/openapi-spec/swagger.json
  [[ -f $spec ]] || die "no $spec"
  tmp=$K8S_SCHEMAS.tmp.$$
  rm -rf "$tmp"
  "$PYTHON" - "$CONVERTER" "$spec" "$tmp" <<'PY' || die "converting $spec failed"
import copy, importlib.util, json, os, sys

converter, swagger, out = sys.argv[1:4]
spec = importlib.util.spec_from_file_location("openapi2jsonschema", converter)
o2j = importlib.util.module_from_spec(spec)
spec.loader.exec_module(o2j)

defs = json.load(open(swagger))["definitions"]
# As the API server reads them (and yannh/kubernetes-json-schema has them).
defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] = {"oneOf": [{"type": "string"}, {"type": "number"}]}
for d in defs.values():
    for gvk in d.get("x-kubernetes-group-version-kind", []):
        props = d.get("properties", {})
        api = f'{gvk["group"]}/{gvk["version"]}' if gvk["group"] else gvk["version"]
        if "apiVersion" in props:
            o2j.append_no_duplicates(props["apiVersion"], "enum", api)
        if "kind" in props:
            o2j.append_no_duplicates(props["kind"], "enum", gvk["kind"])
defs = o2j.additional_properties(defs)

memo = {}
def inline(node, stack):
    if isinstance(node, list):
        return [inline(x, stack) for x in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.split("/")[-1]
        if name in stack:  # a recursive type (JSONSchemaProps): anything below it
            return {}
        if name not in memo:
            memo[name] = inline(defs[name], stack | {name})
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return {**memo[name], **rest} if rest else memo[name]
    return {k: inline(v, stack) for k, v in node.items()}

os.makedirs(out)
for name, d in defs.items():
    for gvk in d.get("x-kubernetes-group-version-kind", []):
        if gvk["kind"] != name.split(".")[-1]:
            continue
        schema = inline(copy.deepcopy(d), {name})
        schema["$schema"] = "http://json-schema.org/schema#"
        schema.setdefault("type", "object")
        schema["additionalProperties"] = False
        if "properties" in schema:
            schema["properties"] = o2j.allow_null_optional_fields(
                o2j.replace_int_or_string(schema["properties"]))
        group = gvk["group"].split(".")[0].lower()
        suffix = f"-{group}-{gvk['version']}" if group else f"-{gvk['version']}"
        with open(os.path.join(out, f"{gvk['kind'].lower()}{suffix}.json"), "w") as f:
            json.dump(schema, f)
PY
  echo "$SCHEMA_REVISION" >"$tmp/.complete"
  rm -rf "$K8S_SCHEMAS"
  mv "$tmp" "$K8S_SCHEMAS"
}

# KEDA's CRDs (ScaledObject, TriggerAuthentication ...), converted by kubeconform's script.
keda_schemas() {
  local crds tmp
  converter
  crds=$(module_dir "github.com/kedacore/keda/v2@$KEDA_VERSION")/config/crd/bases
  tmp=$KEDA_SCHEMAS.tmp.$$
  rm -rf "$tmp"
  mkdir -p "$tmp/keda.sh"
  (cd "$tmp/keda.sh" && export FILENAME_FORMAT='{kind}_{version}' && quietly "$PYTHON" "$CONVERTER" "$crds"/keda.sh_*.yaml) ||
    die "converting $crds failed"
  echo "$SCHEMA_REVISION" >"$tmp/.complete"
  rm -rf "$KEDA_SCHEMAS"
  mv "$tmp" "$KEDA_SCHEMAS"
}

fresh() { [[ $(cat "$1/.complete" 2>/dev/null) == "$SCHEMA_REVISION" ]]; }
mkdir -p "$SCHEMAS/crds"
if ! fresh "$K8S_SCHEMAS"; then k8s_schemas; fi
if ! fresh "$KEDA_SCHEMAS"; then keda_schemas; fi

# Render each kustomization.
if (($#)); then
  DIRS=("$@")
else
  DIRS=("$HERE/base" "$HERE"/overlays/*/)
fi
RENDERED=()
for dir in "${DIRS[@]}"; do
  [[ -f $dir/kustomization.yaml ]] || die "$dir has no kustomization.yaml"
  dir=$(cd "$dir" && pwd)
  name=$(basename "$(dirname "$dir")")-$(basename "$dir").yaml # k8s-base.yaml, overlays-production.yaml
  "$KUSTOMIZE" build "$dir" >"$WORK/$name" || die "kustomize build $dir failed"
  RENDERED+=("$name")
done

cd "$WORK" # kubeconform names the rendered files: <parent>-<dir>.yaml

"$KUBECONFORM" -strict -summary \
  -kubernetes-version "$K8S_VERSION" \
  -schema-location "$SCHEMAS/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
  -schema-location "$KEDA_SCHEMAS/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
  "${RENDERED[@]}"
