"""Checks deploy/Dockerfile against the repository, since no Docker engine runs here.

  dockerfile_sources.py <repo root> <Dockerfile> <dockerignore>

Every COPY from the build context names a path that exists (run after `pnpm build`) and that the
allowlist-style dockerignore re-includes, and every pnpm workspace member reaches the build stage
(its folder or its package.json), so `pnpm install --frozen-lockfile` sees the same workspace as the lockfile.
"""

import json
import os
import sys

import yaml


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    lines, current = [], ""
    with open(dockerfile, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not current and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if line.endswith("\\"):
                current += line[:-1] + " "
                continue
            lines.append(current + line)
            current = ""
    result = []
    for line in lines:
        keyword, _, rest = line.strip().partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result


def copy_sources(rest: str) -> list[str] | None:
    """Context sources of a COPY, or None when it copies from another stage."""
    words = rest.split()
    flags = [w for w in words if w.startswith("--")]
    if any(f.startswith("--from=") for f in flags):
        return None
    args = " ".join(w for w in words if not w.startswith("--"))
    paths = json.loads(args) if args.startswith("[") else args.split()
    return paths[:-1]


def allowlisted(path: str, patterns: list[str]) -> bool:
    path = path.strip("/")
    included = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        p = pattern.lstrip("!").strip("/")
        if p == "*" or path == p or path.startswith(p + "/"):
            included = negated
    return included


def main(root: str, dockerfile: str, dockerignore: str) -> None:
    problems = []
    with open(dockerignore, encoding="utf-8") as f:
        patterns = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    copied = []
    for keyword, rest in instructions(dockerfile):
        if keyword == "ADD":
            problems.append(f"ADD {rest}: use COPY")
        if keyword != "COPY":
            continue
        sources = copy_sources(rest)
        for source in sources or []:
            copied.append(source.strip("/"))
            if not os.path.exists(os.path.join(root, source)):
                problems.append(f"COPY source {source} does not exist")
            elif not allowlisted(source, patterns):
                problems.append(f"COPY source {source} is excluded by {dockerignore}")
    if not copied:
        problems.append("no COPY from the build context")

    with open(os.path.join(root, "pnpm-workspace.yaml"), encoding="utf-8") as f:
        members = (yaml.safe_load(f) or {}).get("packages", [])
    for member in members:
        base = member.rstrip("/*").strip("/")
        if not any(c == base or c == f"{base}/package.json" for c in copied):
            problems.append(f"workspace member {member} is not copied into the build stage")

    if problems:
        print(f"{dockerfile}: {len(problems)} problem(s)", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        sys.exit(1)
    print(f"{dockerfile}: {len(copied)} COPY sources exist and are in the build context")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
