"""torch.func's function transforms: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian and vmap (and
its rearrange, from lazygrad/rearrange.py, and debug_unwrap).

They stand on lazygrad's reverse mode: a transform differentiates the function's graph where it is
built, keeping the gradient's own graph only when an enclosing transform (or an input that requires
grad) will differentiate it again, so grad(grad(f)) and hessian compose. jvp is a reverse-mode product
differentiated once more (the double-vjp construction), jacfwd computes what jacrev computes, and vmap
maps the function over the batch dim and stacks the results: the same values as torch's per-sample
semantics, built as one lazy graph.
"""
from __future__ import annotations

import functools
from typing import Callable

from .autograd import grad as _autograd_grad
from .autograd.forward_ad import pairing
from .autograd.grad_mode import STATE, enable_grad
from .movement import stack
from .rearrange import rearrange  # noqa: F401  (torch.func.rearrange)
from .tensor import Tensor

_DEPTH = [0]  # how many transforms are running: an inner one keeps the graph of what it returns


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable(x: Tensor) -> Tensor:
    """x as an input to differentiate with respect to: a fresh leaf, or a differentiable alias of a value an
    outer transform (or the caller) differentiates."""
    if not isinstance(x, Tensor):
        raise TypeError(f"Expected a Tensor as the argument to differentiate, got {type(x).__name__}")
    return x.view_as(x) if x.requires_grad and STATE.enabled else x.detach().requires_grad_()


def _keep_graph(inputs) -> bool:
    return STATE.enabled and (_DEPTH[0] > 1 or any(isinstance(x, Tensor) and x.requires_grad for x in inputs))


def _flatten(tree) -> tuple[list, Callable]:
    """The tensors of a pytree (a tensor, or dicts, lists and tuples of them) and the function that builds
    the same structure around other leaves: torch.func differentiates and maps such arguments (a model's
    parameters as a dict, for functional_call)."""
    if isinstance(tree, dict):
        parts = [_flatten(v) for v in tree.values()]
        keys = list(tree)
    elif isinstance(tree, (list, tuple)):
        parts = [_flatten(v) for v in tree]
        keys = None
    else:
        return [tree], lambda leaves: leaves[0]
    sizes = [len(leaves) for leaves, _ in parts]
    leaves = [leaf for part, _ in parts for leaf in part]

    def rebuild(new: list):
        out, start = [], 0
        for (_, build), n in zip(parts, sizes):
            out.append(build(new[start:start + n]))
            start += n
        if keys is not None:
            return dict(zip(keys, out))
        if isinstance(tree, list):
            return out
        return type(tree)(*out) if hasattr(tree, "_fields") else tuple(out)
    return leaves, rebuild


