"""lazygrad.jit (torch.jit): TorchScript's entry points, so scripts written against them run unchanged.

lazygrad compiles every graph it runs already (fused kernels, cached by their structure), so `script`,
`freeze` and `optimize_for_inference` return the module or function itself, as `lazygrad.compile` does,
and `trace` runs it once on the example inputs (computing what it returns, so inputs it cannot take fail
there, and its kernels are compiled for the first real call) before returning it. The decorators return
what they decorate, as torch's do outside TorchScript; `fork` runs the call at once. There is no
TorchScript archive: `save` and `load` raise, and lazygrad.save / lazygrad.load keep a state_dict instead.
The functions torch deprecates warn as torch's do (DeprecationWarning).
"""
from __future__ import annotations

import builtins
import collections.abc
import types
import typing
import warnings
from typing import Any, Callable, Final

from .autograd import no_grad
from .tensor import Tensor

__all__ = ["Final", "Future", "annotate", "export", "fork", "freeze", "ignore", "is_scripting", "is_tracing",
           "isinstance", "load", "optimize_for_inference", "save", "script", "script_if_tracing", "trace",
           "trace_module", "unused", "wait"]


def _deprecated(name: str, advice: str = "Please switch to `lazygrad.compile`.") -> None:
    warnings.warn(f"`lazygrad.jit.{name}` is deprecated. {advice}", DeprecationWarning, stacklevel=3)


def script(obj: Any, optimize: None = None, _frames_up: int = 0, _rcb: Callable | None = None,
           example_inputs: list[tuple] | dict[Callable, list[tuple]] | None = None) -> Any:
    """The module, function or class itself: lazygrad compiles what it runs without TorchScript (the other
    arguments steer TorchScript's compiler, and are accepted for torch's signature)."""
    _deprecated("script")
    return obj


def _flat_tensors(value) -> list[Tensor]:
    if builtins.isinstance(value, Tensor):
        return [value]
    if builtins.isinstance(value, dict):
        value = list(value.values())
    if builtins.isinstance(value, (list, tuple)):
        return [t for v in value for t in _flat_tensors(v)]
    return []


def _run(fn: Callable, inputs, as_kwargs: bool = False) -> None:
    """Call fn on example inputs (a tensor, a tuple of arguments, or keyword arguments) and compute what it
    returns: a failure shows here, and the kernels it needs are compiled."""
    from .tensor import realize
    if not as_kwargs:  # a tensor or a dict is the one argument; another iterable holds the arguments
        inputs = (inputs,) if builtins.isinstance(inputs, (Tensor, dict)) else tuple(inputs)
    with no_grad():
        out = fn(**inputs) if as_kwargs else fn(*inputs)
    realize(*_flat_tensors(out))


def trace(func: Callable, example_inputs=None, optimize: None = None, check_trace: bool = True,
          check_inputs: list | None = None, check_tolerance: float = 1e-5, strict: bool = True,
          example_kwarg_inputs: dict | None = None) -> Callable:
    """func itself, once it ran on example_inputs (and on each of check_inputs, when check_trace); a
    module's forward runs as trace_module runs it. optimize, check_tolerance and strict steer TorchScript's
    tracer and its comparison of the traced graph with eager runs, which lazygrad has no cause for: they are
    accepted for torch's signature."""
    from .nn import Module
    _deprecated("trace")
    module = func if builtins.isinstance(func, Module) else getattr(func, "__self__", None)
    if builtins.isinstance(module, Module) and (module is func or func.__name__ == "forward"):
        if example_inputs is None:
            if not builtins.isinstance(example_kwarg_inputs, dict):
                raise RuntimeError("example_kwarg_inputs should be a dict")
            example_inputs = example_kwarg_inputs
        _trace_module(module, {"forward": example_inputs}, builtins.isinstance(example_kwarg_inputs, dict))
    else:
        kwargs = builtins.isinstance(example_kwarg_inputs, dict)
        _run(func, example_kwarg_inputs if kwargs else example_inputs, kwargs)
    if check_trace:
        for inputs in check_inputs or ():
            _run(func, inputs)
    return func


def _trace_module(mod, inputs: dict, example_inputs_is_kwarg: bool) -> None:
    from .nn import Module
    if not builtins.isinstance(mod, Module):
        raise AttributeError("expected lazygrad.nn.Module as the first argument")
    if not builtins.isinstance(inputs, dict):
        raise AttributeError("expected a dictionary of (method_name, input) pairs")
    for method, example in inputs.items():
        _run(mod if method == "forward" else getattr(mod, method), example, example_inputs_is_kwarg)


def trace_module(mod, inputs: dict, optimize: None = None, check_trace: bool = True, check_inputs: list | None = None,
                 check_tolerance: float = 1e-5, strict: bool = True, example_inputs_is_kwarg: bool = False):
    """mod itself, once each named method ran on its example inputs (and each of check_inputs, dicts of the
    same form, when check_trace)."""
    _deprecated("trace_module")
    _trace_module(mod, inputs, example_inputs_is_kwarg)
    if check_trace:
        for more in check_inputs or ():
            _trace_module(mod, more, example_inputs_is_kwarg)
    return mod


def is_scripting() -> bool:
    """False: code never runs as TorchScript under lazygrad."""
    return False


def is_tracing() -> bool:
    """False: trace runs the code as it is, so it never sees itself traced."""
    return False


