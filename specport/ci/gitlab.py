"""The GitLab CI pipeline: one stage per wave, `parallel: N` jobs per part (at most 200 each).

Jobs run in a Debian image with a Docker-in-Docker service as their engine (DOCKER_HOST), so
the runner must allow privileged services; or name a runner tag whose runner has an engine.
Later stages get every earlier stage's artifacts (GitLab's default), so each job's output
directory (waves/wave-N-I/) is its artifact, and the publish stage sees all of them. The
project's own registry ($CI_REGISTRY_IMAGE, with the job's registry login) holds the builder
images and the result cache. The keys are the project's CI/CD variables
SPECPORT_CI_CACHE_SIGNING_KEY and SPECPORT_CI_REPO_KEY (File type: the job gets a path).
"""

from __future__ import annotations

from typing import Any

from specport.ci.plan import Plan, job_dir, wave_parts
from specport.ci.workflow import (
    GITLAB_MAX,
    OUTPUT,
    PLAN_ENV,
    REPOSITORY,
    Setup,
    install_command,
)


def gitlab_pipeline(plan: Plan, digest: str, setup: Setup) -> dict[str, Any]:
    default: dict[str, Any] = {
        "image": setup.image,
        "services": [{"name": setup.dind, "alias": "docker"}],
        "before_script": [
            "apt-get update -qq",
            "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends"
            " pipx ca-certificates >/dev/null",
            install_command(setup.install),
            'export PATH="$HOME/.local/bin:$PATH"',
        ],
    }
    if setup.runner:
        default["tags"] = [setup.runner]
    login = "$CI_REGISTRY_USER:$CI_REGISTRY_PASSWORD"
    doc: dict[str, Any] = {
        "stages": ["builders"],
        "variables": {
            "DOCKER_HOST": "tcp://docker:2375",
            "DOCKER_TLS_CERTDIR": "",
            PLAN_ENV: digest,
            "SPECPORT_CI_JOBS_FILE": setup.jobs_file,
            "SPECPORT_BUILDERS_REGISTRY": "$CI_REGISTRY_IMAGE/specport",
            "SPECPORT_REGISTRY_AUTH": login,
            "SPECPORT_SHARED_CACHE": "oci://$CI_REGISTRY_IMAGE/specport-results",
            "SPECPORT_SHARED_CACHE_AUTH": login,
            "SPECPORT_SHARED_CACHE_KEY": setup.cache_key,
        },
        "default": default,
        "builders": {
            "stage": "builders",
            "timeout": "3h",
            "script": ["specport ci builders"],
        },
    }
    for w, parts in enumerate(wave_parts([range(len(w)) for w in plan.waves], GITLAB_MAX), 1):
        stage = f"wave-{w}"
        doc["stages"].append(stage)
        for p, indexes in enumerate(parts, start=1):
            first = indexes[0]
            # CI_NODE_INDEX counts from 1 in each part; a part of one job has none
            offset = f" + {first}" if first else ""
            index = f'"$((CI_NODE_INDEX - 1{offset}))"' if len(indexes) > 1 else str(first)
            command = f"specport ci job --wave {w} --index {index} --output {OUTPUT}"
            if w > 1:
                command += f" --with-packages {OUTPUT}"
            job: dict[str, Any] = {
                "stage": stage,
                "timeout": "6h",
                "script": [command],
                "artifacts": {"paths": [f"{OUTPUT}/{job_dir(w, '*')}/"], "when": "on_success"},
            }
            if len(indexes) > 1:
                job["parallel"] = len(indexes)
            doc[stage if len(parts) == 1 else f"{stage}-part-{p}"] = job
    doc["stages"].append("publish")
    doc["publish"] = {
        "stage": "publish",
        "timeout": "1h",
        "script": [f"specport ci publish --packages {OUTPUT} --repo {REPOSITORY}"],
        "artifacts": {"paths": [f"{REPOSITORY}/"]},
    }
    return doc