def _call(func, args, argnums, has_aux: bool, api: str):
    """func on args with the argnums made differentiable: (their tensors, the originals, output, aux, and
    the function regrouping one value per tensor into the argnums' structures). api names the transform in
    torch's errors."""
    numbers = _as_tuple(argnums)
    args = list(args)
    inputs, originals, builds = [], [], []
    for i in numbers:
        leaves, rebuild = _flatten(args[i])
        fresh = [_differentiable(leaf) for leaf in leaves]
        args[i] = rebuild(fresh)
        inputs += fresh
        originals += leaves
        builds.append((len(fresh), rebuild))
    with enable_grad():  # (torch.func runs the function with grad mode on)
        result = func(*args)
    if has_aux and not (isinstance(result, tuple) and len(result) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    output, aux = result if has_aux else (result, None)

    def regroup(values) -> tuple:
        out, start = [], 0
        for n, rebuild in builds:
            out.append(rebuild(list(values[start:start + n])))
            start += n
        return tuple(out)
    return inputs, originals, output, aux, regroup


def _depth(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        _DEPTH[0] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            _DEPTH[0] -= 1
    return wrapper


def _shown(output: Tensor, keep: bool) -> Tensor:
    """What a transform returns of one of func's outputs: detached unless something differentiates it further."""
    return output if keep else output.detach()


def _grads(outputs, inputs, cotangents, originals) -> tuple:
    """d outputs / d inputs against cotangents: zeros for an input no output depends on (an output that does not
    require grad depends on none)."""
    from .creation import zeros_like
    keep = _keep_graph(originals)
    pairs = [(o, c) for o, c in zip(outputs, cotangents or [None] * len(outputs)) if o.requires_grad]
    found = (_autograd_grad([o for o, _ in pairs], inputs, [c for _, c in pairs], retain_graph=True,
                            create_graph=keep, allow_unused=True) if pairs else [None] * len(inputs))
    return tuple(g if g is not None else zeros_like(x.detach()) for g, x in zip(found, inputs))


def grad_and_value(func, argnums=0, has_aux: bool = False):
    """A function returning (the gradient of func's scalar output with respect to the argnums, the output)."""
    @_depth
    def transformed(*args, **kwargs):
        inputs, originals, output, aux, regroup = _call(lambda *a: func(*a, **kwargs), args, argnums, has_aux,
                                                        "grad_and_value(f)(*args)")
        if not isinstance(output, Tensor):
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(output)}")
        if output.ndim != 0:
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor "
                               f"with {output.ndim} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
        grads = regroup(_grads([output], inputs, None, originals))
        result = grads if isinstance(argnums, tuple) else grads[0]
        value = _shown(output, _keep_graph(originals))
        return (result, (value, aux)) if has_aux else (result, value)
    return transformed


def grad(func, argnums=0, has_aux: bool = False):
    """A function returning the gradient of func's scalar output with respect to argument(s) argnums."""
    both = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def transformed(*args, **kwargs):
        gradient, value = both(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient
    return transformed


@_depth
def vjp(func, *primals, has_aux: bool = False):
    """(func(*primals), a function mapping cotangents of the output (a pytree like it) to those of every
    primal[, aux])."""
    inputs, originals, output, aux, regroup = _call(func, primals, tuple(range(len(primals))), has_aux,
                                                    "vjp(f, *primals)")
    outputs, rebuild = _flatten(output)
    keep = _keep_graph(originals)

    def vjp_fn(*cotangents):
        flat = _flatten(cotangents[0] if len(cotangents) == 1 else cotangents)[0]
        _DEPTH[0] += 1
        try:
            return regroup(_grads(outputs, inputs, flat, originals))
        finally:
            _DEPTH[0] -= 1
    shown = rebuild([_shown(o, keep) for o in outputs])
    return (shown, vjp_fn, aux) if has_aux else (shown, vjp_fn)


@_depth
def jvp(func, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """(func(*primals), its derivative along tangents): the vjp, a linear function of its cotangent u, is
    differentiated with respect to u against the tangents (zeros for an output no primal reaches; refused
    with strict)."""
    from .creation import zeros_like
    primals, tangents = _as_tuple(primals), _as_tuple(tangents)
    if len(primals) != len(tangents):
        raise RuntimeError(f"jvp(f, primals, tangents): Expected primals and tangents to have the same length, but "
                           f"got {len(primals)} primals and {len(tangents)} tangents")
    inputs, originals, output, aux, _ = _call(func, primals, tuple(range(len(primals))), has_aux,
                                              "jvp(f, primals, tangents)")
    tangents = [leaf for t in tangents for leaf in _flatten(t)[0]]
    outputs, rebuild = _flatten(output)
    live = [o for o in outputs if o.requires_grad]
    if strict and len(live) < len(outputs):
        raise RuntimeError("jvp(f, primals, tangents, strict=True): The output of f is independent of the inputs. "
                           "This is not allowed with strict=True.")
    probes = [zeros_like(o).requires_grad_() for o in live]
    pulled = (_autograd_grad(live, inputs, probes, retain_graph=True, create_graph=True, allow_unused=True)
              if live else [])
    pairs = [(p, t) for p, t in zip(pulled, tangents) if p is not None]
    total = sum(pairing(p, t) for p, t in pairs) if pairs else None
    keep = _keep_graph(originals)
    pushed = {}
    if total is not None and total.requires_grad:
        found = _autograd_grad([total], probes, create_graph=keep, allow_unused=True)
        pushed = {id(o): g for o, g in zip(live, found) if g is not None}
    shown_tangent = rebuild([pushed.get(id(o), zeros_like(o)) for o in outputs])
    shown_out = rebuild([_shown(o, keep) for o in outputs])
    return (shown_out, shown_tangent, aux) if has_aux else (shown_out, shown_tangent)


def jacrev(func, argnums=0, *, has_aux: bool = False, chunk_size=None):
    """The Jacobian of func's output(s) with respect to argument(s) argnums, shaped output.shape +
    input.shape (per output of a pytree of them, per argnum of a tuple): one vector-Jacobian product per
    output element, built as one lazy graph."""
    return _jacobian(func, argnums, has_aux, forward=False)


def _jacobian(func, argnums, has_aux: bool, forward: bool):
    """jacrev, or jacfwd (forward), computed alike: they differ in the transform named in errors and in the
    dtype of a block (the output's tangents forward, the input's cotangents in reverse)."""
    api = "jvp(f, primals, tangents)" if forward else "vjp(f, *primals)"
    name = "jacfwd" if forward else "jacrev"

    def refuse_complex(kind: str, tensors) -> None:  # (torch's transforms take real tensors only)
        idx = next((i for i, t in enumerate(tensors) if getattr(t, "dtype", None) and t.dtype.is_complex), None)
        if idx is not None:
            raise RuntimeError(f"{name}: Expected all {kind} to be real but received complex tensor at flattened "
                               f"input idx: {idx}")

    @_depth
    def transformed(*args, **kwargs):
        refuse_complex("inputs", [leaf for i in (argnums if isinstance(argnums, tuple) else (argnums,))
                                  if -len(args) <= i < len(args) for leaf in _flatten(args[i])[0]])
        inputs, originals, output, aux, regroup = _call(lambda *a: func(*a, **kwargs), args, argnums, has_aux, api)
        outputs, rebuild = _flatten(output)
        refuse_complex("outputs", outputs)
        per_output = []
        for out in outputs:
            flat = out.reshape(-1)
            rows = []
            for k in range(flat.shape[0]):
                rows.append(_grads([flat[k]], inputs, None, originals))
            per_input = []
            for j, x in enumerate(inputs):
                jac = stack([r[j] for r in rows]) if rows else x.new_zeros((0,) + tuple(x.shape))
                jac = jac.reshape(tuple(out.shape) + tuple(x.shape))
                per_input.append(jac.to(out.dtype) if forward else jac)  # (forward mode: the output's tangents)
            grouped = regroup(per_input)
            per_output.append(grouped if isinstance(argnums, tuple) else grouped[0])
        result = rebuild(per_output)
        return (result, aux) if has_aux else result
    return transformed


def jacfwd(func, argnums=0, has_aux: bool = False, *, randomness: str = "error"):
    """The Jacobian, as jacrev computes it (lazygrad differentiates in reverse mode; the values are the same)."""
    return _jacobian(func, argnums, has_aux, forward=True)


def hessian(func, argnums=0):
    """The Jacobian of the gradient: second derivatives with respect to argument(s) argnums."""
    return jacfwd(jacrev(func, argnums), argnums)


def _stacked(results: list, dim: int):
    """Per-sample results (tensors or pytrees of them) stacked leaf by leaf along dim."""
    per_sample = [_flatten(r)[0] for r in results]
    _, build = _flatten(results[0])
    return build([stack(list(column), dim) for column in zip(*per_sample)])


def vmap(func, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size=None):
    """func mapped over a dim of its arguments (in_dims: an int for all, or one per argument, None for
    an argument shared by every call), its results stacked along out_dims."""
    def transformed(*args, **kwargs):
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                             f"structure of `inputs`. in_dims has structure of {len(dims)} items but inputs has "
                             f"structure of {len(args)} items.")
        flat = [_flatten(a) for a in args]
        sizes = {leaf.shape[d] for (leaves, _), d in zip(flat, dims) if d is not None for leaf in leaves}
        if len(sizes) != 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{sorted(sizes)} for the mapped dimension" if sizes else
                             "vmap(f, in_dims=..., ...)(<inputs>): at least one input must be mapped over")
        (size,) = sizes

        def sample(i: int) -> list:
            return [a if d is None else build([leaf.select(d, i) for leaf in leaves])
                    for a, (leaves, build), d in zip(args, flat, dims)]
        results = [func(*sample(i), **kwargs) for i in range(size)]
        if isinstance(results[0], tuple):
            outs = out_dims if isinstance(out_dims, (tuple, list)) else (out_dims,) * len(results[0])
            return tuple(_stacked([r[k] for r in results], d) for k, d in enumerate(outs))
        return _stacked(results, out_dims)
    return transformed


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights: bool = True,
                    strict: bool = False):
    """module(*args, **kwargs) with the named tensors given (a dict, or several without shared keys) in place
    of its parameters and buffers: the function of the parameters that grad, vmap and jacrev transform."""
    if isinstance(parameter_and_buffer_dicts, dict):
        tensors = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, (list, tuple)):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        counts: dict[str, int] = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is ambiguous")
        tensors = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(parameter_and_buffer_dicts)}")
    from .nn.utils.stateless import call_with
    return call_with(module, tensors, args, kwargs, tie_weights, strict)


