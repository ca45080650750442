"""Asserts what the chart must render, beyond schema validity.

  assert_rendered.py <rendered.yaml> [--expect KIND]... [--expect-none KIND]... [--max-replicas N] [--review]

Checks the worker Deployment's probes, grace period vs the shutdown deadline, security context, resources,
that every file path in the ConfigMap lies on a mounted volume, that Secrets are referenced (never inlined into
the ConfigMap), and the autoscaler's maximum replicas. With --review, the same of the review Deployment, its
users file on a mounted Secret, and Services that each select only their own pods; without it, that no review
objects render.
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


def container_of(deployment: dict, name: str) -> dict | None:
    containers = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == name]
    return containers[0] if len(containers) == 1 else None


def deployments_with(objects: list[dict], container: str) -> list[dict]:
    return [o for o in objects if o.get("kind") == "Deployment" and container_of(o, container) is not None]


def config_of(objects: list[dict], container: dict) -> dict | None:
    refs = [e["configMapRef"]["name"] for e in container.get("envFrom", []) if "configMapRef" in e]
    found = [o for o in objects if o.get("kind") == "ConfigMap" and o["metadata"]["name"] in refs]
    check(len(refs) == 1 and len(found) == 1, f"container {container['name']}: envFrom must reference one rendered ConfigMap")
    return found[0] if len(found) == 1 else None


def check_probes_and_grace(pod: dict, container: dict, data: dict, port_name: str, port_env: str, deadline_env: str) -> None:
    name = container["name"]
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    check(str(ports.get(port_name)) == data.get(port_env), f"{name}: {port_name} port != {port_env}")
    check(probe_path(container, "readinessProbe") == "/readyz", f"{name}: readinessProbe must GET /readyz")
    check(probe_path(container, "livenessProbe") == "/healthz", f"{name}: livenessProbe must GET /healthz")
    for probe in ("readinessProbe", "livenessProbe"):
        check((container.get(probe) or {}).get("httpGet", {}).get("port") == port_name, f"{name}: {probe} must use {port_name}")
    grace = pod.get("terminationGracePeriodSeconds")
    deadline = int(data.get(deadline_env, "0"))
    check(isinstance(grace, int) and grace * 1000 > deadline, f"{name}: grace period {grace}s must exceed deadline {deadline}ms")


def check_deployment(deployment: dict, config: dict) -> None:
    pod = deployment["spec"]["template"]["spec"]
    worker = container_of(deployment, "worker")
    check(worker is not None, "Deployment has no container named worker")
    if worker is None:
        return
    data = config.get("data", {})
    check_probes_and_grace(pod, worker, data, "http-metrics", "MODSTREAM_HTTP_PORT", "MODSTREAM_SHUTDOWN_DEADLINE_MS")
    check_hardening(pod, worker, config)
    names = {e["name"] for e in worker.get("env", [])}
    if data.get("MODSTREAM_KAFKA_SASL_MECHANISM"):
        check({"MODSTREAM_KAFKA_SASL_USERNAME", "MODSTREAM_KAFKA_SASL_PASSWORD"} <= names, "SASL credentials missing")


def check_hardening(pod: dict, worker: dict, config: dict) -> None:
    """Security context, limits, secrets by reference only, and every *_FILE setting on a mounted volume."""
    data = config.get("data", {})

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


def selects(service: dict, pod_labels: dict) -> bool:
    selector = service["spec"].get("selector") or {}
    return bool(selector) and all(pod_labels.get(k) == v for k, v in selector.items())


def check_review(objects: list[dict], worker_deployment: dict | None) -> None:
    found = deployments_with(objects, "review")
    check(len(found) == 1, f"expected one review Deployment, found {len(found)}")
    if len(found) != 1:
        return
    deployment = found[0]
    pod = deployment["spec"]["template"]["spec"]
    review = container_of(deployment, "review")
    config = config_of(objects, review)
    if config is None:
        return
    data = config.get("data", {})
    check_probes_and_grace(pod, review, data, "http", "MODSTREAM_REVIEW_HTTP_PORT", "MODSTREAM_REVIEW_SHUTDOWN_DEADLINE_MS")
    check_hardening(pod, review, config)
    check(review.get("args") == ["serve"], "review container must run `serve`")
    users_file = data.get("MODSTREAM_REVIEW_USERS_FILE", "")
    check(users_file != "", "MODSTREAM_REVIEW_USERS_FILE missing")
    mounts = {m["mountPath"]: m["name"] for m in review.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    holders = [name for path, name in mounts.items() if users_file.startswith(path.rstrip("/") + "/")]
    check(len(holders) == 1 and "secret" in volumes.get(holders[0], {}), "the users file must come from a mounted Secret")
    if holders and "secret" in volumes.get(holders[0], {}):
        secret_name = volumes[holders[0]]["secret"]["secretName"]
        made = [o for o in objects if o.get("kind") == "Secret" and o["metadata"]["name"] == secret_name]
        for secret in made:
            users = json.loads((secret.get("stringData") or {}).get("users.json", "{}")).get("users", [])
            check(len(users) > 0, "the chart-made users Secret has no users")
            check(all(str(u.get("password_hash", "")).startswith("scrypt$") for u in users), "users need scrypt hashes")
    for key in ("MODSTREAM_REVIEW_QUEUE_TOPICS", "MODSTREAM_REVIEW_DECISIONS_TOPIC", "MODSTREAM_KAFKA_BROKERS"):
        check(bool(data.get(key)), f"{key} missing from the review ConfigMap")
    names = {e["name"] for e in review.get("env", [])}
    if data.get("MODSTREAM_KAFKA_SASL_MECHANISM"):
        check({"MODSTREAM_KAFKA_SASL_USERNAME", "MODSTREAM_KAFKA_SASL_PASSWORD"} <= names, "review: SASL credentials missing")

    review_labels = deployment["spec"]["template"]["metadata"]["labels"]
    worker_labels = worker_deployment["spec"]["template"]["metadata"]["labels"] if worker_deployment else {}
    services = [o for o in objects if o.get("kind") == "Service"]
    review_services = [s for s in services if selects(s, review_labels)]
    check(len(review_services) == 1, "exactly one Service must select the review pods")
    for service in review_services:
        check(not selects(service, worker_labels), "the review Service must not select worker pods")
        check(any(p.get("targetPort") == "http" for p in service["spec"]["ports"]), "the review Service must target http")
    for other in ("PodDisruptionBudget", "ServiceMonitor"):
        for o in objects:
            if o.get("kind") == other:
                selector = o["spec"]["selector"].get("matchLabels", {})
                check(not all(review_labels.get(k) == v for k, v in selector.items()), f"the worker {other} selects review pods")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rendered")
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--expect-none", action="append", default=[])
    parser.add_argument("--max-replicas", type=int)
    parser.add_argument("--review", action="store_true", help="the review app is enabled")
    args = parser.parse_args()

    with open(args.rendered, encoding="utf-8") as f:
        objects = [o for o in yaml.safe_load_all(f) if o]
    workers = deployments_with(objects, "worker")
    check(len(workers) == 1, f"expected one worker Deployment, found {len(workers)}")
    deployment = workers[0] if len(workers) == 1 else None
    config = config_of(objects, container_of(deployment, "worker")) if deployment else None
    if deployment and config:
        check_deployment(deployment, config)
    if args.review:
        check_review(objects, deployment)
    else:
        check(not deployments_with(objects, "review"), "the review app renders only with review.enabled")
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
