"""Run against the built php-app image (specport images test php-app)."""


def test_the_page_uses_yaml_and_igbinary(image):  # type: ignore[no-untyped-def]
    answer = image.http_get("/")
    assert answer.status == 200
    assert "php-app ok" in answer.body
    assert "yaml " in answer.body and "igbinary " in answer.body


def test_yaml_from_the_cli(image):  # type: ignore[no-untyped-def]
    done = image.run(["php", "-r", 'echo yaml_parse("a: 42")["a"];'])
    assert done.output.strip().endswith("42")
