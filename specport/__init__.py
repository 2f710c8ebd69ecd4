"""specport: one Fedora RPM spec in, packages for many RPM and Debian/Ubuntu targets out."""

__version__ = "0.1.0"
