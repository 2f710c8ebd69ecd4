"""The user's images without an engine: the images tree, FROM order, package sets and keys,
why a build happens, the smoke tests' FastCGI/HTTP codecs, manifests and SBOMs, the hook."""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from specport.appimages import probes
from specport.appimages.hook import call_hook
from specport.appimages.inputs import package_set, prepare, tree_hash
from specport.appimages.manifest import parse_manifest, sbom
from specport.appimages.model import Unit, load_images
from specport.appimages.order import descendants, from_order, select
from specport.appimages.records import BuildRecord
from specport.appimages.registry import Releases, releases
from specport.appimages.repoview import RepoView
from specport.appimages.why import reasons
from specport.config import Settings, load_config
from specport.errors import ConfigError, UsageError
from specport.repo.contents import Held

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "images"


@pytest.fixture(scope="module")
def targets():  # type: ignore[no-untyped-def]
    return load_config().targets


def test_the_bundled_examples_load(targets) -> None:  # type: ignore[no-untyped-def]
    images = load_images(EXAMPLES, targets)
    assert from_order(images) == ["php-base", "php-app", "php-stack"]
    assert descendants(images, "php-base") == ["php-app"]
    base = images["php-base"]
    assert base.smoke == "fpm" and base.port == 9000 and base.packages == ("php-pecl-igbinary",)
    assert "el9-php8.2" in base.targets  # valid for EL, though not built here
    assert base.tags["debian-12"] == ("8.2-debian-12", "8.2", "latest")
    assert base.tags["el9-php8.2"] == ("8.2-el9-php8.2",)
    units = select(images, ["php-app"], targets)
    assert [u.label for u in units] == [
        "php-app@debian-12",
        "php-app@ubuntu-24.04",
        "php-app@el9-php8.2",
    ]


def _tree(tmp_path: Path, **tomls: str) -> Path:
    for name, text in tomls.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "image.toml").write_text(text)
        (tmp_path / name / "Containerfile").write_text("ARG BASE\nFROM ${BASE}\n")
    return tmp_path