def stack_module_state(models) -> tuple[dict, dict]:
    """The parameters and buffers of same-class models stacked along a new first dim (parameters as fresh
    leaves that require grad), for vmap over an ensemble with functional_call."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) != 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if len({type(m) for m in models}) != 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stacked(named: list[dict], name: str) -> Tensor:
        tensors = [n[name] for n in named]
        flags = {t.requires_grad for t in tensors}
        if len(flags) != 1:
            raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
        result = stack(tensors)
        return result.detach().requires_grad_() if flags == {True} else result

    params = [dict(m.named_parameters()) for m in models]
    buffers = [dict(m.named_buffers()) for m in models]
    return ({k: stacked(params, k) for k in params[0]}, {k: stacked(buffers, k) for k in buffers[0]})


def linearize(func, *primals):
    """(func(*primals), jvp_fn): jvp_fn(*tangents) is func's derivative at primals along tangents. The
    vjp's graph is built once here; each call differentiates it along its tangents."""
    output = func(*primals)
    flat_primals = [leaf for p in primals for leaf in _flatten(p)[0]]

    def jvp_fn(*tangents):
        flat = [leaf for t in tangents for leaf in _flatten(t)[0]]
        for i, (t, p) in enumerate(zip(flat, flat_primals)):
            if t.shape != p.shape:
                raise RuntimeError(f"tangent:{i} with shape {t.shape} in flattened pytree doesn't match the shape "
                                   f"{p.shape} of the corresponding primal.")
        return jvp(func, primals, tangents)[1]
    outputs, rebuild = _flatten(output)
    return rebuild([_shown(o, False) for o in outputs]), jvp_fn


def functionalize(func, *, remove: str = "mutations"):
    """func as it is: its in-place writes are already steps of the lazy graph, not mutations a compiler
    would have to remove (torch.func.functionalize's purpose)."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}. "
                           "Valid options are:\n     remove='mutations': all inplace and out= operators will be "
                           "removed from the program, and replaced with their out-of-place equivalents.\n"
                           "     remove='mutations_and_views': In addition to the above, all aliasing operators "
                           "{view} will be replaced with their non-aliasing counterparts, {view}_copy.\n")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


def replace_all_batch_norm_modules_(root):
    """Batch norms of root that stop tracking running statistics (so vmap over them does not write to
    shared buffers), in place; root is returned."""
    from .nn.modules.normalization import _BatchNorm
    for module in root.modules():
        if isinstance(module, _BatchNorm):
            module.running_mean = module.running_var = module.num_batches_tracked = None
            module.track_running_stats = False
    return root


def debug_unwrap(tensor: Tensor, *, recurse: bool = True) -> Tensor:
    """The tensor under a transform's wrapper: lazygrad's transforms wrap nothing, so the tensor itself."""
    return tensor
