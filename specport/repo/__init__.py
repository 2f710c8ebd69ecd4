"""Publishers: signed rpm-md and APT repositories, and the files consumers install."""

from specport.repo.model import PublishOptions, PublishReport, TargetReport
from specport.repo.publish import publish, publish_files

__all__ = ["PublishOptions", "PublishReport", "TargetReport", "publish", "publish_files"]
