"""What `specport ci workflow` calls: the set's waves as a plan (ci/plan.py), written to the
jobs file, and the GitHub workflow (ci/workflow.py) or GitLab pipeline (ci/gitlab.py) that runs
it. The jobs themselves run ci/jobs.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from specport import log, safeio
from specport.ci.gitlab import gitlab_pipeline
from specport.ci.plan import Plan, make_plan, relative_spec
from specport.ci.workflow import HEADER, Setup, github_workflow
from specport.ci.yamltext import to_yaml
from specport.config import Config
from specport.errors import SpecError, UsageError
from specport.graph.sets import graph_of_texts
from specport.index.resolvers import index_mode, make_resolvers
from specport.normalize.model import Bconds
from specport.targets import Target


@dataclass(frozen=True)
class WorkflowRequest:
    specs: tuple[Path, ...]
    targets: tuple[Target, ...]
    fmt: str  # github | gitlab
    setup: Setup = field(default_factory=Setup)
    flags: tuple[str, ...] = ()  # --nocheck, --with NAME, --without NAME
    bconds: Bconds = field(default_factory=Bconds)
    per_job: int = 1
    offline: bool = False
    no_index: bool = False
    top: Path = field(default_factory=Path.cwd)  # the repository's top, where jobs start


@dataclass(frozen=True)
class Workflow:
    text: str
    plan: Plan
    jobs_file: Path


def plan_set(config: Config, request: WorkflowRequest) -> Plan:
    """The set's waves per target (its graph, names resolved as a build resolves them) as jobs."""
    texts = []
    for spec in request.specs:
        rel = relative_spec(spec, request.top)
        try:
            texts.append((rel, spec.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(f"cannot read the spec: {exc}", path=str(spec)) from None
    settings = config.settings
    mode = index_mode(settings, offline=request.offline, no_index=request.no_index)
    resolvers = make_resolvers(
        list(request.targets), {Path(p): t for p, t in texts}, settings, mode, config.names
    )
    by_wave: list[list[tuple[str, str]]] = []
    for target in request.targets:
        graph = graph_of_texts(texts, target, resolvers.get(target.name), request.bconds)
        for cycle in graph.cycles:
            log.warn(f"{target.name}: build cycle {graph.cycle_text(cycle)}")
        for w, members in enumerate(graph.waves):
            while len(by_wave) <= w:
                by_wave.append([])
            by_wave[w].extend((texts[i][0], target.name) for i in members)
    return make_plan(
        by_wave,
        [rel for rel, _ in texts],
        [t.name for t in request.targets],
        request.flags,
        request.per_job,
    )


def write_workflow(config: Config, request: WorkflowRequest) -> Workflow:
    """The plan written to setup.jobs_file (under top), and the workflow text that runs it."""
    if request.fmt not in ("github", "gitlab"):
        raise UsageError(f"unknown CI format {request.fmt!r} (github, gitlab)")
    plan = plan_set(config, request)
    render = github_workflow if request.fmt == "github" else gitlab_pipeline
    doc = render(plan, plan.digest(), request.setup)  # checks --install before any write
    jobs_file = request.top / request.setup.jobs_file
    if not (request.top / request.setup.cache_key).is_file():
        log.warn(
            f"{request.setup.cache_key} does not exist: jobs use no cache entry until it holds "
            "the public key of the SPECPORT_CI_CACHE_SIGNING_KEY secret (specport keys generate)"
        )
    safeio.replace_text(jobs_file, plan.to_json())
    text = HEADER.format(plan=request.setup.jobs_file) + to_yaml(doc)
    return Workflow(text, plan, jobs_file)
