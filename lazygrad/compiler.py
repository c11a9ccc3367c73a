"""lazygrad.compiler: torch.compiler's controls. lazygrad compiles every graph it realizes, so there is no
separate tracing compiler to steer: code asking whether it is being traced hears no, and the decorators
that exempt or mark functions for a tracer return them as they are."""
from __future__ import annotations

import contextlib
from typing import Any, Callable

def compile(*args: Any, **kwargs: Any):  # noqa: A001  (torch's name)
    """torch.compiler.compile is torch.compile."""
    from . import compile as compile_
    return compile_(*args, **kwargs)


def is_compiling() -> bool:
    """False: lazygrad's code runs as written; its graphs are compiled after it has run."""
    return False


def is_dynamo_compiling() -> bool:
    return False


def is_exporting() -> bool:
    return False


def _as_is(fn: Callable | None = None, *args: Any, **kwargs: Any):
    """fn unchanged, or (called without fn) a decorator leaving the function unchanged."""
    return fn if fn is not None else (lambda f: f)


def disable(fn: Callable | None = None, recursive: bool = True, *, reason: str | None = None):
    return _as_is(fn)


def allow_in_graph(fn: Callable) -> Callable:
    return fn


def assume_constant_result(fn: Callable) -> Callable:
    return fn


def wrap_numpy(fn: Callable) -> Callable:
    return fn


def substitute_in_graph(original_fn: Callable, *, can_constant_fold_through: bool = False,
                        skip_signature_check: bool = False) -> Callable[[Callable], Callable]:
    """A decorator for a traceable stand-in of original_fn: nothing traces, so original_fn is what runs."""
    return lambda substitute: original_fn


def nested_compile_region(fn: Callable | None = None, *, options: Any = None, max_reuse_entries: int = 8,
                          reuse_hash_fn: Callable | None = None):
    return _as_is(fn)


def reset() -> None:
    """Nothing to forget: lazygrad's kernel caches are keyed by graph structure, never stale."""


def cudagraph_mark_step_begin() -> None:
    """lazygrad captures no CUDA graphs, so there is no step boundary to mark."""


class set_stance(contextlib.ContextDecorator):
    """Accepted as torch accepts it (a call, a context manager or a decorator); lazygrad's compilation has
    one stance, so every one behaves alike."""

    def __init__(self, stance: str = "default", *, skip_guard_eval_unsafe: bool = False,
                 force_backend: str | Callable | None = None):
        self.stance = stance

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def list_backends(exclude_tags: tuple[str, ...] = ("debug", "experimental")) -> list[str]:
    """The names torch.compile's backend= accepts here: lazygrad compiles one way whatever it is told."""
    return ["lazygrad"]


def get_default_backend() -> str:
    return "lazygrad"
