"""Whether operations record autograd graph: no_grad, enable_grad, set_grad_enabled, inference_mode.

Each is a context manager and a decorator (with or without parentheses for the first three, as in torch); a
decorated generator function runs each of its steps, not only its creation, in the mode."""
from __future__ import annotations

import functools
import inspect
from typing import Callable


class _State:
    enabled = True
    inference = False  # inside an inference_mode(True) block
    recorded_op = False  # computing the value of an op being recorded (grad mode is off only for that)


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.enabled


def _decorated(fn: Callable, mode: Callable[[], object]) -> Callable:
    """fn run inside a fresh mode() context on every call (for a generator function: on every step)."""
    if not inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with mode():
                return fn(*args, **kwargs)
        return wrapper

    @functools.wraps(fn)
    def generator(*args, **kwargs):
        gen = fn(*args, **kwargs)
        step = functools.partial(gen.send, None)
        while True:
            try:
                with mode():
                    response = step()
            except StopIteration as done:
                return done.value
            try:
                request = yield response
            except GeneratorExit:
                with mode():
                    gen.close()
                raise
            except BaseException as error:
                step = functools.partial(gen.throw, error)
            else:
                step = functools.partial(gen.send, request)
    return generator


class _Mode:
    """A context manager that is also a decorator, as torch's grad modes are."""

    mode: bool = True
    _bare = True  # may decorate without parentheses

    def __new__(cls, *args, **kwargs):
        if cls._bare and len(args) == 1 and not kwargs and callable(args[0]):  # @no_grad
            return _decorated(args[0], cls)
        return super().__new__(cls)

    def __enter__(self):
        self._prev = STATE.enabled
        STATE.enabled = self.mode
        return self

    def __exit__(self, *exc) -> None:
        STATE.enabled = self._prev

    def __call__(self, fn):
        return _decorated(fn, self.__class__)


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
        return _decorated(fn, functools.partial(inference_mode, not self.mode))


class set_grad_enabled(_Mode):
    _bare = False

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
        return _decorated(fn, functools.partial(set_grad_enabled, self.mode))
