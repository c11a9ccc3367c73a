"""gradcheck and gradgradcheck: analytical gradients against central finite differences."""
from __future__ import annotations

import warnings

import numpy as np


class GradcheckError(RuntimeError):
    pass


def _tensors(inputs):
    return inputs if isinstance(inputs, (tuple, list)) else (inputs,)


def _outputs(out):
    return out if isinstance(out, (tuple, list)) else (out,)


def _per_element(inputs, column) -> list:
    """column(i, x, k) for each element k of each input x requiring grad (None for the other inputs): the layout of
    the Jacobians made a column at a time (per input, per element, per output)."""
    return [[column(i, x, k) for k in range(x.numel())] if hasattr(x, "requires_grad") and x.requires_grad else None
            for i, x in enumerate(inputs)]


def _numerical(func, inputs, eps: float):
    """d(out_j)/d(in_i) by central differences, as (n_in_elems, n_out_elems) matrices per input/output."""
    from ..creation import tensor
    base = [x.detach().numpy().copy() if hasattr(x, "requires_grad") else x for x in inputs]

    def column(i, x, k):
        vals = []
        for sign in (1, -1):
            args = [tensor(b, dtype=a.dtype, requires_grad=a.requires_grad) if hasattr(a, "requires_grad") else a
                    for a, b in zip(inputs, base)]
            moved = base[i].copy().reshape(-1)
            moved[k] += sign * eps
            args[i] = tensor(moved.reshape(base[i].shape), dtype=x.dtype, requires_grad=True)
            vals.append([o.detach().numpy().astype(np.float64).reshape(-1) for o in _outputs(func(*args))])
        return [(p - m) / (2 * eps) for p, m in zip(*vals)]
    return _per_element(inputs, column)


def _analytical(func, inputs):
    from . import grad as autograd_grad
    from ..creation import zeros_like
    outs = _outputs(func(*inputs))
    diff = [x for x in inputs if hasattr(x, "requires_grad") and x.requires_grad]
    rows = {id(x): [[None] * o.numel() for o in outs] for x in diff}
    for j, o in enumerate(outs):
        if not o.requires_grad:
            continue
        flat = o.reshape(-1)
        for k in range(o.numel()):
            gs = autograd_grad(flat[k], diff, retain_graph=True, allow_unused=True)
            for x, g in zip(diff, gs):
                rows[id(x)][j][k] = (g if g is not None else zeros_like(x)).numpy().astype(np.float64).reshape(-1)
    return rows, outs


def _forward_analytical(func, inputs):
    """d(out_j)/d(in_i) by forward-mode AD: one tangent per element of each input requiring grad, laid out as
    _numerical's (per input, per element, per output)."""
    from . import forward_ad
    from ..creation import tensor

    def column(i, x, k):
        seed = np.zeros(x.numel())
        seed[k] = 1
        with forward_ad.dual_level():
            args = [a.detach() if hasattr(a, "requires_grad") else a for a in inputs]
            args[i] = forward_ad.make_dual(args[i], tensor(seed.reshape(tuple(x.shape)), dtype=x.dtype))
            outs = _outputs(func(*args))
            tangents = [forward_ad.unpack_dual(o).tangent for o in outs]
            return [np.zeros(o.numel()) if t is None else t.detach().numpy().astype(np.float64).reshape(-1)
                    for o, t in zip(outs, tangents)]
    return _per_element(inputs, column)


def _mismatch(kind: str, i: int, j: int, num: np.ndarray, ana: np.ndarray, dtype) -> GradcheckError:
    from ..creation import tensor
    num, ana = (tensor(a, dtype=dtype) for a in (num, ana))  # (printed as torch prints them)
    return GradcheckError(f"Jacobian {kind}mismatch for output {j} with respect to input {i},\n"
                          f"numerical:{num}\nanalytical:{ana}\n")


