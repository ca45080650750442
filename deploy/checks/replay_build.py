"""Replays deploy/Dockerfile without a Docker engine, to catch a build that would fail in `docker build`.

  replay_build.py <repo root> <Dockerfile> <work dir>

The build stage runs for real in <work dir>/src: its ENV, WORKDIR, COPY from the context (without
node_modules, dist and *.tsbuildinfo, as the dockerignore excludes them) and RUN commands, with /src and
/out mapped into <work dir>. The step that installs pnpm globally is checked instead (the pinned version
must be the one running here). The runtime stage's COPY instructions then lay out <work dir>/app as the
image's /app, and the image's command path is checked. Prints the laid-out /app folder on success.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys

from dockerfile_sources import copy_sources, instructions

EXCLUDED = shutil.ignore_patterns("node_modules", "dist", "*.tsbuildinfo")


def stages(dockerfile: str) -> list[tuple[str, list[tuple[str, str]]]]:
    result: list[tuple[str, list[tuple[str, str]]]] = []
    for keyword, rest in instructions(dockerfile):
        if keyword == "FROM":
            words = rest.split()
            result.append((words[-1] if len(words) >= 3 and words[-2].upper() == "AS" else "", []))
        elif result:
            result[-1][1].append((keyword, rest))
    return result


def env_pairs(rest: str) -> dict[str, str]:
    return dict(word.split("=", 1) for word in shlex.split(rest))


def copy_into(source: str, target: str) -> None:
    if os.path.isdir(source):
        shutil.copytree(source, target, ignore=EXCLUDED, dirs_exist_ok=True, symlinks=True)
    else:
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        shutil.copy2(source, target)


def main(root: str, dockerfile: str, work: str) -> None:
    root, work = os.path.abspath(root), os.path.abspath(work)
    mapped = {"/src": os.path.join(work, "src"), "/out": os.path.join(work, "out"), "/app": os.path.join(work, "app")}

    def host(path: str, cwd: str) -> str:
        for container, local in mapped.items():
            if path == container or path.startswith(container + "/"):
                return local + path[len(container) :]
        return os.path.join(cwd, path)

    def remap(command: str) -> str:
        for container, local in mapped.items():
            command = re.sub(rf"(?<![\w./-]){re.escape(container)}(?=[/\s]|$)", local, command)
        return command

    all_stages = stages(dockerfile)
    build = dict(all_stages)["build"]
    env = dict(os.environ)
    cwd = work
    for keyword, rest in build:
        if keyword == "ENV":
            env.update(env_pairs(rest))
        elif keyword == "WORKDIR":
            cwd = host(rest, cwd)
            os.makedirs(cwd, exist_ok=True)
        elif keyword == "COPY":
            words = [w for w in rest.split() if not w.startswith("--")]
            for source in copy_sources(rest) or []:
                dest = host(words[-1], cwd)
                target = os.path.join(dest, os.path.basename(source.rstrip("/"))) if not source.endswith("/") and dest.endswith("/") else dest
                copy_into(os.path.join(root, source), target)
        elif keyword == "RUN":
            pinned = re.search(r"npm install --global .*pnpm@(\S+)", rest)
            if pinned:
                running = subprocess.run(["pnpm", "--version"], capture_output=True, text=True, check=True).stdout.strip()
                if running != pinned.group(1):
                    sys.exit(f"replay: the Dockerfile pins pnpm@{pinned.group(1)}, this machine runs {running}")
                continue
            print(f"replay: RUN {rest[:100]}{'...' if len(rest) > 100 else ''}", file=sys.stderr, flush=True)
            # Build output goes to stderr: stdout carries only the final JSON line.
            subprocess.run(
                ["bash", "-euo", "pipefail", "-c", remap(rest)], cwd=cwd, env=env, check=True, stdout=sys.stderr
            )

    runtime_name, runtime = all_stages[-1]
    cwd, entrypoint, cmd = work, None, None
    for keyword, rest in runtime:
        if keyword == "WORKDIR":
            cwd = host(rest, cwd)  # created by the first COPY into it
        elif keyword == "COPY":
            words = [w for w in rest.split() if not w.startswith("--")]
            from_stage = re.search(r"--from=(\S+)", rest)
            sources = words[:-1] if from_stage else copy_sources(rest) or []
            for source in sources:
                target = host(words[-1], cwd)
                if from_stage and not os.path.exists(target.rstrip("/")):
                    shutil.move(host(source, cwd).rstrip("/"), target.rstrip("/"))  # what the stage built, as is
                elif from_stage:
                    shutil.copytree(host(source, cwd), target, symlinks=True, dirs_exist_ok=True)
                else:
                    copy_into(os.path.join(root, source), target)
        elif keyword == "ENTRYPOINT":
            entrypoint = json.loads(rest)
        elif keyword == "CMD":
            cmd = json.loads(rest)
    if not entrypoint or entrypoint[0] != "node" or not os.path.isfile(os.path.join(cwd, entrypoint[1])):
        sys.exit(f"replay: stage {runtime_name}: ENTRYPOINT {entrypoint} does not name a file in {cwd}")
    print(json.dumps({"app": cwd, "entrypoint": entrypoint, "cmd": cmd}))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
