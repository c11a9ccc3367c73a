"""Process-wide switches that torch scripts set: deterministic algorithms, the float32 matmul precision,
whether once-only warnings repeat (set_warn_always) and denormal flushing.
lazygrad's CPU kernels are deterministic (every sum runs in a fixed order, scatters on one
thread), so determinism only constrains the CUDA kernels that scatter with atomic reductions; float32
products are always computed in float32, whatever precision is asked for."""
from __future__ import annotations

import warnings

_STATE = {"deterministic": False, "warn_only": False, "matmul_precision": "highest", "warn_always": False}
_WARNED: set[str] = set()  # the once-only warnings given so far
_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}
_PRECISIONS = ("highest", "high", "medium")


def _check_bool(value, what: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"_set_deterministic_algorithms(): argument '{what}'{' (position 1)' * (what == 'mode')} "
                        f"must be bool, not {type(value).__name__}")
    return value


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic kernels: an op that has none raises (or, with warn_only, warns) when it runs."""
    _STATE["deterministic"] = _check_bool(mode, "mode")
    _STATE["warn_only"] = _check_bool(warn_only, "warn_only")


def are_deterministic_algorithms_enabled() -> bool:
    return _STATE["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _STATE["warn_only"]


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """0/'default': off, 1/'warn': warn on nondeterministic ops, 2/'error': raise."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    _STATE["deterministic"], _STATE["warn_only"] = debug_mode > 0, debug_mode == 1


def get_deterministic_debug_mode() -> int:
    return 0 if not _STATE["deterministic"] else 1 if _STATE["warn_only"] else 2


def alert_not_deterministic(caller: str) -> None:
    """What torch does when an op without a deterministic kernel runs under use_deterministic_algorithms."""
    if not _STATE["deterministic"]:
        return
    message = (f"{caller} does not have a deterministic implementation, but you set "
               "'torch.use_deterministic_algorithms(True)'. You can turn off determinism just for this operation, "
               "or you can use the 'warn_only=True' option, if that's acceptable for your application.")
    if _STATE["warn_only"]:
        warnings.warn(message, UserWarning, stacklevel=2)
    else:
        raise RuntimeError(message)


def set_float32_matmul_precision(precision: str) -> None:
    """Recorded for get_float32_matmul_precision: lazygrad's float32 products stay float32 throughout, which
    every precision allows ('high' and 'medium' permit faster internal formats, they do not require them)."""
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _STATE["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    return _STATE["matmul_precision"]


def set_warn_always(b: bool, /) -> None:
    """Give the warnings torch gives once per process (deprecations, mostly) every time."""
    if not isinstance(b, bool):
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _STATE["warn_always"] = b


def is_warn_always_enabled() -> bool:
    return _STATE["warn_always"]


def warn_once(message: str, stacklevel: int = 2) -> None:
    """A UserWarning torch gives once per process (TORCH_WARN_ONCE), or every time under set_warn_always."""
    if not _STATE["warn_always"]:
        if message in _WARNED:
            return
        _WARNED.add(message)
    warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


def set_flush_denormal(mode: bool) -> bool:
    """Whether denormal floats can be flushed to zero: lazygrad's kernels keep them, so it answers False,
    as torch does on a CPU without the instructions for it."""
    if not isinstance(mode, bool):
        raise RuntimeError(f"flush_denormal expects a bool, but got {type(mode).__name__}")
    return False


def is_inference_mode_enabled() -> bool:
    """Whether an inference_mode block is running (the flag grad_mode's inference_mode keeps)."""
    from .autograd.grad_mode import STATE
    return STATE.inference
