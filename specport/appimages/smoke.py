"""Smoke tests of a built image, per its class, in a throwaway container without network:

    cli   `php -v` runs; `php -m` lists every PHP extension (*.so) that the packages the image
          holds from the repository ship, and warns about none it could not load
    fpm   cli, then the image's own command started as `docker run` would, and a FastCGI
          request to it answered by PHP (with those extensions loaded there too)
    app   cli, then the image's own command started, and an HTTP GET answered (2xx/3xx, with
          the text image.toml's `expect` names)

Then the pytest files of images/<name>/tests/ (imagetests.py) run against it.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from specport.appimages import probes
from specport.appimages.model import Unit
from specport.appimages.records import Installed
from specport.container.engine import Engine
from specport.container.runs import StepError, Throwaway
from specport.container.transfer import image_config
from specport.errors import EngineError
from specport.repo.contents import Held
from specport.targets.families import facts_of

STEP_TIMEOUT = 120.0
PROBE_DIR = "/tmp/specport-probe"
PROBE_PHP = """<?php
echo "specport-probe-ok\\n", PHP_VERSION, "\\n", PHP_SAPI, "\\n";
echo implode("\\n", get_loaded_extensions()), "\\n";
"""
_LOAD_ERRORS = ("Unable to load dynamic library", "PHP Startup:", "PHP Fatal error")


@dataclass
class SmokeResult:
    passed: list[str] = field(default_factory=list)  # what was checked, one line each
    failure: str = ""

    @property
    def ok(self) -> bool:
        return not self.failure


class SmokeFailure(Exception):
    pass


def from_repository(manifest: list[Installed], offered: list[Held]) -> list[str]:
    """Names of the packages in the image that the repository published (name and version)."""
    published = {(h.name, h.version) for h in offered}
    return sorted({p.name for p in manifest if (p.name, p.version) in published})


def smoke_test(
    engine: Engine,
    unit: Unit,
    ref: str,
    manifest: list[Installed],
    offered: list[Held],
    log_path: Path,
) -> SmokeResult:
    result = SmokeResult()
    with Throwaway(
        engine, ref, log_path=log_path, purpose="image-smoke", network=False,
        target=unit.target.name,
    ) as box:  # fmt: skip
        try:
            modules = _cli(box, unit, from_repository(manifest, offered), result)
            if unit.image.smoke == "fpm":
                _fpm(engine, box, unit, ref, modules, result)
            elif unit.image.smoke == "app":
                _app(engine, box, unit, ref, result)
        except SmokeFailure as exc:
            result.failure = str(exc)
        except StepError as exc:
            result.failure = f"{exc} ({exc.result.output.strip()[-300:]})"
    return result


def _cli(box: Throwaway, unit: Unit, ours: list[str], result: SmokeResult) -> list[str]:
    version = box.run(["php", "-v"], timeout=STEP_TIMEOUT, check=False)
    if version.exit_code != 0:
        raise SmokeFailure(f"`php -v` failed: {_tail(version.output)}")
    said = [ln for ln in version.output.splitlines() if ln.startswith("PHP ") and "(" in ln]
    result.passed.append(f"php -v: {said[0] if said else version.output.strip()[:80]}")
    listed = box.run(["php", "-m"], timeout=STEP_TIMEOUT, check=False)
    bad = [ln.strip() for ln in listed.output.splitlines() if any(e in ln for e in _LOAD_ERRORS)]
    if listed.exit_code != 0 or bad:
        raise SmokeFailure(f"`php -m`: {bad[0] if bad else _tail(listed.output)}")
    shown = {ln.strip().lower() for ln in listed.output.splitlines()}
    modules = _shipped(box, unit, ours)
    missing = [m for m in modules if m.lower() not in shown]
    if missing:
        raise SmokeFailure(f"`php -m` does not list {', '.join(missing)}")
    if modules:
        result.passed.append(f"php -m lists {', '.join(modules)}")
    return modules


def _shipped(box: Throwaway, unit: Unit, packages: list[str]) -> list[str]:
    """PHP extensions (*.so under a php directory) the packages ship."""
    if not packages:
        return []
    listing = box.run(
        f"{facts_of(unit.target).list_files_command} {' '.join(packages)}",
        timeout=STEP_TIMEOUT,
        check=False,
    ).output
    found = set()
    for line in listing.splitlines():
        path = line.strip()
        if path.endswith(".so") and "/php" in path:
            found.add(Path(path).stem)
    return sorted(found)


def start_service(engine: Engine, box: Throwaway, ref: str) -> None:
    config = image_config(engine, ref)
    if config is None or not config.command:
        raise SmokeFailure(f"{ref} has no command to start (CMD/ENTRYPOINT)")
    box.run(["bash", "-c", probes.START_SCRIPT, "service", *config.command], timeout=STEP_TIMEOUT)


def _service_log(box: Throwaway) -> str:
    out = box.run("tail -n 5 /tmp/specport-service.log 2>/dev/null", timeout=30, check=False)
    return " | ".join(out.output.strip().splitlines())[-400:]


def _fpm(
    engine: Engine, box: Throwaway, unit: Unit, ref: str, modules: list[str], result: SmokeResult
) -> None:
    start_service(engine, box, ref)
    with tempfile.TemporaryDirectory(prefix="specport-probe-") as tmp:
        probe = Path(tmp) / "probe.php"
        probe.write_text(PROBE_PHP)
        probe.chmod(0o644)
        box.copy_in(probe, PROBE_DIR)
    box.run(["chmod", "0755", PROBE_DIR], timeout=30, user="root")
    request = probes.printf_escaped(probes.fcgi_request(f"{PROBE_DIR}/probe.php"))
    sent = box.run(
        probes.FCGI_SCRIPT,
        timeout=probes.WAIT_SECONDS + probes.ANSWER_SECONDS + 30,
        env={"PORT": str(unit.image.port), "REQUEST": request},
        check=False,
    )
    if sent.exit_code == 111:
        raise SmokeFailure(f"nothing listens on port {unit.image.port}: {_service_log(box)}")
    try:
        answer = probes.read_fcgi(sent.output)
    except ValueError:
        raise SmokeFailure(f"no FastCGI answer: {_tail(sent.output)}") from None
    if not answer.ended or "specport-probe-ok" not in answer.stdout:
        raise SmokeFailure(
            f"FastCGI request on port {unit.image.port} not answered by PHP: "
            f"{_tail(answer.stdout + answer.stderr) or _service_log(box)}"
        )
    lines = answer.body.splitlines()
    loaded = {ln.strip().lower() for ln in lines[3:]}
    missing = [m for m in modules if m.lower() not in loaded]
    if missing:
        raise SmokeFailure(f"php-fpm did not load {', '.join(missing)}")
    sapi = lines[2] if len(lines) > 2 else "?"
    result.passed.append(f"FastCGI request on port {unit.image.port} answered ({sapi})")


def http_get(box: Throwaway, port: int, path: str) -> probes.HttpAnswer:
    """GET path on port inside the container; a gateway's 502-504 while the application
    behind it is still starting (a web server up before php-fpm) is asked again."""
    answer = probes.HttpAnswer(0, "")
    deadline = time.monotonic() + probes.WAIT_SECONDS
    while True:
        sent = box.run(
            probes.HTTP_SCRIPT,
            timeout=probes.WAIT_SECONDS + probes.ANSWER_SECONDS + 30,
            env={"PORT": str(port), "URLPATH": path},
            check=False,
        )
        if sent.exit_code == 111:
            raise SmokeFailure(f"nothing listens on port {port}: {_service_log(box)}")
        answer = probes.read_http(sent.output)
        if answer.status not in (502, 503, 504) or time.monotonic() > deadline:
            return answer
        time.sleep(1)


def _app(engine: Engine, box: Throwaway, unit: Unit, ref: str, result: SmokeResult) -> None:
    start_service(engine, box, ref)
    answer = http_get(box, unit.image.port, unit.image.path)
    where = f"GET {unit.image.path} on port {unit.image.port}"
    if not 200 <= answer.status < 400:
        raise SmokeFailure(f"{where}: {answer.status or 'no HTTP answer'}: {_tail(answer.body)}")
    if unit.image.expect and unit.image.expect not in answer.body:
        raise SmokeFailure(f"{where}: the page does not contain {unit.image.expect!r}")
    result.passed.append(f"{where} answered {answer.status}")


def _tail(text: str) -> str:
    return " | ".join(text.strip().splitlines()[-3:])[-300:]


def check_present(engine: Engine, ref: str) -> None:
    if image_config(engine, ref) is None:
        raise EngineError(f"image {ref} is not in the engine", "build it: specport images build")
