"""The resolver of rpm targets with rpm-md repositories: Fedora's names kept, each confirmed."""

from __future__ import annotations

import difflib

from specport.index.model import Index
from specport.normalize.resolver import Resolution
from specport.targets.model import Target


class RpmIndexResolver:
    """rpm targets keep Fedora's names; with an rpm-md index each is confirmed, unchanged: a
    package, a Provides, a file (filelists), in a module stream the target enables."""

    def __init__(self, target: Target, index: Index) -> None:
        self.target = target
        self.index = index
        self._why_not: dict[str, str] = {}
        self._names: list[str] | None = None

    def resolve(self, name: str) -> Resolution | None:
        how = ""
        if name in self.index.packages:
            how = "package in the index"
        elif providers := self.index.owners("provides", name):
            how = f"provided by {', '.join(providers[:3])}" + (" ..." if providers[3:] else "")
        elif name.startswith("/") and (owners := self.index.owners("files", name)):
            how = f"{name} is in the filelists of {', '.join(owners[:3])}"
        if not how:
            return None
        streams = self.index.owners("modules", name)
        if streams:
            modules = {s.partition(":")[0] for s in streams}
            enabled = [s for s in self.target.module_streams if s.partition(":")[0] in modules]
            if enabled and not set(enabled) & set(streams):
                self._why_not[name] = (
                    f"only in module stream {', '.join(streams)};"
                    f" {self.target.name} enables {', '.join(enabled)}"
                )
                return None
            how += f", module stream {', '.join(enabled or streams)}"
        return Resolution(name, how)

    def missing(self, name: str) -> str:
        if name in self._why_not:
            return f" ({self._why_not[name]})"
        if self._names is None:
            self._names = sorted(set(self.index.packages) | set(self.index.provides))
        close = difflib.get_close_matches(name, self._names, n=2, cutoff=0.6)
        return f" (did you mean {' or '.join(close)}?)" if close else ""

    def refusal(self, name: str) -> str:
        return "absent" if name in self._why_not else "unknown"
