"""rpm-md and APT publishing on the host: real rpmbuild, rpmsign, createrepo_c, gpg, dpkg-deb."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_repo_support import (
    check_apt_suite,
    check_rpm_repo,
    keyring,
    make_deb,
    make_rpm,
    test_key,
    tree_snapshot,
)

from specport.config import load_config
from specport.errors import PublishError, UsageError
from specport.gpg import SigningKey, open_key
from specport.repo import PublishOptions, publish_files
from specport.repo.consumer import render_consumer_file
from specport.repo.manifest import write_manifest


@pytest.fixture(scope="module")
def targets():  # type: ignore[no-untyped-def]
    t = load_config().targets
    return [t["el8-php7.4"], t["debian-12"]]


@pytest.fixture
def key():  # type: ignore[no-untyped-def]
    with open_key(key_file=test_key().secret_path) as k:
        yield k


@pytest.fixture
def ring(tmp_path: Path) -> Path:
    return keyring(test_key().public_path, tmp_path / "ring.gpg")


def test_rpm_repo_is_signed_and_lists_the_packages(
    tmp_path: Path, targets, key: SigningKey, ring: Path
) -> None:  # type: ignore[no-untyped-def]
    rpm_file = make_rpm(tmp_path, "hello")
    report = publish_files(tmp_path / "repo", [rpm_file], targets, key, PublishOptions())
    repo = tmp_path / "repo" / "rpm" / "el8-php7.4" / "x86_64"
    assert report.targets[0].path == repo and report.targets[0].changed
    assert check_rpm_repo(repo, ring) == ["hello-1.0-1.el8.noarch.rpm"]
    assert (
        repo / "repodata" / "repomd.xml.key"
    ).read_bytes() == test_key().public_path.read_bytes()
    # the package itself carries the key's signature: rpm -K checks it against the imported key
    db = tmp_path / "rpmdb"
    subprocess.run(["rpm", "--dbpath", db, "--import", test_key().public_path], check=True)
    checked = subprocess.run(
        ["rpm", "--dbpath", db, "-K", repo / "Packages" / rpm_file.name],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "signatures OK" in checked.stdout
    # the input file is left as it was (unsigned)
    unsigned = subprocess.run(["rpm", "-qp", "--qf", "%{RSAHEADER}", rpm_file], capture_output=True)
    assert b"(none)" in unsigned.stdout


def test_apt_repo_is_signed_and_hashes_match(
    tmp_path: Path, targets, key: SigningKey, ring: Path
) -> None:  # type: ignore[no-untyped-def]
    deb = make_deb(tmp_path, "hello-deb", depends="libc6")
    publish_files(tmp_path / "repo", [deb], targets, key, PublishOptions())
    apt = tmp_path / "repo" / "apt"
    assert check_apt_suite(apt, "bookworm", ring) == ["hello-deb_1.0-1+deb12"]
    release = (apt / "dists" / "bookworm" / "Release").read_text()
    for field in (
        "Suite: bookworm",
        "Codename: bookworm",
        "Components: main",
        "MD5Sum:",
        "SHA256:",
    ):
        assert field in release
    packages = (apt / "dists" / "bookworm" / "main" / "binary-amd64" / "Packages").read_text()
    assert "Depends: libc6" in packages
    assert "Filename: pool/main/h/hello-deb/hello-deb_1.0-1+deb12_all.deb" in packages
    assert (apt / "specport.asc").read_bytes() == test_key().public_path.read_bytes()


def test_publishing_the_same_packages_again_changes_nothing(
    tmp_path: Path, targets, key: SigningKey
) -> None:  # type: ignore[no-untyped-def]
    files = [make_rpm(tmp_path, "hello"), make_deb(tmp_path, "hello-deb")]
    publish_files(tmp_path / "repo", files, targets, key, PublishOptions())
    before = tree_snapshot(tmp_path / "repo")
    report = publish_files(tmp_path / "repo", files, targets, key, PublishOptions())
    assert not report.changed
    assert [t.unchanged for t in report.targets] == [[f.name] for f in files]
    assert tree_snapshot(tmp_path / "repo") == before


def test_keep_holds_the_newest_versions_only(
    tmp_path: Path, targets, key: SigningKey, ring: Path
) -> None:  # type: ignore[no-untyped-def]
    repo_dir = tmp_path / "repo"
    opts = PublishOptions(keep=2)
    for version in ("1.0", "1.10", "1.9"):  # rpm order, not string order: 1.10 is the newest
        publish_files(repo_dir, [make_rpm(tmp_path, "hello", version)], targets, key, opts)
    for version in ("1.0-1+deb12", "1.0-2+deb12", "2:0.1-1+deb12"):  # the epoch wins
        publish_files(repo_dir, [make_deb(tmp_path, "hello-deb", version)], targets, key, opts)
    rpm_repo = repo_dir / "rpm" / "el8-php7.4" / "x86_64"
    assert check_rpm_repo(rpm_repo, ring) == [
        "hello-1.10-1.el8.noarch.rpm",
        "hello-1.9-1.el8.noarch.rpm",
    ]
    assert sorted(p.name for p in (rpm_repo / "Packages").iterdir()) == [
        "hello-1.10-1.el8.noarch.rpm",
        "hello-1.9-1.el8.noarch.rpm",
    ]
    apt = repo_dir / "apt"
    assert check_apt_suite(apt, "bookworm", ring) == [
        "hello-deb_1.0-2+deb12",
        "hello-deb_2:0.1-1+deb12",
    ]
    assert not list(apt.rglob("hello-deb_1.0-1+deb12_all.deb"))


def test_a_rebuild_with_the_same_version_is_refused(
    tmp_path: Path, targets, key: SigningKey
) -> None:  # type: ignore[no-untyped-def]
    publish_files(
        tmp_path / "repo", [make_deb(tmp_path / "a", "x")], targets, key, PublishOptions()
    )
    other = make_deb(tmp_path / "b", "x", files={"usr/share/x/other": b"different\n"})
    with pytest.raises(PublishError, match="already published with other contents"):
        publish_files(tmp_path / "repo", [other], targets, key, PublishOptions())


def test_modules_yaml_is_published_when_asked(
    tmp_path: Path, targets, key: SigningKey, ring: Path
) -> None:  # type: ignore[no-untyped-def]
    import gzip

    opts = PublishOptions(modules={"el8-php7.4": "hello:1.0"})
    publish_files(tmp_path / "repo", [make_rpm(tmp_path, "hello")], targets, key, opts)
    repodata = tmp_path / "repo" / "rpm" / "el8-php7.4" / "x86_64" / "repodata"
    check_rpm_repo(repodata.parent, ring)  # modules.yaml is hashed and signed with the rest
    (modules,) = repodata.glob("*-modules.yaml.gz")
    text = gzip.decompress(modules.read_bytes()).decode()
    assert "document: modulemd" in text and 'stream: "1.0"' in text
    assert "- hello-0:1.0-1.el8.noarch" in text


def test_loose_files_need_a_target_when_several_fit(tmp_path: Path, key: SigningKey) -> None:
    t = load_config().targets
    rpm_file = make_rpm(tmp_path, "hello")
    several = [t["el8-php7.2"], t["el8-php7.4"]]
    with pytest.raises(UsageError, match="which target is it for"):
        publish_files(tmp_path / "repo", [rpm_file], several, key, PublishOptions())
    # a build output directory without a manifest is refused, not guessed from its name
    out = tmp_path / "out" / "el8-php7.2"
    out.mkdir(parents=True)
    rpm_file.rename(out / rpm_file.name)
    with pytest.raises(UsageError, match="no specport build output"):
        publish_files(tmp_path / "repo", [tmp_path / "out"], several, key, PublishOptions())
    # the build's manifest names the target: even a misleading folder name does not matter
    write_manifest(out, "el8-php7.2", {rpm_file.name: "hello.spec"})
    out.rename(tmp_path / "out" / "el8-php7.4")
    report = publish_files(tmp_path / "repo", [tmp_path / "out"], several, key, PublishOptions())
    assert [t.target for t in report.targets] == ["el8-php7.2"]


def test_consumer_files(targets) -> None:  # type: ignore[no-untyped-def]
    el8, deb12 = targets
    repo = render_consumer_file(el8, base_url="https://r.example/x/", repo_id="acme", public_key="")
    assert "[acme]" in repo
    assert "baseurl=https://r.example/x/rpm/el8-php7.4/$basearch/" in repo
    assert "gpgcheck=1" in repo and "repo_gpgcheck=1" in repo
    assert "gpgkey=https://r.example/x/rpm/el8-php7.4/$basearch/repodata/repomd.xml.key" in repo
    key_text = test_key().public_path.read_text()
    sources = render_consumer_file(
        deb12, base_url="https://r.example/x", repo_id="acme", public_key=key_text, embed_key=True
    )
    from debian.deb822 import Deb822

    (para,) = [p for p in Deb822.iter_paragraphs(_strip_comments(sources)) if p]
    assert para["URIs"] == "https://r.example/x/apt"
    assert para["Suites"] == "bookworm"
    embedded = [line.strip() for line in para["Signed-By"].strip().splitlines()]
    assert embedded[0] == "-----BEGIN PGP PUBLIC KEY BLOCK-----"
    assert [line if line != "." else "" for line in embedded] == key_text.strip().splitlines()
    by_path = render_consumer_file(
        deb12, base_url="https://r.example/x", repo_id="acme", public_key=key_text
    )
    assert "Signed-By: /etc/apt/keyrings/acme.asc" in by_path


def _strip_comments(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if not line.startswith("#"))