def _check_inputs(inputs, warn: bool = True) -> None:
    """torch's: at least one input must require grad; finite differences want float64 to be trusted."""
    wanting = [i for i, x in enumerate(inputs) if getattr(x, "requires_grad", False)]
    if not wanting:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")
    for i in wanting:
        if warn and inputs[i].dtype.name not in ("float64", "complex128"):
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating point "
                          "or complex. ", UserWarning, stacklevel=3)


def _over_real_pairs(func, inputs):
    """func and its inputs with every complex tensor (input or output) as its (real, imaginary) pairs along a
    last dim of 2: the real Jacobian of that function holds the complex gradients (torch's convention makes the
    gradient of a pair the pair of dL/dRe and dL/dIm), so checking it checks them."""
    from ..complex_numbers import complex as from_pairs, imag_part, real_part
    from ..movement import stack
    from ..tensor import Tensor

    def pairs(t):
        return stack([real_part(t), imag_part(t)], -1) if isinstance(t, Tensor) and t.dtype.is_complex else t
    is_complex = [isinstance(x, Tensor) and x.dtype.is_complex for x in inputs]
    real_inputs = tuple(pairs(x.detach()).requires_grad_(x.requires_grad) if c else x
                        for x, c in zip(inputs, is_complex))

    def real_func(*xs):
        args = [from_pairs(x[..., 0], x[..., 1]) if c else x for x, c in zip(xs, is_complex)]
        return tuple(pairs(o) for o in _outputs(func(*args)))
    return real_func, real_inputs


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False, masked: bool | None = None) -> bool:
    """True when func's analytical gradients (backward, and forward-mode ones with check_forward_ad) match
    finite differences (torch's defaults); complex inputs and outputs are checked as pairs of real numbers.
    The other options of torch's have nothing more to check here: lazygrad's backward is deterministic
    (nondet_tol), an undefined gradient is a zero one, gradients keep their input's dtype, the batched
    gradients are the ones checked, and fast_mode's random projection is the full check's special case."""
    inputs = _tensors(inputs)
    _check_inputs(inputs)
    func, inputs = _over_real_pairs(func, inputs)
    numerical = _numerical(func, inputs, eps)
    checks = []
    if check_backward_ad:
        analytical, outs = _analytical(func, inputs)
        checks.append(("", lambda i, x, j, o: np.array(
            [analytical[id(x)][j][k] if analytical[id(x)][j][k] is not None else np.zeros(x.numel())
             for k in range(o.numel())]).reshape(o.numel(), x.numel()).T))
    else:
        outs = _outputs(func(*inputs))
    if check_forward_ad:
        forward = _forward_analytical(func, inputs)
        checks.append(("computed with forward mode ", lambda i, x, j, o: np.array(
            [forward[i][k][j] for k in range(x.numel())]).reshape(x.numel(), o.numel())))
    for kind, analytical_of in checks:
        for i, x in enumerate(inputs):
            if numerical[i] is None:
                continue
            for j, o in enumerate(outs):
                num = np.array([numerical[i][k][j] for k in range(x.numel())]).reshape(x.numel(), o.numel())
                ana = analytical_of(i, x, j, o)
                if not np.allclose(ana, num, rtol=rtol, atol=atol):
                    if raise_exception:
                        raise _mismatch(kind, i, j, num, ana, x.dtype)
                    return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, **_unused) -> bool:
    """gradcheck of the function x -> d(func(x) . v)/dx, for random (or given) v."""
    from . import grad as autograd_grad
    from ..creation import tensor
    inputs = _tensors(inputs)
    _check_inputs(inputs, warn=False)  # the gradcheck below warns
    outs = _outputs(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [tensor(rng.standard_normal(o.shape), dtype=o.dtype) for o in outs]
    grad_outputs = _tensors(grad_outputs)
    diff_idx = [i for i, x in enumerate(inputs) if hasattr(x, "requires_grad") and x.requires_grad]

    def first_derivative(*xs):
        outs = _outputs(func(*xs))
        gs = autograd_grad(outs, [xs[i] for i in diff_idx], grad_outputs, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_derivative, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
