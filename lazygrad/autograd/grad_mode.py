"""Whether operations record autograd graph: no_grad, enable_grad, set_grad_enabled, inference_mode."""
from __future__ import annotations

import functools


class _State:
    enabled = True
    inference = False  # inside an inference_mode(True) block


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.enabled


class _Mode:
    """A context manager that is also a decorator, as torch's grad modes are."""

    mode: bool = True

    def __enter__(self):
        self._prev = STATE.enabled
        STATE.enabled = self.mode
        return self

    def __exit__(self, *exc) -> None:
        STATE.enabled = self._prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_Mode):
    mode = False


class enable_grad(_Mode):
    mode = True


class inference_mode(_Mode):
    def __init__(self, mode: bool = True):
        self.mode = not mode

    def __enter__(self):
        self._prev_inference, STATE.inference = STATE.inference, not self.mode
        return super().__enter__()

    def __exit__(self, *exc) -> None:
        STATE.inference = self._prev_inference
        super().__exit__(*exc)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(not self.mode):
                return fn(*args, **kwargs)
        return wrapper


class set_grad_enabled(_Mode):
    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._prev = STATE.enabled
        STATE.enabled = self.mode  # takes effect at once when used as a plain call

    def __enter__(self):
        return self

    def __repr__(self) -> str:
        return f"lazygrad.autograd.grad_mode.set_grad_enabled(mode={self.mode})"

    def __call__(self, fn):
        STATE.enabled = self._prev
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper
