"""nn.Module: the registry of parameters, buffers and submodules that layers and models are built on.

Assigning a Parameter, a Buffer or a Module as an attribute registers it; parameters(), state_dict(),
to() and train() walk the registry. Calling a module runs its forward hooks around forward().
"""
from __future__ import annotations

import collections
import functools
import itertools
import warnings
from typing import Any, Callable, Iterator, NamedTuple

from ...autograd import no_grad
from ...hooks import HookDict, RemovableHandle, add_hook
from ...tensor import Tensor
from ...tensor_info import typename
from ...utils.tensor_swap import swap_tensors
from ..parameter import Buffer, Parameter
from .backward_hooks import BackwardHook, warn_non_full_hook


class _IncompatibleKeys(NamedTuple("IncompatibleKeys", [("missing_keys", list), ("unexpected_keys", list)])):
    """load_state_dict's result: the keys it could not match."""

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _add_indent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    return lines[0] if len(lines) == 1 else "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])


def _check_name(kind: str, name) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain "."')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')


_global_forward_pre_hooks, _global_forward_hooks = HookDict(), HookDict()
_global_backward_pre_hooks, _global_backward_hooks = HookDict(), HookDict()
_GLOBAL_FLAGS: dict = {"_forward_hooks_with_kwargs": set(), "_forward_hooks_always_called": set(),
                       "_is_full_backward_hook": None}


def _hooks(global_hooks: HookDict, own: HookDict) -> list:
    """(id, hook) pairs in the order they run: every module's global hooks, then the module's own."""
    return [*global_hooks.items(), *own.items()] if global_hooks else list(own.items())


def register_module_forward_pre_hook(hook: Callable) -> RemovableHandle:
    """A forward pre-hook for every module."""
    return add_hook(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook: Callable, *, with_kwargs: bool = False,
                                 always_call: bool = False) -> RemovableHandle:
    """A forward hook for every module."""
    handle = add_hook(_global_forward_hooks, hook)
    for flag, on in (("_forward_hooks_with_kwargs", with_kwargs), ("_forward_hooks_always_called", always_call)):
        if on:
            _GLOBAL_FLAGS[flag].add(handle.id)
    return handle


def register_module_full_backward_pre_hook(hook: Callable) -> RemovableHandle:
    """A backward pre-hook for every module."""
    return add_hook(_global_backward_pre_hooks, hook)


def _global_backward_hook(hook: Callable, full: bool) -> RemovableHandle:
    if _GLOBAL_FLAGS["_is_full_backward_hook"] is (not full):
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks as a global Module hook. "
                           "Please use only one of them.")
    _GLOBAL_FLAGS["_is_full_backward_hook"] = full
    return add_hook(_global_backward_hooks, hook)


def register_module_full_backward_hook(hook: Callable) -> RemovableHandle:
    """A full backward hook for every module."""
    return _global_backward_hook(hook, True)


def register_module_backward_hook(hook: Callable) -> RemovableHandle:
    """A (deprecated, plain) backward hook for every module."""
    return _global_backward_hook(hook, False)


def _fresh_attributes() -> list[tuple[str, Any]]:
    """What a new module holds before its subclass's __init__ adds to it (empty registries and hooks)."""
    return [("training", True), ("_parameters", {}), ("_buffers", {}), ("_non_persistent_buffers_set", set()),
            ("_modules", {}), ("_forward_pre_hooks", HookDict()), ("_forward_hooks", HookDict()),
            ("_forward_hooks_with_kwargs", set()), ("_forward_pre_hooks_with_kwargs", set()),
            ("_forward_hooks_always_called", set()), ("_backward_hooks", HookDict()),
            ("_backward_pre_hooks", HookDict()), ("_is_full_backward_hook", None),
            ("_state_dict_pre_hooks", HookDict()), ("_state_dict_hooks", HookDict()),
            ("_load_state_dict_pre_hooks", HookDict()), ("_load_state_dict_post_hooks", HookDict())]


