"""What every generated CI file shares: how a job gets specport, the environment that wires the
registry and the result cache, and the GitHub Actions workflow.

Every job runs `specport ci ...` (specport/ci/api.py): the logic is specport's and tested here;
the YAML only checks out, installs specport, passes artifacts, and names secrets.

GitHub: a `builders` job puts the base and builder images into the registry the user names in
the repository variable SPECPORT_REGISTRY (logged in with the workflow's GITHUB_TOKEN), one job
per wave part needs the part(s) before it (a matrix of job indexes, at most 256 per part), each
uploads its output as an artifact that later waves and the final `publish` job download. The
result cache is the same registry (`oci://...`), its entries signed with the
SPECPORT_CI_CACHE_SIGNING_KEY secret and verified with the public key in the repository;
without the secret (a pull request from a fork) jobs read the cache but write none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from specport.ci.plan import JOBS_FILE, Plan, job_dir, wave_parts
from specport.errors import UsageError

GITHUB_MAX = 256  # jobs of one matrix
GITLAB_MAX = 200  # jobs of one parallel: N
# node24 majors (node20 leaves GitHub's runners in September 2026; actionlint flags it)
CHECKOUT = "actions/checkout@v6"
UPLOAD = "actions/upload-artifact@v6"
DOWNLOAD = "actions/download-artifact@v7"
HEADER = "# made by `specport ci workflow`: run it again when the set changes (it writes {plan})\n"
OUTPUT = "waves"  # each job's output goes to waves/wave-N-I/; earlier waves' are downloaded here
REPOSITORY = "repository"  # what the publish job writes

# what a job reads (specport/ci/api.py); the values are CI variables or secrets
PLAN_ENV = "SPECPORT_CI_PLAN"
CACHE_SIGNING_ENV = "SPECPORT_CI_CACHE_SIGNING_KEY"  # armored secret key, or a file (GitLab)
REPO_KEY_ENV = "SPECPORT_CI_REPO_KEY"  # the same for the published repositories' key
_PIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*==[0-9][A-Za-z0-9.+!-]*")


@dataclass(frozen=True)
class Setup:
    """How the jobs get specport and where things are. `install`: what pipx installs: "." (the
    checked-out repository), a wheel file in it, or NAME==VERSION; never an unpinned name."""

    install: str = "."
    jobs_file: str = JOBS_FILE
    cache_key: str = ".specport/cache-key.asc"  # the public key cache entries must verify with
    runner: str = ""  # GitHub: runs-on (default ubuntu-24.04); GitLab: a runner tag
    image: str = "debian:12"  # GitLab: the jobs' image (Debian/Ubuntu: the job uses apt)
    dind: str = "docker:27-dind"  # GitLab: the engine service


def install_command(what: str) -> str:
    """The pipx command of a job; UsageError for an unpinned or odd name."""
    ok = what == "." or (what.endswith(".whl") and " " not in what) or _PIN.fullmatch(what)
    if not ok:
        raise UsageError(
            f"--install {what!r}: use . (the repository), a wheel file, or NAME==VERSION",
            "an unpinned name would install whatever a public index serves under it",
        )
    # system site packages: rpm's, libsolv's and createrepo_c's bindings come from Debian
    return f"pipx install --system-site-packages {what}"


def github_workflow(plan: Plan, digest: str, setup: Setup) -> dict[str, Any]:
    runs_on = setup.runner or "ubuntu-24.04"
    install = {"name": "install specport", "run": install_command(setup.install)}
    checkout = {"uses": CHECKOUT}
    download = {
        "name": "packages of the earlier waves",
        "uses": DOWNLOAD,
        "with": {"pattern": "specport-wave-*", "path": OUTPUT},
    }
    jobs: dict[str, Any] = {
        "builders": {
            "name": "builder images",
            "runs-on": runs_on,
            "timeout-minutes": 180,
            "steps": [
                checkout,
                install,
                {
                    "name": "base and builder images into the registry",
                    "run": "specport ci builders",
                },
            ],
        }
    }
    previous = ["builders"]
    for w, parts in enumerate(wave_parts([range(len(w)) for w in plan.waves], GITHUB_MAX), 1):
        current = []
        for p, indexes in enumerate(parts, start=1):
            job = f"wave-{w}" if len(parts) == 1 else f"wave-{w}-part-{p}"
            current.append(job)
            job_cmd = f'specport ci job --wave {w} --index "$INDEX" --output {OUTPUT}'
            steps: list[dict[str, Any]] = [checkout]
            if w > 1:
                steps.append(download)
                job_cmd += f" --with-packages {OUTPUT}"
            steps += [
                install,
                {
                    "name": "build",
                    "run": job_cmd,
                    "env": {
                        "INDEX": "${{ matrix.index }}",
                        CACHE_SIGNING_ENV: f"${{{{ secrets.{CACHE_SIGNING_ENV} }}}}",
                    },
                },
                {
                    "name": "pass the packages on",
                    "uses": UPLOAD,
                    "with": {
                        "name": f"specport-{job_dir(w, '${{ matrix.index }}')}",
                        "path": f"{OUTPUT}/{job_dir(w, '${{ matrix.index }}')}/",
                        "if-no-files-found": "error",
                    },
                },
            ]
            title = f"wave {w}" + (f" part {p}/{len(parts)}" if len(parts) > 1 else "")
            jobs[job] = {
                "name": title + " job ${{ matrix.index }}",
                "needs": list(previous),
                "runs-on": runs_on,
                "timeout-minutes": 360,
                "strategy": {"fail-fast": False, "matrix": {"index": list(indexes)}},
                "steps": steps,
            }
        previous = current
    jobs["publish"] = {
        "name": "publish the repositories",
        "needs": list(previous),
        "runs-on": runs_on,
        "timeout-minutes": 60,
        "steps": [
            checkout,
            {**download, "name": "packages of every wave"},
            install,
            {
                "name": "publish",
                "run": f"specport ci publish --packages {OUTPUT} --repo {REPOSITORY}",
                "env": {REPO_KEY_ENV: f"${{{{ secrets.{REPO_KEY_ENV} }}}}"},
            },
            {
                "name": "the repositories",
                "uses": UPLOAD,
                "with": {"name": "specport-repository", "path": f"{REPOSITORY}/"},
            },
        ],
    }
    # the user names the registry (a repository variable): specport writes no registry's host
    registry = "${{ vars.SPECPORT_REGISTRY }}"
    login = "${{ github.actor }}:${{ secrets.GITHUB_TOKEN }}"
    return {
        "name": "specport",
        "on": {"push": None, "workflow_dispatch": None},
        "permissions": {"contents": "read", "packages": "write"},
        "env": {
            PLAN_ENV: digest,
            "SPECPORT_CI_JOBS_FILE": setup.jobs_file,
            "SPECPORT_BUILDERS_REGISTRY": f"{registry}/specport",
            "SPECPORT_REGISTRY_AUTH": login,
            "SPECPORT_SHARED_CACHE": f"oci://{registry}/specport-results",
            "SPECPORT_SHARED_CACHE_AUTH": login,
            "SPECPORT_SHARED_CACHE_KEY": setup.cache_key,
        },
        "jobs": jobs,
    }
