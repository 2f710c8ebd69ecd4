"""The `greet` upstream of the fork tests: two releases, made as tarballs by the tests.

Between 1.0 and 1.1 upstream merged the fork's flush fix (greet-flush.patch), reworded the
README line greet-readme.patch changes, and left the Makefile line greet-cflags.patch changes."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

MAKEFILE = """\
CFLAGS ?= -O2
greet: greet.c
\t$(CC) $(CFLAGS) -o greet greet.c
"""

C_10 = """\
#include <stdio.h>

#define GREET_VERSION "1.0"

/* greet: prints a greeting and exits */

int main(void)
{
    printf("Hello from greet\\n");
    return 0;
}
"""

C_11 = C_10.replace('"1.0"', '"1.1"').replace(
    '    printf("Hello from greet\\n");\n',
    '    printf("Hello from greet\\n");\n    fflush(stdout);\n',
)

README_10 = """\
greet prints a greeting.

It has no options.

Report bugs to the author.
"""

README_11 = README_10.replace("It has no options.", "It takes no options and no arguments.")

TREES = {
    "1.0": {"Makefile": MAKEFILE, "greet.c": C_10, "README": README_10},
    "1.1": {"Makefile": MAKEFILE, "greet.c": C_11, "README": README_11},
}


def make_tarball(directory: Path, version: str) -> Path:
    path = directory / f"greet-{version}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text in TREES[version].items():
            data = text.encode()
            info = tarfile.TarInfo(f"greet-{version}/{name}")
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return path
