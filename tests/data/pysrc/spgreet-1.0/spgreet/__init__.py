"""specport's Python test fixture: its one run-time dependency is six."""

import six


def greeting() -> str:
    return six.ensure_str(b"hello from spgreet")


def main() -> None:
    print(greeting())
