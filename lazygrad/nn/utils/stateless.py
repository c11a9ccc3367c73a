"""Calling a module with other tensors in place of its parameters and buffers (torch.func.functional_call,
torch.nn.utils.stateless): the named entries are swapped into the module's registries for the call and
swapped back after it, so gradients flow to the tensors given (what torch.func's transforms differentiate)."""
from __future__ import annotations

import contextlib
import warnings
from typing import Any, Iterator

from ...tensor import Tensor
from ..modules.module import Module

__all__ = ["functional_call"]


def _tied_names(module: Module) -> dict[str, set[str]]:
    """Each name of a parameter or buffer registered under several names, with all its names."""
    names: dict[int, set[str]] = {}
    for name, t in [*module.named_parameters(remove_duplicate=False), *module.named_buffers(remove_duplicate=False)]:
        names.setdefault(id(t), set()).add(name)
    return {name: group for group in names.values() if len(group) > 1 for name in group}


def _untied(module: Module, given: dict[str, Tensor]) -> dict[str, Tensor]:
    """given, with the value for one name of a tied tensor also standing for its other names."""
    tied = _tied_names(module)
    out = dict(given)
    for name in [n for n in given if n in tied]:
        group = tied[name]
        if len(group & set(given)) > 1 and len({id(given[n]) for n in group if n in given}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(group)}, which are tied. "
                             "Consider using tie_weights=False")
        out.update({other: given[name] for other in group})
    return out


def _owner(module: Module, name: str) -> tuple[Module, str]:
    *path, leaf = name.split(".")
    for part in path:
        module = getattr(module, part)
    return module, leaf


def _swap(module: Module, name: str, value):
    """Put value under name (in the registry that holds it, else as a plain attribute); the old value."""
    owner, leaf = _owner(module, name)
    for registry in (owner._parameters, owner._buffers):
        if leaf in registry:
            old, registry[leaf] = registry[leaf], value
            return old
    old = owner.__dict__.get(leaf)
    object.__setattr__(owner, leaf, value)
    return old


def _check_keys(module: Module, given: dict[str, Tensor]) -> None:
    known = {n for n, _ in [*module.named_parameters(remove_duplicate=False),
                            *module.named_buffers(remove_duplicate=False)]}
    messages = []
    unexpected, missing = [k for k in given if k not in known], sorted(known - set(given))
    if unexpected:
        messages.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        messages.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if messages:
        raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(module._get_name(), "\n\t".join(messages)))


@contextlib.contextmanager
def reparametrized(module: Module, tensors: dict[str, Tensor], tie_weights: bool = True,
                   strict: bool = False) -> Iterator[None]:
    """Within, module's named parameters and buffers are the tensors given."""
    tensors = _untied(module, tensors) if tie_weights else tensors
    if strict:
        _check_keys(module, tensors)
    originals = {}
    try:
        for name, value in tensors.items():
            originals[name] = _swap(module, name, value)
        yield
    finally:
        for name, value in reversed(originals.items()):
            _swap(module, name, value)


def call_with(module: Module, tensors: dict[str, Tensor], args, kwargs, tie_weights: bool, strict: bool) -> Any:
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with reparametrized(module, tensors, tie_weights, strict):
        return module(*args, **(kwargs or {}))


def functional_call(module: Module, parameters_and_buffers: dict[str, Tensor], args: Any = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True, strict: bool = False) -> Any:
    """Deprecated: lazygrad.func.functional_call."""
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed in "
                  "a future version of PyTorch. Please use `torch.func.functional_call` instead which is a drop-in "
                  "replacement.", FutureWarning, stacklevel=2)
    return call_with(module, parameters_and_buffers, args, kwargs, tie_weights, strict)
