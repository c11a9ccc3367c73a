"""Anomaly detection (torch.autograd.detect_anomaly): backward nodes remember where their forward op was
called, and a backward pass checks every gradient it computes for NaN. Each check computes that gradient
(a debugging mode: torch synchronizes the same way), and the error names the node and its forward call."""
from __future__ import annotations

import traceback
import warnings


class _State:
    enabled = False
    check_nan = True


ANOMALY = _State()


def is_anomaly_enabled() -> bool:
    return ANOMALY.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return ANOMALY.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    ANOMALY.enabled, ANOMALY.check_nan = bool(enabled), bool(check_nan)


class set_detect_anomaly:  # noqa: N801  (torch's names)
    """Turn anomaly detection on or off now; as a context manager, the previous setting comes back on exit."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self.previous = (ANOMALY.enabled, ANOMALY.check_nan)
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        set_anomaly_enabled(*self.previous)
        return False


class detect_anomaly:  # noqa: N801
    """A context manager (and decorator) that turns anomaly detection on inside it."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", UserWarning, stacklevel=2)
        self.previous = (ANOMALY.enabled, ANOMALY.check_nan)
        set_anomaly_enabled(True, self.check_nan)
        return self

    def __exit__(self, *exc) -> bool:
        set_anomaly_enabled(*self.previous)
        return False

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


def forward_stack() -> str | None:
    """Where the op being recorded was called (kept on its backward node while detection is on)."""
    return "".join(traceback.format_stack()[:-3]) if ANOMALY.enabled else None


def check_gradients(node, grads) -> None:
    """torch's error for a NaN in the gradients a backward node returned."""
    if not ANOMALY.check_nan:
        return
    for i, g in enumerate(grads):
        if g is not None and g.dtype.kind in "fc" and bool(g.isnan().any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def report(node) -> None:
    """The warning torch gives before a backward error: the forward call of the node that failed."""
    stack = getattr(node, "_forward_stack", None)
    if stack:
        warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n{stack}",
                      UserWarning, stacklevel=2)
