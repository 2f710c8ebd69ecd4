"""The published repository as the user's images see it: its directory on this machine (the
metadata packages are pinned from, the publish records), the URL image builds reach it at, its
repo id and public key (only the public key ever enters a build context)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from specport.config import Settings
from specport.errors import UsageError
from specport.repo.contents import Held, held
from specport.targets import Target


@dataclass
class RepoView:
    directory: Path
    url: str
    repo_id: str
    public_key: str
    _held: dict[str, list[Held]] = field(default_factory=dict, repr=False)

    def held(self, target: Target) -> list[Held]:
        if target.name not in self._held:
            self._held[target.name] = held(self.directory, target)
        return self._held[target.name]


def repo_dir(settings: Settings, given: Path | None = None) -> Path:
    """--repo, else setting repo_dir: the published repository's directory."""
    path = given or (Path(settings.repo_dir).expanduser() if settings.repo_dir else None)
    if path is None:
        raise UsageError(
            "the user's images need the published repository's directory",
            "give --repo DIR, or set repo_dir in [settings] ($SPECPORT_REPO_DIR)",
        )
    if not path.is_dir():
        raise UsageError(f"repository directory {path} does not exist (publish into it first)")
    return path.resolve()


def open_repo(settings: Settings, directory: Path) -> RepoView:
    """The repository images install from: URL and public key from the settings (repo_url;
    repo_key, default DIR/keys/<repo_id>.asc, which publish writes)."""
    if not settings.repo_url:
        raise UsageError(
            "image builds need the URL they reach the repository at",
            "set repo_url in [settings] or $SPECPORT_REPO_URL",
        )
    key = (
        Path(settings.repo_key)
        if settings.repo_key
        else directory / "keys" / f"{settings.repo_id}.asc"
    )
    if not key.is_file():
        raise UsageError(
            f"no public key file {key}", "set repo_key / $SPECPORT_REPO_KEY to the public key"
        )
    text = key.read_text(encoding="utf-8", errors="replace")
    if "PRIVATE KEY" in text:
        raise UsageError(f"{key} holds a secret key; give the public key (never a secret one)")
    return RepoView(directory, settings.repo_url.rstrip("/"), settings.repo_id, text)