@pytest.mark.parametrize(
    ("tomls", "message"),
    [
        (
            {"a": 'targets = ["debian-12"]\nclas = "cli"\n'},
            "clas: unknown key (did you mean 'class'?)",
        ),
        ({"a": 'targets = ["debian-12"]\nclass = "web"\n'}, "class: 'web' is not one of"),
        ({"a": 'targets = ["debian-99"]\n'}, "targets:"),
        ({"a": 'targets = ["debian-12"]\nparent = "b"\n'}, "parent: no image 'b'"),
        (
            {
                "a": 'targets = ["debian-12"]\nparent = "b"\n',
                "b": 'targets = ["debian-12"]\nparent = "a"\n',
            },
            "a cycle",
        ),
        (
            {"a": 'targets = ["debian-12", "ubuntu-24.04"]\ntags = ["latest"]\n'},
            "would be given to both",
        ),
        (
            {"a": 'targets = ["debian-12"]\n', "b": 'targets = ["ubuntu-24.04"]\nparent = "a"\n'},
            "not among parent a's targets",
        ),
        ({"a": 'targets = ["debian-12"]\ntags = ["{nope}"]\n'}, "unknown placeholder"),
        ({"a": 'targets = ["debian-12"]\npackages = ["bad name"]\n'}, "not a package name"),
    ],
)
def test_bad_image_trees_are_refused(
    tmp_path: Path,
    targets,
    tomls: dict[str, str],
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_images(_tree(tmp_path, **tomls), targets)


def _held(
    name: str, version: str, depends: tuple[str, ...] = (), provides: tuple[str, ...] = ()
) -> Held:
    return Held(name, version, "amd64", name, "", depends, provides)


def test_the_package_set_is_pinned_and_closed_over_the_repository(tmp_path: Path, targets) -> None:  # type: ignore[no-untyped-def]
    images = load_images(
        _tree(tmp_path, a='targets = ["debian-12"]\npackages = ["php-app-lib"]\n'), targets
    )
    unit = Unit(images["a"], targets["debian-12"])
    offered = [
        _held("php-app-lib", "1.0-1", depends=("php-json-ext", "libc6")),
        _held("php-app-lib", "1.1-1", depends=("php-json-ext", "libc6")),  # the newest wins
        _held("php-ext-json", "2.0-1", provides=("php-json-ext",)),
        _held("unrelated", "9.9-1"),
    ]
    pinned = package_set(unit, offered)
    assert [(p.name, p.version) for p in pinned] == [
        ("php-app-lib", "1.1-1"),
        ("php-ext-json", "2.0-1"),
    ]
    with pytest.raises(UsageError, match="php-app-lib not published for debian-12"):
        package_set(unit, [_held("unrelated", "1")])


def _repo(tmp_path: Path, offered: list[Held]) -> RepoView:
    view = RepoView(
        tmp_path, "http://repo.invalid/r", "specport", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n"
    )
    view._held = {"debian-12": offered, "el9-php8.2": offered}
    return view


def test_the_key_follows_packages_parent_and_context_only(tmp_path: Path, targets) -> None:  # type: ignore[no-untyped-def]
    images = load_images(EXAMPLES, targets)
    unit = Unit(images["php-base"], targets["debian-12"])
    repo = _repo(tmp_path, [_held("php-pecl-igbinary", "3.2.16-1+deb12")])

    def key(sub: str, repo: RepoView = repo, parent: str = "sha256:base1") -> tuple[str, dict]:  # type: ignore[type-arg]
        ctx = tmp_path / sub
        ctx.mkdir()
        p = prepare(unit, repo, ctx, parent_ref="debian:bookworm", parent_id=parent)
        return p.key, p.inputs

    first, inputs = key("a")
    assert key("b")[0] == first  # the same inputs, the same key
    assert inputs["args"]["PACKAGES"] == "php-pecl-igbinary=3.2.16-1+deb12"
    assert key("c", parent="sha256:base2")[0] != first
    newer = _repo(tmp_path, [_held("php-pecl-igbinary", "3.2.16-2+deb12")])
    second, _ = key("d", repo=newer)
    assert second != first
    record = BuildRecord("php-base", "debian-12", first, inputs)
    prepared = prepare(
        unit, newer, _mk(tmp_path / "e"), parent_ref="debian:bookworm", parent_id="sha256:base1"
    )
    assert reasons(record, prepared, force=False) == [
        "php-pecl-igbinary 3.2.16-1+deb12 -> 3.2.16-2+deb12"
    ]
    assert reasons(None, prepared, force=False) == ["first build"]


def _mk(path: Path) -> Path:
    path.mkdir()
    return path


def test_an_el_context_is_valid_though_not_built_here(tmp_path: Path, targets) -> None:  # type: ignore[no-untyped-def]
    images = load_images(EXAMPLES, targets)
    unit = Unit(images["php-base"], targets["el9-php8.2"])
    offered = [Held("php-pecl-igbinary", "3.2.16-1.el9.php_8.2", "x86_64", "php-pecl-igbinary")]
    p = prepare(
        unit,
        _repo(tmp_path, offered),
        _mk(tmp_path / "ctx"),
        parent_ref="ubi9/ubi:9.4",
        parent_id="x",
    )
    assert p.args["MODULE_STREAMS"] == "php:8.2" and p.args["PHP_VERSION"] == "8.2"
    assert p.args["PACKAGES"] == "php-pecl-igbinary-3.2.16-1.el9.php_8.2"
    repo_file = (p.context / "specport" / "specport.repo").read_text()
    assert "baseurl=http://repo.invalid/r/rpm/el9-php8.2/$basearch/" in repo_file
    assert "repo_gpgcheck=1" in repo_file
    assert (p.context / "container-assets" / "install-php").stat().st_mode & 0o111
    assert not (p.context / "tests").exists() and not (p.context / "image.toml").exists()


def test_the_tree_hash_sees_bytes_modes_and_names(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x")
    first = tree_hash(tmp_path)
    (tmp_path / "a").chmod(0o755)
    second = tree_hash(tmp_path)
    (tmp_path / "a").write_text("y")
    third = tree_hash(tmp_path)
    (tmp_path / "a").rename(tmp_path / "b")
    assert len({first, second, third, tree_hash(tmp_path)}) == 4


def test_fastcgi_records_round_trip() -> None:
    request = probes.fcgi_request("/tmp/p/probe.php")
    assert request[:2] == b"\x01\x01"  # version 1, BEGIN_REQUEST
    assert b"SCRIPT_FILENAME/tmp/p/probe.php" in request
    # an answer as php-fpm sends it, dumped by od -An -v -tx1
    body = b"Content-type: text/html\r\n\r\nspecport-probe-ok\n8.2\nfpm-fcgi\nCore\nigbinary\n"
    answer = probes._record(probes.STDOUT, body) + probes._record(probes.END_REQUEST, b"\0" * 8)
    dump = "\n".join(
        " " + " ".join(f"{b:02x}" for b in answer[i : i + 16]) for i in range(0, len(answer), 16)
    )
    read = probes.read_fcgi(dump)
    assert read.ended and read.app_status == 0 and read.body.splitlines()[-1] == "igbinary"
    printed = subprocess.run(
        ["bash", "-c", f'printf "{probes.printf_escaped(request)}"'],
        capture_output=True,
        check=True,
    )
    assert printed.stdout == request


def test_http_answers() -> None:
    assert probes.read_http("HTTP/1.1 200 OK\r\nA: b\r\n\r\nhello") == probes.HttpAnswer(
        200, "hello"
    )
    assert probes.read_http("garbage").status == 0


def test_manifests_of_both_families_and_a_valid_sbom(targets) -> None:  # type: ignore[no-untyped-def]
    deb = parse_manifest(
        "php8.2-cli\t8.2.7-1~deb12u1\tamd64\tphp8.2\nlibc6\t2.36-9\tamd64\tglibc\n"
    )
    assert [p.name for p in deb] == ["libc6", "php8.2-cli"] and deb[1].source == "php8.2"
    rpm = parse_manifest(
        "php-cli\t0:8.2.13-1.module+el9\tx86_64\tphp-8.2.13-1.module+el9.src.rpm\n"
    )
    assert rpm[0].version == "8.2.13-1.module+el9" and rpm[0].source == "php"
    images = load_images(EXAMPLES, targets)
    text = sbom(
        Unit(images["php-base"], targets["debian-12"]), "reg/php-base:staging", "sha256:ab", deb
    )
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    doc = json.loads(text)
    assert doc["metadata"]["component"]["type"] == "container"
    purls = {c["purl"] for c in doc["components"]}
    assert "pkg:deb/debian/php8.2-cli@8.2.7-1~deb12u1?arch=amd64&distro=debian-12" in purls


def test_releases_in_a_registry_or_the_engine(targets) -> None:  # type: ignore[no-untyped-def]
    images = load_images(EXAMPLES, targets)
    unit = Unit(images["php-base"], targets["debian-12"])
    remote = releases(Settings(images_registry="127.0.0.1:5000/team"))
    assert remote.staging_ref(unit) == "127.0.0.1:5000/team/php-base:staging-debian-12"
    assert remote.release_refs(unit)[-1] == "127.0.0.1:5000/team/php-base:latest"
    assert remote._tls("dest") == ["--dest-tls-verify=false"]
    assert Releases("registry.example.org/team")._tls("src") == []
    assert Releases("").staging_ref(unit) == "specport-build/php-base:debian-12"
    with pytest.raises(ConfigError, match="HOST"):
        releases(Settings(images_registry="not a registry"))


def test_the_hook_gets_the_json(tmp_path: Path) -> None:
    out = tmp_path / "got.json"
    hook = f'{sys.executable} -c \'import sys; open("{out}", "w").write(sys.stdin.read())\''
    assert call_hook(hook, {"outcomes": [{"image": "php-base"}]})
    assert json.loads(out.read_text())["outcomes"][0]["image"] == "php-base"
    assert not call_hook(f"{sys.executable} -c 'raise SystemExit(3)'", {})
    got: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    try:
        assert call_hook(f"http://127.0.0.1:{server.server_address[1]}/hook", {"a": 1})
    finally:
        server.server_close()
    assert json.loads(got[0]) == {"a": 1}


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specport", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_cli_lists_the_tree_and_says_what_is_missing_in_one_line(tmp_path: Path) -> None:
    env = {"SPECPORT_IMAGES_STATE": str(tmp_path / "state")}
    done = _cli("images", "list", "--images", str(EXAMPLES), "--target", "debian-12", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("php-base\tdebian-12\tfpm\tnot built\t")
    missing = _cli(
        "images", "affected", "--images", str(EXAMPLES), env={**env, "SPECPORT_REPO_DIR": ""}
    )
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    assert "repository's directory" in missing.stderr
    (tmp_path / "t").mkdir()
    bad = _tree(tmp_path / "t", a='targets = ["debian-12"]\nclass = 1\n')
    broken = _cli("images", "list", "--images", str(bad), env=env)
    assert broken.returncode == 2 and "class: expected a one-line string" in broken.stderr
    assert "Traceback" not in broken.stderr
    helped = _cli("builders", "--help")
    assert helped.returncode == 0 and "bootstrap" in helped.stdout
