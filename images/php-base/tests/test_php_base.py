"""Run by `specport images test php-base` (and after every build) against the built image."""


def test_runs_as_uid_1001(image):  # type: ignore[no-untyped-def]
    assert image.run(["id", "-u"]).output.strip() == "1001"


def test_the_repository_is_configured_with_its_public_key_only(image):  # type: ignore[no-untyped-def]
    found = image.run("grep -rl 'PRIVATE KEY' /etc /usr/local /opt || true", user="root")
    assert found.output.strip() == ""
    listed = image.run("ls /etc/apt/sources.list.d/ /etc/yum.repos.d/ 2>/dev/null").output
    assert "specport" in listed


def test_igbinary_serializes(image):  # type: ignore[no-untyped-def]
    done = image.run(["php", "-r", 'echo strlen(igbinary_serialize([1, 2, 3])) > 0 ? "ok" : "no";'])
    assert done.exit_code == 0 and done.output.strip().endswith("ok")
