"""Builds the offline JSON Schema folders kubeconform validates the rendered chart against.

  schemas.py kubernetes <kubernetes-validate schema dir> <out dir>
      The Kubernetes schemas shipped in the kubernetes-validate wheel, with their "$id"s dropped and their
      "/api/_definitions.json" references made relative, so they resolve from files instead of kubernetes.io.
      kubeconform: -schema-location '<out dir>/{{.ResourceKind}}{{.KindSuffix}}.json'

  schemas.py crds <out dir> <CRD yaml>...
      Each version of each CustomResourceDefinition as a strict JSON Schema, laid out as
      kubeconform expects: -schema-location '<out dir>/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'
"""

import json
import os
import sys

import yaml

DEFINITIONS_REF = '"/api/_definitions.json#'


def kubernetes(src: str, out: str) -> None:
    os.makedirs(out, exist_ok=True)
    names = [n for n in os.listdir(src) if n.endswith(".json")]
    if "_definitions.json" not in names or "deployment-apps-v1.json" not in names:
        sys.exit(f"schemas.py: {src} does not look like a kubernetes-json-schema folder")
    for name in names:
        with open(os.path.join(src, name), encoding="utf-8") as f:
            text = f.read().replace(DEFINITIONS_REF, '"_definitions.json#')
        schema = json.loads(text)
        schema.pop("$id", None)
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            json.dump(schema, f)


def strict(node):
    """Closes every object that lists its properties, the way kubeconform's strict schemas do."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: strict(value) for key, value in node.items()}
    if node.pop("x-kubernetes-int-or-string", False):
        node.pop("type", None)
        node["oneOf"] = [{"type": "string"}, {"type": "integer"}]
    if (
        "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields", False)
    ):
        node["additionalProperties"] = False
    return node


def crds(out: str, files: list[str]) -> None:
    written = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            for doc in yaml.safe_load_all(f):
                if not doc or doc.get("kind") != "CustomResourceDefinition":
                    continue
                group = doc["spec"]["group"]
                kind = doc["spec"]["names"]["kind"].lower()
                for version in doc["spec"]["versions"]:
                    schema = strict(version["schema"]["openAPIV3Schema"])
                    schema["properties"]["apiVersion"] = {"type": "string", "enum": [f"{group}/{version['name']}"]}
                    schema["properties"]["kind"] = {"type": "string", "enum": [doc["spec"]["names"]["kind"]]}
                    schema.setdefault("required", [])
                    schema["required"] = sorted(set(schema["required"]) | {"apiVersion", "kind", "metadata"})
                    target = os.path.join(out, group, f"{kind}_{version['name']}.json")
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "w", encoding="utf-8") as f:
                        json.dump(schema, f)
                    written += 1
    if written == 0:
        sys.exit("schemas.py: no CustomResourceDefinition found")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "kubernetes":
        kubernetes(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "crds":
        crds(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
