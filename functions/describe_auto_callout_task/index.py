"""SCF entry point (handler ``index.main_handler``): the doorway to ``callout_task``."""

from callout_task.handler import main_handler

__all__ = ["main_handler"]
