"""lazygrad.backends.mkldnn (torch.backends.mkldnn): lazygrad has no oneDNN kernels, so it is not available;
`enabled` (torch's default, True) is recorded and read back as set, and changes nothing."""
from __future__ import annotations

import sys
import types

from .flags import bool_flag

FLAGS = {"enabled": True}


def is_available() -> bool:
    return False


class _MkldnnModule(types.ModuleType):
    enabled = bool_flag("enabled", "set_enabled_mkldnn")


sys.modules[__name__].__class__ = _MkldnnModule
