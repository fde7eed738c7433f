#!/bin/sh
# Renders every kustomization (base and overlays/*) with `kubectl kustomize`, validates the output
# against the Kubernetes API schemas with no unknown fields (validate/, npm packages pinned in
# package-lock.json), checks the shape of each rendering, and runs `nexus-router check` on the
# router configuration each ConfigMap carries. Works on a copy, with a throw-away certificate.
set -eu
prog=test-k8s
packaging_dir=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
# shellcheck source=../lib/common.sh
. "$packaging_dir/lib/common.sh"
for tool in kubectl node npm openssl; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/nexus-router-k8s.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/k8s" "$work/rendered" "$work/configs"
(cd "$packaging_dir/k8s" && tar --exclude=./validate -cf - .) | tar -xf - -C "$work/k8s"

# The base expects the TLS pair in base/tls/ (not in the repository).
mkdir -p "$work/k8s/base/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=registry.example.com -addext 'subjectAltName=DNS:registry.example.com,DNS:nexus.example.com' \
  -keyout "$work/k8s/base/tls/tls.key" -out "$work/k8s/base/tls/tls.crt" 2>/dev/null ||
  die "openssl could not make a test certificate"

count=0
for dir in "$work/k8s/base" "$work/k8s/overlays"/*/; do
  dir=${dir%/}
  label=$(echo "${dir#"$work/k8s/"}" | tr / -)
  kubectl kustomize "$dir" >"$work/rendered/$label.yaml" 2>"$work/err" ||
    die "kubectl kustomize ${dir#"$work/"} failed: $(cat "$work/err")"
  count=$((count + 1))
done
say "rendered $count kustomizations"

kinds() { grep -E '^kind: ' "$1" | sort | uniq -c | awk '{print $3 "=" $1}' | tr '\n' ' '; }
base=$work/rendered/base.yaml
scale=$work/rendered/overlays-scale-out.yaml
[ "$(kinds "$base")" = "ConfigMap=1 Secret=1 Service=2 StatefulSet=1 " ] || die "base renders $(kinds "$base")"
[ "$(kinds "$scale")" = "ConfigMap=1 Deployment=1 HorizontalPodAutoscaler=1 PodDisruptionBudget=1 Secret=1 Service=2 StatefulSet=1 " ] ||
  die "scale-out renders $(kinds "$scale")"
grep -q 'image: nexus-router:0.1.0' "$base" || die "base: no pinned nexus-router image"
if [ "$(grep -c 'path: /readyz' "$base")" != 1 ] || [ "$(grep -c 'path: /healthz' "$base")" != 1 ]; then
  die "base: the router sidecar lacks /readyz or /healthz probes"
fi
grep -q 'mountPath: /nexus-data' "$base" || die "base: /nexus-data is not mounted"
for port in 8081 8082 8083 8084 8085 8086; do
  grep -q "containerPort: $port" "$base" || die "base: Nexus does not expose $port"
done
grep -q 'port: 443' "$base" || die "base: no Service port 443"
grep -q 'type: kubernetes.io/tls' "$base" || die "base: no TLS Secret"
# scale-out: the StatefulSet lost its sidecar, the router is a Deployment behind the same Service.
[ "$(grep -c 'image: nexus-router' "$scale")" = 1 ] || die "scale-out: the router image is not only in the Deployment"
grep -q 'podAntiAffinity' "$scale" || die "scale-out: no anti-affinity"
say "rendered resources have the expected kinds, ports, probes and volumes"

# Schema validation with pinned npm packages (package-lock.json).
validate=$packaging_dir/k8s/validate
if [ ! -d "$validate/node_modules/kubernetes-models" ]; then
  npm ci --prefix "$validate" --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1 ||
    die "npm ci failed: $(tail -n 20 "$work/npm.log")"
fi
node "$validate/validate.mjs" --extract-configmap nexus-router-config config.yaml "$work/configs" \
  "$work/rendered"/*.yaml || die "schema validation failed"

# The router must accept what each ConfigMap holds (certificate paths pointed at the test pair).
checked=0
for config in "$work/configs"/*; do
  sed "s|/etc/nexus-router/tls/|$work/k8s/base/tls/|g" "$config" >"$config.local"
  "$packaging_dir/bin/nexus-router" check "$config.local" >"$work/check.out" 2>&1 ||
    die "nexus-router check rejects the ConfigMap of $(basename "$config"): $(cat "$work/check.out")"
  checked=$((checked + 1))
done
[ "$checked" = "$count" ] || die "found $checked router ConfigMaps in $count renderings"
say "nexus-router check accepts the router config of every rendering"
