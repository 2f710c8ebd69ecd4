"""Build targets as data: the model, the TOML loader, and target selection."""

from specport.targets.loader import TargetSet, load_targets
from specport.targets.model import Target
from specport.targets.select import select_targets

__all__ = ["Target", "TargetSet", "load_targets", "select_targets"]
