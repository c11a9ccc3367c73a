"""The Optimizer base: parameter groups, per-parameter state, state_dict, hooks, and the lazy step.

Every optimizer writes its update as in-place lazy tensor ops under no_grad; the step then realizes all
written tensors in one schedule, so a parameter's whole update is one fused kernel. Hyperparameters and
step counts stay Python numbers (run-time kernel arguments), so a changing lr never recompiles.
"""
from __future__ import annotations

import functools
import itertools
import warnings
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any

import numpy as np

from .. import graph
from ..autograd import enable_grad, no_grad
from ..creation import zeros_like
from ..dtypes import float32
from ..hooks import HookDict, RemovableHandle, add_hook
from ..tensor import Tensor, realize
from ..tensor_info import typename

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Marks a default that every parameter group must give itself."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


_global_step_pre_hooks = HookDict()
_global_step_post_hooks = HookDict()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """A hook(optimizer, args, kwargs) run before every optimizer's step."""
    return add_hook(_global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """A hook(optimizer, args, kwargs) run after every optimizer's step."""
    return add_hook(_global_step_post_hooks, hook)


def _with_step_hooks(step: Callable) -> Callable:
    """Wrap a subclass's step so the global and per-optimizer step hooks run around it."""

    @functools.wraps(step)
    def hooked(self, *args, **kwargs):
        for hook in itertools.chain(_global_step_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, new_kwargs), but got {result}.")
                args, kwargs = result
        out = step(self, *args, **kwargs)
        self._opt_called = True
        for hook in itertools.chain(self._optimizer_step_post_hooks.values(), _global_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    hooked._hooked = True
    return hooked


# Scalar state (step counts, ASGD's eta and mu, NAdam's mu_product) is a float32 0-dim tensor in state, as
# torch keeps it; the Python value it was made from is remembered here so steps never read it back. Keyed by
# identity (a tensor's == is elementwise), each entry leaves when its tensor dies.
_SCALAR_VALUES: dict[int, tuple[weakref.ref, float]] = {}


def scalar_state(value: float) -> Tensor:
    """A float32 0-dim tensor holding value (rounded to float32 as torch's tensor holds it)."""
    rounded = float(np.float32(value))
    t = Tensor._from_node(graph.const(rounded, float32, ()))  # (a constant until read: a step makes one per parameter)
    key = id(t)
    _SCALAR_VALUES[key] = (weakref.ref(t, lambda _, key=key: _SCALAR_VALUES.pop(key, None)), rounded)
    return t


def scalar_value(t: Tensor | float) -> float:
    """The Python value of scalar state: remembered when this package made it, else read once (after a load)."""
    if not isinstance(t, Tensor):
        return float(t)
    entry = _SCALAR_VALUES.get(id(t))
    if entry is not None and entry[0]() is t:
        return entry[1]
    return float(t.item())


def new_state(state: dict, p: Tensor, *buffers: str, **scalars: float) -> None:
    """A parameter's state on its first step: step 0, the scalar states given, and a zero tensor like p
    for each buffer named (in torch's order of keys, which state_dict keeps)."""
    if not state:
        state["step"] = scalar_state(0.0)
        for name, value in scalars.items():
            state[name] = scalar_state(value)
        for name in buffers:
            state[name] = zeros_like(p)


def descent_direction(p: Tensor, grad: Tensor, group: dict[str, Any]) -> Tensor:
    """The gradient an update follows: negated when maximizing, plus weight_decay * p (L2), or, with
    decoupled_weight_decay, p itself shrunk by lr * weight_decay in place instead (AdamW's rule)."""
    g = -grad if group["maximize"] else grad
    weight_decay = to_scalar(group.get("weight_decay", 0))
    if weight_decay != 0:
        if group.get("decoupled_weight_decay"):
            p.mul_(1 - to_scalar(group["lr"]) * weight_decay)
        else:
            g = g.add(p, alpha=weight_decay)
    return g


def advance_step(state: dict) -> float:
    """Count one more step in state['step'] and return the new count."""
    count = scalar_value(state["step"]) + 1
    state["step"] = scalar_state(count)
    return count


def to_scalar(x: Any) -> Any:
    """A hyperparameter as a Python number (a 1-element tensor read once, as torch does outside capture)."""
    return x.item() if isinstance(x, Tensor) else x


def check_lr(lr: float | Tensor) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonnegative(name: str, value: float) -> None:
    """torch's 'Invalid <name> value: <v>' for a negative hyperparameter."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {name} value: {value}")


def check_betas(betas: tuple) -> None:
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def check_fused(fused: bool | None, foreach: bool | None, differentiable: bool) -> None:
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


class Optimizer:
    """Holds parameter groups and per-parameter state; subclasses write `_update` for one parameter."""

    # what step() says of a sparse gradient (the optimizers that take them set None)
    _sparse_refusal: str | None = "{name} does not support sparse gradients"

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks = HookDict()
        self._optimizer_step_post_hooks = HookDict()
        self._optimizer_state_dict_pre_hooks = HookDict()
        self._optimizer_state_dict_post_hooks = HookDict()
        self._optimizer_load_state_dict_pre_hooks = HookDict()
        self._optimizer_load_state_dict_post_hooks = HookDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be "
                            "an iterable of Tensors or dicts, but got " + typename(params))
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _with_step_hooks(step)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group) if key != "params")
        return text + ")"

    # -- groups ---------------------------------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group; unset options take the optimizer's defaults (torch's checks and messages)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        named = [p for p in param_group["params"] if isinstance(p, tuple)]
        if named:
            if len(named) != len(param_group["params"]):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = [name for name, _ in named]
            param_group["params"] = [p for _, p in named]
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; "
                          "see github.com/pytorch/pytorch/issues/40967 for more information", stacklevel=3)
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget (or zero) every parameter's gradient."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    grad = p.grad
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad.zero_()

    # -- the step -------------------------------------------------------------------------------------

    @_with_step_hooks
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter with a gradient, computed as one schedule."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_sparse_gradients()
        with no_grad():
            written: list[Tensor] = []
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        written.extend(self._update(p, p.grad, group))
            realize(*written)
        return loss

    def _check_sparse_gradients(self) -> None:
        """Refuse sparse gradients before any parameter is updated (the optimizers that take none)."""
        if self._sparse_refusal is None:
            return
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None and p.grad.is_sparse:
                    raise RuntimeError(self._sparse_refusal.format(name=type(self).__name__))

    def _update(self, p: Tensor, grad: Tensor, group: dict[str, Any]) -> list[Tensor]:
        """Write p's update (lazily, in place; its state in self.state[p]) and return every tensor written."""
        raise NotImplementedError

    # -- hooks ----------------------------------------------------------------------------------------

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """hook(optimizer, args, kwargs) before step; it may return new (args, kwargs)."""
        return add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """hook(optimizer, args, kwargs) after step."""
        return add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        return add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        return add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        return add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        return add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- state_dict -----------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """{'state': {index: state}, 'param_groups': [group with params as indices]}, numbered as torch does."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index: dict[int, int] = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        result = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            changed = hook(self, result)
            if changed is not None:
                result = changed
        return result

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Take over groups' options and state (state tensors cast to their parameter's dtype and device)."""
        state_dict = dict(state_dict)
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            changed = hook(self, state_dict)
            if changed is not None:
                state_dict = changed
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group "
                             "that doesn't match the size of optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                          itertools.chain.from_iterable(g["params"] for g in groups)))
        owner = {i: g for g in state_dict["param_groups"] for i in g["params"]}
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = _cast(param, value, owner.get(key, {}))
            else:
                state[key] = value
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


def _cast(param: Tensor, value: Any, group: dict[str, Any], key: Any = None) -> Any:
    """A copy of saved state for param: tensors take param's device (and dtype, for floating params),
    except `step`, which stays as saved unless the group is fused or capturable."""
    if isinstance(value, Tensor):
        if key == "step":
            if group.get("fused") or group.get("capturable"):
                return value.to(dtype=float32, device=param.device)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)
    if isinstance(value, dict):
        return {k: _cast(param, v, group, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v, group) for v in value)
    return value

