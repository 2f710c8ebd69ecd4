"""State shared by all commands: the top-level options and the config, loaded once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from specport.config import Config, load_config
from specport.targets import Target, select_targets


@dataclass
class App:
    config_path: Path | None = None
    verbose: bool = False
    _config: Config | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def select(self, expression: str) -> list[Target]:
        """Targets for a --target expression (comma list, globs); unknown names fail."""
        return select_targets(self.config.targets, expression)


pass_app = click.make_pass_decorator(App)