def ignore(drop=False, **kwargs):
    """fn itself (as @ignore or @ignore(drop)): nothing is compiled by TorchScript to leave it out of."""
    if callable(drop):
        return drop
    if not builtins.isinstance(drop, bool):
        raise RuntimeError(f"Argument to @lazygrad.jit.ignore must be a bool or a function but got {drop}")
    use_unused = "TorchScript will now drop the function call on compilation. Use lazygrad.jit.unused now."
    if kwargs.pop("drop_on_export", None):
        warnings.warn(f"ignore(drop_on_export=True) has been deprecated. {use_unused}", FutureWarning, stacklevel=2)
    elif drop:
        warnings.warn(f"ignore(True) has been deprecated. {use_unused}", FutureWarning, stacklevel=2)
    return lambda fn: fn


def unused(fn: Callable) -> Callable:
    """fn (or the property) itself: a method TorchScript would replace by a raise runs as it is."""
    return fn


def export(fn: Callable) -> Callable:
    """fn itself: every method of a lazygrad module is callable already."""
    return fn


def script_if_tracing(fn: Callable) -> Callable:
    """fn itself: it would be scripted only while tracing, which lazygrad never does."""
    return fn


def annotate(the_type: Any, the_value: Any) -> Any:
    """the_value: the type is a hint for TorchScript's compiler."""
    return the_value


_RAW_CONTAINERS = {dict: "dict", list: "list", tuple: "tuple", typing.Dict: "Dict", typing.List: "List",
                   typing.Optional: "Optional", typing.Tuple: "Tuple"}


def _check_contained_types(target_type) -> None:
    name = _RAW_CONTAINERS.get(target_type)
    if name is None:
        return
    if name.endswith("ict"):
        raise RuntimeError(f"Attempted to use {name} without contained types. Please add contained type, e.g. "
                           f"{name}[int, int]")
    raise RuntimeError(f"Attempted to use {name} without a contained type. Please add a contained type, e.g. "
                       f"{name}[int]")


def _warn_if_empty(obj) -> None:
    if builtins.isinstance(obj, (list, dict, tuple)) and not obj:
        warnings.warn("The inner type of a container is lost when calling lazygrad.jit.isinstance in eager mode. "
                      "For example, List[int] would become list and therefore falsely return True for List[float] "
                      "or List[str].", stacklevel=4)


def _matches(obj, target_type) -> bool:
    """isinstance for parameterized list, dict, tuple and Optional/Union types, element by element."""
    origin, args = typing.get_origin(target_type), typing.get_args(target_type)
    if origin is None:
        return builtins.isinstance(obj, target_type)
    if origin is typing.Union or origin is types.UnionType:
        return obj is None or any(_matches(obj, t) for t in args)
    if origin not in (list, dict, tuple):
        return False
    _warn_if_empty(obj)
    if not builtins.isinstance(obj, origin):
        return False
    if origin is list:
        return all(_matches(el, args[0]) for el in obj)
    if origin is dict:
        return all(_matches(k, args[0]) and _matches(v, args[1]) for k, v in obj.items())
    return len(obj) == len(args) and all(_matches(el, t) for el, t in zip(obj, args))


def isinstance(obj, target_type) -> bool:  # noqa: A001  (torch's name)
    """Whether obj is of target_type, refining containers: list[int], dict[str, Tensor], Optional[tuple[int,
    str]]... (target_type may be a tuple of such types)."""
    if builtins.isinstance(target_type, collections.abc.Container):
        if not builtins.isinstance(target_type, tuple):
            raise RuntimeError("The second argument to `lazygrad.jit.isinstance` must be a type or a tuple of types")
        return any(isinstance(obj, t) for t in target_type)
    _check_contained_types(target_type)
    return _matches(obj, target_type)


class Future:
    """What fork returns: the call ran already, so it is done and holds its value."""

    def __init__(self, value: Any):
        self._value = value

    def done(self) -> bool:
        return True

    def wait(self) -> Any:
        return self._value

    def value(self) -> Any:
        return self._value


def fork(func: Callable, *args, **kwargs) -> Future:
    """func(*args, **kwargs), run now: lazygrad's kernels run in turn, so a task gains nothing from a thread."""
    _deprecated("fork", "Please use `lazygrad.compile` instead.")
    return Future(func(*args, **kwargs))


def wait(future: Future) -> Any:
    _deprecated("wait", "Please use `lazygrad.compile` instead.")
    return future.wait()


def freeze(mod, preserved_attrs: list[str] | None = None, optimize_numerics: bool = True):
    """mod itself, in eval mode as torch requires: its graphs are compiled as they run, parameters and all
    (preserved_attrs and optimize_numerics steer TorchScript's freezing, and are accepted for its signature)."""
    from .nn import Module
    _deprecated("freeze", "Please use `lazygrad.compile` instead.")
    if not builtins.isinstance(mod, Module):
        raise RuntimeError("Freezing expects a ScriptModule as input. Please use lazygrad.jit.script or "
                           "lazygrad.jit.trace to script your 'nn.Module'.")
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval mode. Please call .eval() on "
                           "your module before freezing.")
    return mod


def optimize_for_inference(mod, other_methods: list[str] | None = None):
    """mod itself, switched to eval mode and frozen, as torch does first."""
    from .nn import Module
    _deprecated("optimize_for_inference", "Please use `lazygrad.compile` instead.")
    if not builtins.isinstance(mod, Module):
        raise RuntimeError("optimize_for_inference expects a ScriptModule as input. Please use lazygrad.jit.script "
                           "or lazygrad.jit.trace to script your 'nn.Module'.")
    return freeze(mod.eval(), preserved_attrs=other_methods)


_NO_ARCHIVE = ("lazygrad has no TorchScript archives: save the model's state_dict with lazygrad.save and load it "
               "with lazygrad.load (into the same module class)")


def save(m, f, _extra_files=None) -> None:
    raise NotImplementedError(f"lazygrad.jit.save: {_NO_ARCHIVE}")


def load(f, map_location=None, _extra_files=None):
    raise NotImplementedError(f"lazygrad.jit.load: {_NO_ARCHIVE}")
