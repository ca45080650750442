"""Asserts what the chart must render, beyond schema validity.

  assert_rendered.py <rendered.yaml> [--expect KIND]... [--expect-none KIND]... [--max-replicas N]

Checks the worker Deployment's probes, grace period vs the shutdown deadline, security context, resources,
that every file path in the ConfigMap lies on a mounted volume, that Secrets are referenced (never inlined into
the ConfigMap), and the autoscaler's maximum replicas.
"""

import argparse
import json
import sys

import yaml

SECRET_ENV = {"MODSTREAM_KAFKA_SASL_USERNAME", "MODSTREAM_KAFKA_SASL_PASSWORD", "MODSTREAM_REDIS_PASSWORD"}
problems: list[str] = []


def check(condition: bool, message: str) -> None:
    if not condition:
        problems.append(message)


def one(objects: list[dict], kind: str) -> dict | None:
    found = [o for o in objects if o.get("kind") == kind]
    check(len(found) == 1, f"expected exactly one {kind}, found {len(found)}")
    return found[0] if len(found) == 1 else None


def probe_path(container: dict, probe: str) -> str | None:
    return ((container.get(probe) or {}).get("httpGet") or {}).get("path")


def check_deployment(deployment: dict, config: dict) -> None:
    pod = deployment["spec"]["template"]["spec"]
    containers = [c for c in pod["containers"] if c["name"] == "worker"]
    check(len(containers) == 1, "Deployment has no container named worker")
    if not containers:
        return
    worker = containers[0]
    data = config.get("data", {})

    ports = {p["name"]: p["containerPort"] for p in worker.get("ports", [])}
    check(str(ports.get("http-metrics")) == data.get("MODSTREAM_HTTP_PORT"), "http-metrics port != MODSTREAM_HTTP_PORT")
    check(probe_path(worker, "readinessProbe") == "/readyz", "readinessProbe must GET /readyz")
    check(probe_path(worker, "livenessProbe") == "/healthz", "livenessProbe must GET /healthz")
    for probe in ("readinessProbe", "livenessProbe"):
        check((worker.get(probe) or {}).get("httpGet", {}).get("port") == "http-metrics", f"{probe} must use http-metrics")

    grace = pod.get("terminationGracePeriodSeconds")
    deadline = int(data.get("MODSTREAM_SHUTDOWN_DEADLINE_MS", "0"))
    check(isinstance(grace, int) and grace * 1000 > deadline, f"grace period {grace}s must exceed deadline {deadline}ms")

    pod_sc = pod.get("securityContext") or {}
    sc = worker.get("securityContext") or {}
    check(pod_sc.get("runAsNonRoot") is True and sc.get("runAsNonRoot") is True, "runAsNonRoot must be true")
    check(pod_sc.get("runAsUser") == 10001 and sc.get("runAsUser") == 10001, "runAsUser must be 10001")
    check(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem must be true")
    check(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation must be false")
    check((sc.get("capabilities") or {}).get("drop") == ["ALL"], "capabilities must drop ALL")
    for where, ctx in (("pod", pod_sc), ("container", sc)):
        check((ctx.get("seccompProfile") or {}).get("type") == "RuntimeDefault", f"{where} seccompProfile must be RuntimeDefault")
    check(pod.get("automountServiceAccountToken") is False, "automountServiceAccountToken must be false")

    limits = (worker.get("resources") or {}).get("limits") or {}
    check("cpu" in limits and "memory" in limits, "cpu and memory limits must be set")

    refs = [e["configMapRef"]["name"] for e in worker.get("envFrom", []) if "configMapRef" in e]
    check(refs == [config["metadata"]["name"]], "envFrom must reference the rendered ConfigMap")
    for env in worker.get("env", []):
        if env["name"] in SECRET_ENV:
            check("secretKeyRef" in env.get("valueFrom", {}), f"{env['name']} must come from a secretKeyRef")
    check(not SECRET_ENV & set(data), "secrets must not be in the ConfigMap")

    mounts = [m["mountPath"] for m in worker.get("volumeMounts", [])]
    for name, value in data.items():
        if name.endswith("_FILE"):
            check(any(value == m or value.startswith(m.rstrip("/") + "/") for m in mounts), f"{name}={value} is on no volume")
    if "MODSTREAM_ROUTING_POLICY_FILE" in data:
        try:
            json.loads(data.get("routing-policy.json", ""))
        except ValueError:
            problems.append("routing-policy.json in the ConfigMap is not JSON")
    names = {e["name"] for e in worker.get("env", [])}
    if data.get("MODSTREAM_KAFKA_SASL_MECHANISM"):
        check({"MODSTREAM_KAFKA_SASL_USERNAME", "MODSTREAM_KAFKA_SASL_PASSWORD"} <= names, "SASL credentials missing")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rendered")
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--expect-none", action="append", default=[])
    parser.add_argument("--max-replicas", type=int)
    args = parser.parse_args()

    with open(args.rendered, encoding="utf-8") as f:
        objects = [o for o in yaml.safe_load_all(f) if o]
    deployment = one(objects, "Deployment")
    config = one(objects, "ConfigMap")
    if deployment and config:
        check_deployment(deployment, config)
    for kind in args.expect:
        check(any(o["kind"] == kind for o in objects), f"expected a {kind}")
    for kind in args.expect_none:
        check(not any(o["kind"] == kind for o in objects), f"expected no {kind}")
    if args.max_replicas is not None:
        scalers = [o for o in objects if o["kind"] in ("ScaledObject", "HorizontalPodAutoscaler")]
        check(len(scalers) == 1, "expected one autoscaler")
        for s in scalers:
            got = s["spec"].get("maxReplicaCount", s["spec"].get("maxReplicas"))
            check(got == args.max_replicas, f"{s['kind']} max replicas {got} != {args.max_replicas}")

    if problems:
        print(f"{args.rendered}: {len(problems)} problem(s)", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        sys.exit(1)
    print(f"{args.rendered}: {len(objects)} objects, deployment assertions hold")


if __name__ == "__main__":
    main()