class Module:
    """Base class of every layer and model. Subclasses call super().__init__() and define forward()."""
    __module__ = "lazygrad.nn"
    training: bool
    _version = 1
    call_super_init = False  # (torch's switch for passing init arguments on to super().__init__)
    dump_patches = False

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} "
                            "were given" if args else
                            f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        for name, value in _fresh_attributes():
            object.__setattr__(self, name, value)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    # ---- calling -----------------------------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        for hook_id, hook in _hooks(_global_forward_pre_hooks, self._forward_pre_hooks):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        full_hooks, plain_hooks, pre_hooks = self._backward_hook_lists()
        hook_io = BackwardHook(self, full_hooks, pre_hooks) if full_hooks or pre_hooks else None
        if hook_io is not None:
            args = hook_io.setup_input_hook(args)
        called = set()
        forward_hooks = _hooks(_global_forward_hooks, self._forward_hooks)
        try:
            out = self.forward(*args, **kwargs)
            for hook_id, hook in forward_hooks:
                called.add(hook_id)
                result = (hook(self, args, kwargs, out) if self._flagged(hook_id, "_forward_hooks_with_kwargs")
                          else hook(self, args, out))
                if result is not None:
                    out = result
        except Exception:
            for hook_id, hook in forward_hooks:
                if self._flagged(hook_id, "_forward_hooks_always_called") and hook_id not in called:
                    extra = (kwargs,) if self._flagged(hook_id, "_forward_hooks_with_kwargs") else ()
                    hook(self, args, *extra, None)
            raise
        if hook_io is not None:
            if not isinstance(out, (Tensor, tuple)):
                warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple of "
                              f"Tensors but received {type(out)}", stacklevel=2)
            out = hook_io.setup_output_hook(out)
        if plain_hooks:
            self._attach_plain_hooks(plain_hooks, args, out)
        return out

    def _flagged(self, hook_id: int, flags: str) -> bool:
        return hook_id in getattr(self, flags) or hook_id in _GLOBAL_FLAGS[flags]

    def _backward_hook_lists(self) -> tuple[list, list, list]:
        """The full and the plain (register_backward_hook) backward hooks, and the backward pre-hooks:
        global ones first."""
        full, plain = [], []
        for hooks, is_full in ((_global_backward_hooks, _GLOBAL_FLAGS["_is_full_backward_hook"]),
                               (self._backward_hooks, self._is_full_backward_hook)):
            if is_full is not None:
                (full if is_full else plain).extend(hooks.values())
        return full, plain, [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]

    def _attach_plain_hooks(self, hooks: list, args: tuple, out) -> None:
        """register_backward_hook's hooks go on the node of the (first) output tensor, whatever it covers."""
        first = out
        while not isinstance(first, Tensor):
            first = (next(v for v in first.values() if isinstance(v, Tensor)) if isinstance(first, dict)
                     else first[0])
        node = first.grad_fn
        if node is None:
            return
        for hook in hooks:
            node.register_hook(functools.partial(hook, self))
        warn_non_full_hook(args, out, node)

    def _hook(self, hooks: HookDict, hook: Callable, prepend: bool, *flag_sets: set) -> RemovableHandle:
        handle = add_hook(hooks, hook, prepend)
        for flags in flag_sets:
            flags.add(handle.id)
        return handle

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """hook(module, args) (or (module, args, kwargs) with_kwargs) before forward; it may replace the inputs."""
        return self._hook(self._forward_pre_hooks, hook, prepend,
                          *([self._forward_pre_hooks_with_kwargs] if with_kwargs else []))

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """hook(module, args, output) after forward; it may replace the output."""
        flags = ([self._forward_hooks_with_kwargs] if with_kwargs else []) + \
            ([self._forward_hooks_always_called] if always_call else [])
        return self._hook(self._forward_hooks, hook, prepend, *flags)

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """hook(module, grad_output) when the gradients of the module's outputs are ready; it may replace them."""
        return self._hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """hook(module, grad_input, grad_output) once the gradients of the module's tensor inputs are computed;
        it may replace grad_input."""
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = True
        return self._hook(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook: Callable) -> RemovableHandle:
        """The deprecated hook(module, grad_input, grad_output) on the node of the module's output: grad_input
        holds that node's input gradients only."""
        if self._is_full_backward_hook is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = False
        return self._hook(self._backward_hooks, hook, False)

    def _register_load_state_dict_pre_hook(self, hook: Callable, with_module: bool = False) -> RemovableHandle:
        """hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs) (the module
        first, with_module) before this module loads its entries."""
        return self._hook(self._load_state_dict_pre_hooks, functools.partial(hook, self) if with_module else hook,
                          False)

    def register_load_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """hook(module, incompatible_keys) after load_state_dict; it may edit the key lists."""
        return self._hook(self._load_state_dict_post_hooks, hook, False)

    # ---- registering -------------------------------------------------------------------------------

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name)
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created "
                             f"explicitly. To express '{name}' as a function of another Tensor, compute the value in "
                             "the forward() method.")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name)
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        if isinstance(tensor, Buffer):
            persistent = tensor.persistent
            tensor = tensor.detach()
        self._buffers[name] = tensor
        (self._non_persistent_buffers_set.discard if persistent else self._non_persistent_buffers_set.add)(name)

    def add_module(self, name: str, module: Module | None) -> None:
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {type(name).__name__}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value) -> None:
        params, buffers, modules = (self.__dict__.get(k) for k in ("_parameters", "_buffers", "_modules"))
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name)
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{typename(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            modules[name] = value
        elif isinstance(value, Buffer) or (buffers is not None and name in buffers):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{typename(value)}' as buffer '{name}' "
                                "(torch.nn.Buffer, torch.Tensor or None expected)")
            if isinstance(value, Buffer):
                self._forget(name)
                self.register_buffer(name, value)
            else:
                buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        """Remove name from every registry and the instance dict (it is about to be registered anew)."""
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str):
        for registry in ("_parameters", "_buffers", "_modules"):
            found = self.__dict__.get(registry)
            if found is not None and name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(object.__dir__(self)) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def __setstate__(self, state: dict) -> None:
        """A module pickled by an older lazygrad gets the registries added since."""
        self.__dict__.update(state)
        for name, value in _fresh_attributes():
            self.__dict__.setdefault(name, value)

    # ---- walking the registry ----------------------------------------------------------------------

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        memo = set() if memo is None else memo
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def modules(self, remove_duplicate: bool = True) -> Iterator[Module]:
        return (m for _, m in self.named_modules(remove_duplicate=remove_duplicate))

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        return (m for _, m in self.named_children())

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        return (b for _, b in self.named_buffers(recurse=recurse))

    def get_submodule(self, target: str) -> Module:
        module = self
        for i, item in enumerate(target.split(".") if target else []):
            if not hasattr(module, item):
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return module

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put module at the dotted path target (strict: only where a submodule is already)."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        path, _, name = target.rpartition(".")
        parent = self.get_submodule(path)
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        if strict and not hasattr(parent, name):
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    def compile(self, *args, **kwargs) -> None:
        """torch compiles the module's forward here; lazygrad compiles every graph already."""

    def _get_member(self, target: str, registry: str, kind: str):
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        if name not in getattr(module, registry):
            raise AttributeError(f"`{name}` is not {kind}")
        return getattr(module, name)

    def get_parameter(self, target: str) -> Parameter:
        return self._get_member(target, "_parameters", "an nn.Parameter")

    def get_buffer(self, target: str) -> Tensor:
        return self._get_member(target, "_buffers", "a buffer")

    # ---- modes and gradients -----------------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p._grad is None:
                continue
            if set_to_none:
                p._grad = None
            else:
                p._grad = p._grad.detach() if p._grad.grad_fn is not None else p._grad
                p._grad.zero_()

    def apply(self, fn: Callable[[Module], None]) -> Module:
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- moving and casting ------------------------------------------------------------------------

    def _apply(self, fn: Callable[[Tensor], Tensor]) -> Module:
        """fn applied to every parameter, gradient and buffer. A parameter object stays the same (its data is
        replaced, as torch does), so optimizers holding it keep working; lazygrad.__future__ may ask for the
        contents to be swapped in instead, or for new Parameter objects."""
        from ... import __future__ as future
        for module in self.children():
            module._apply(fn)
        swap, overwrite = future.get_swap_module_params_on_conversion(), \
            future.get_overwrite_module_params_on_conversion()
        for key, p in self._parameters.items():
            if p is None:
                continue
            with no_grad():
                new = fn(p)
            grad = p._grad
            if swap:
                p._grad = None
                try:
                    swap_tensors(p, Parameter(new, requires_grad=p.requires_grad))
                except Exception as e:
                    p._grad = grad
                    raise RuntimeError(f"_apply(): Couldn't swap {self._get_name()}.{key}") from e
            elif overwrite:
                self._parameters[key] = Parameter(new, p.requires_grad)
            elif new is not p:
                Tensor.data.__set__(p, new)
            if grad is not None:
                self._apply_to_grad(fn, self._parameters[key], grad, swap, overwrite, key)
        for name, b in self._buffers.items():
            if b is not None:
                with no_grad():
                    self._buffers[name] = fn(b)
        return self

    def _apply_to_grad(self, fn, param: Parameter, grad: Tensor, swap: bool, overwrite: bool, key: str) -> None:
        """_apply's step for a parameter's .grad, as the parameter's own step went."""
        with no_grad():
            new = fn(grad)
        if swap:
            new.requires_grad_(grad.requires_grad)
            try:
                swap_tensors(grad, new)
            except Exception as e:
                raise RuntimeError(f"_apply(): Couldn't swap {self._get_name()}.{key}.grad") from e
            param._grad = grad
        elif overwrite:
            param._grad = new.requires_grad_(grad.requires_grad)
        elif new is not grad:
            Tensor.data.__set__(grad, new)

    def to(self, *args, **kwargs) -> Module:
        """to(device), to(dtype), to(tensor), to(device, dtype): only floating parameters change dtype;
        memory_format lays out the 4-D and 5-D parameters and buffers (a convolution's weight)."""
        from ...dtypes import to_dtype
        from ...methods import to_arguments
        dtype, device = to_arguments(args, kwargs.get("dtype"), kwargs.get("device"))
        dtype = to_dtype(dtype) if dtype is not None else None
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype=torch.{dtype.name}")
        fmt = kwargs.get("memory_format")

        def convert(t):
            laid = {"memory_format": fmt} if fmt is not None and t.dim() in (4, 5) else {}
            return t.to(device=device, dtype=dtype if t.is_floating_point() else None, **laid)
        return self._apply(convert)

    def to_empty(self, *, device, recurse: bool = True) -> Module:
        """Every parameter and buffer replaced by uninitialized memory of its shape on device."""
        from ...creation import empty_like
        return self._apply(lambda t: empty_like(t, device=device))

    def cuda(self, device=None) -> Module:
        return self._apply(lambda t: t.cuda(device))

    def cpu(self) -> Module:
        return self._apply(lambda t: t.cpu())

    def type(self, dst_type) -> Module:
        return self._apply(lambda t: t.type(dst_type))

    def _cast_floats(self, dtype) -> Module:
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def float(self) -> Module:
        from ...dtypes import float32
        return self._cast_floats(float32)

    def double(self) -> Module:
        from ...dtypes import float64
        return self._cast_floats(float64)

    def half(self) -> Module:
        from ...dtypes import float16
        return self._cast_floats(float16)

    def bfloat16(self) -> Module:
        from ...dtypes import bfloat16
        return self._cast_floats(bfloat16)

    def share_memory(self) -> Module:
        """(lazygrad's CPU memory is process memory; kept for torch's API.)"""
        return self

    # ---- state dicts -------------------------------------------------------------------------------

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + "_extra_state"] = self.get_extra_state()

    def get_extra_state(self) -> Any:
        """State beyond parameters and buffers, saved as `<prefix>_extra_state` by a module that defines it
        (with set_extra_state to load it back)."""
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be called. Please "
                           "file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
                           "to report this bug.")

    def set_extra_state(self, state: Any) -> None:
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be called. Please "
                           "file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
                           "to report this bug.")

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False) -> dict[str, Any]:
        """Parameters and persistent buffers by dotted name (detached unless keep_vars)."""
        if args:
            destination, prefix, keep_vars = (list(args) + [destination, prefix, keep_vars][len(args):])[:3]
        if destination is None:
            destination = collections.OrderedDict()
            destination._metadata = collections.OrderedDict()
        local_metadata = {"version": self._version}
        metadata = getattr(destination, "_metadata", None)
        if metadata is not None:
            metadata[prefix[:-1]] = local_metadata
        for hook in list(self._state_dict_pre_hooks.values()):
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=f"{prefix}{name}.", keep_vars=keep_vars)
        for hook in list(self._state_dict_hooks.values()):
            result = hook(self, destination, prefix, local_metadata)
            if result is not None:
                if getattr(hook, "_from_public_api", False):
                    raise RuntimeError("state_dict post-hook must return None")
                destination = result
        return destination

    def register_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """hook(module, prefix, keep_vars) before this module's entries are saved."""
        return self._hook(self._state_dict_pre_hooks, hook, False)

    def register_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """hook(module, state_dict, prefix, local_metadata) after them; it may edit state_dict in place."""
        hook._from_public_api = True
        return self._hook(self._state_dict_hooks, hook, False)

    def _register_state_dict_hook(self, hook: Callable) -> RemovableHandle:
        """The older post-hook, which may also return a new state_dict."""
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError("Cannot register the same function as the state dict post hook that was previously "
                               "registered via register_state_dict_post_hook")
        return self._hook(self._state_dict_hooks, hook, False)

    def _load_from_state_dict(self, state_dict: dict, prefix: str, local_metadata: dict, strict: bool,
                              missing_keys: list, unexpected_keys: list, error_msgs: list, assign: bool) -> None:
        """Copy this module's own entries from state_dict (in place, so the parameter objects stay), after the
        pre-hooks had their chance to rename or convert entries."""
        for hook in list(self._load_state_dict_pre_hooks.values()):
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        persistent = {k: v for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set}
        for name, current in itertools.chain(self._parameters.items(), persistent.items()):
            key = prefix + name
            if current is None:
                continue
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like '
                                  f"object from checkpoint but received {type(value)}")
                continue
            if tuple(value.shape) != tuple(current.shape):
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {value.shape} from "
                                  f"checkpoint, the shape in current model is {current.shape}.")
                continue
            self._load_entry(name, current, value, assign)
        extra = prefix + "_extra_state"
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra in state_dict:
                self.set_extra_state(state_dict[extra])
            elif strict:
                missing_keys.append(extra)
        elif strict and extra in state_dict:
            unexpected_keys.append(extra)
        if strict:
            children = {f"{prefix}{name}." for name in self._modules}
            for key in state_dict:
                if key.startswith(prefix) and key != extra:
                    rest = key[len(prefix):]
                    if "." not in rest and rest not in self._parameters and rest not in persistent:
                        unexpected_keys.append(key)
                    elif "." in rest and not any(key.startswith(c) for c in children):
                        unexpected_keys.append(key)

    def _load_entry(self, name: str, current: Tensor, value: Tensor, assign: bool) -> None:
        from ... import __future__ as future
        if future.get_swap_module_params_on_conversion():
            self._swap_entry(current, value, assign)
            return
        if assign:
            if isinstance(current, Parameter):
                self._parameters[name] = value if isinstance(value, Parameter) else \
                    Parameter(value.detach(), current.requires_grad)
            else:
                self._buffers[name] = value.detach()
            return
        with no_grad():
            current.copy_(value)

    @staticmethod
    def _swap_entry(current: Tensor, value: Tensor, assign: bool) -> None:
        """load_state_dict's step under lazygrad.__future__'s swapping: current.module_load(value), made a Parameter
        where current is one, swapped into current."""
        with no_grad():
            loaded = current.module_load(value, assign=assign)
        if loaded is value or loaded is current:
            raise RuntimeError("module_load returned one of self or other, please .detach() the result if returning "
                               "one of the inputs in module_load")
        if isinstance(current, Parameter):
            if isinstance(loaded, Parameter):
                loaded.requires_grad_(current.requires_grad)
            else:
                loaded = Parameter(loaded, requires_grad=current.requires_grad)
        swap_tensors(current, loaded)

    def load_state_dict(self, state_dict: dict, strict: bool = True, assign: bool = False) -> _IncompatibleKeys:
        """Copy matching entries into the parameters and buffers; with strict, any missing or unexpected key
        or size mismatch raises torch's RuntimeError listing all of them."""
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = collections.OrderedDict(state_dict)  # pre-hooks may edit it; the caller's stays as it was
        for prefix, module in self.named_modules(remove_duplicate=False):
            module_prefix = f"{prefix}." if prefix else ""
            local = metadata.get(prefix, {}) if metadata is not None else {}
            module._load_from_state_dict(state_dict, module_prefix, local, True, missing, unexpected, errors, assign)
        keys = _IncompatibleKeys(missing, unexpected)
        for module in self.modules():
            for hook in module._load_state_dict_post_hooks.values():
                hook(module, keys)
        if strict:
            for label, names in (("Unexpected", unexpected), ("Missing", missing)):
                if names:
                    listed = ", ".join(f'"{k}"' for k in names)
                    errors.insert(0, f"{label} key(s) in state_dict: {listed}. ")
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(self._get_name(),
                                                                                   "\n\t".join(errors)))
        return keys

    # ---- printing ----------------------------------------------------------------------------------

    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text between the parentheses of this module's line (layers show their settings)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        lines += [f"({name}): {_add_indent(repr(module), 2)}" for name, module in self._modules.items()]
        body = f"{self._get_name()}("
        if lines:
            body += lines[0] if len(lines) == 1 and not self._modules else "\n  " + "\n  ".join(lines) + "\n"
        return body + ")"
