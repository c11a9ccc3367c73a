"""Derivative formulas: one entry per op, as data, written with lazygrad's own tensor ops.

An entry is (torch's backward-node name, formula). A formula takes the Context (the op's args,
kwargs, output) and the output gradient(s), and returns one gradient per positional argument (None
where there is none). Broadcasting is undone by the engine (it sums each gradient to its input's
shape), so formulas are written for same-shaped operands. Because formulas use the public ops,
they record backward nodes themselves under create_graph: higher derivatives come for free.
"""
from __future__ import annotations

import math

import numpy as np

import lazygrad as lg

from ..dtypes import bfloat16, float16
from .linalg_derivatives import LINALG_DERIVATIVES, READS_RESULT as LINALG_READS_RESULT

HALF_FLOATS = frozenset({float16, bfloat16})


def _complex():
    from .. import complex_numbers
    return complex_numbers


def _sgn(c, g):
    """0 for real x; for complex z, what z / |z| does to a change of z beyond its length (0 at 0)."""
    z = c.args[0]
    if not z.dtype.is_complex:
        return lg.zeros_like(g)
    size = lg.abs(z)
    tangential = g - _complex().real_part(g * lg.conj(c.out)) * c.out
    return lg.where(size == 0, 0, tangential / size)


def _cast_back(g, x):
    """g on x's device in x's dtype (a complex gradient of a real x: its real part, without the cast's warning)."""
    if g.dtype.is_complex and not x.dtype.is_complex:
        g = _complex().real_part(g)
    return g.to(device=x.device, dtype=x.dtype)


class _Widened:
    """A node's context with its float16/bfloat16 tensors (inputs and result) widened to float32."""

    def __init__(self, c):
        self._c = c
        widen = lambda t: t.float() if isinstance(t, lg.Tensor) and t.dtype in HALF_FLOATS else t  # noqa: E731
        self.args = tuple(widen(a) for a in c.args)
        self.out = widen(c.out)

    def __getattr__(self, name):
        return getattr(self._c, name)


def _rounded_once(formula, dtypes: frozenset = HALF_FLOATS):
    """A derivative torch computes as one fused kernel: for float16/bfloat16 (those of `dtypes`: a kernel may
    compute float16 op by op) evaluated in float32 from the half-precision values and rounded once to each
    input's dtype (composed of ops, it would round each)."""
    def derivative(c, g):
        if g.dtype not in dtypes:
            return formula(c, g)
        grads = formula(_Widened(c), g.float())
        return tuple(None if r is None else r.to(a.dtype if isinstance(a, lg.Tensor) else g.dtype)
                     for r, a in zip(grads, c.args))
    return derivative


def _nn(module: str):
    """A module of lazygrad.nn.functional, which keeps the formulas of its own ops (imported on first use)."""
    import importlib
    return importlib.import_module(f"lazygrad.nn.functional.{module}")


def _kw(c, name, pos, default):
    return c.kwargs.get(name, c.args[pos] if len(c.args) > pos else default)


def _expand_back(g, c, dim_pos=1, keep_pos=2):
    """Put back the reduced dims of a reduction's gradient and broadcast it to the input's shape."""
    x = c.args[0]
    dim = _kw(c, "dim", dim_pos, None)
    if "axis" in c.kwargs:
        dim = c.kwargs["axis"]
    keep = _kw(c, "keepdim", keep_pos, False) or c.kwargs.get("keepdims", False)
    if x.ndim and not keep:
        from ..reductions import reduce_dims
        dims = reduce_dims(dim if dim != () else None, x.ndim)
        shape = [1 if i in dims else s for i, s in enumerate(x.shape)]
        g = g.reshape(shape)
    return g.expand(x.shape)


def _count(c, dim_pos=1):
    from ..reductions import reduce_dims
    x = c.args[0]
    dim = _kw(c, "dim", dim_pos, None)
    return math.prod(x.shape[d] for d in reduce_dims(dim, x.ndim)) if x.ndim else 1


def _extreme(c, g, dim_pos=1, keep_pos=2):
    """amax/amin/max: the gradient is shared evenly among the elements equal to the result."""
    x = c.args[0]
    out = c.out if not isinstance(c.out, tuple) else c.out[0]
    fake = type(c)(c.args, c.kwargs, out, c.needs_input_grad)
    hit = (x == _expand_back(out, fake, dim_pos, keep_pos)).to(g.dtype)
    count = _expand_back(_reduce_like(hit, fake, dim_pos, keep_pos), fake, dim_pos, keep_pos)
    return _expand_back(g, fake, dim_pos, keep_pos) * hit / count


def _reduce_like(t, c, dim_pos, keep_pos):
    dim = _kw(c, "dim", dim_pos, None)
    keep = _kw(c, "keepdim", keep_pos, False)
    if dim is None or dim == ():
        return t.sum()
    return t.sum(dim, keepdim=keep)


def _max_dim(c, g_values, g_indices=None):
    """max(x, dim): the gradient goes to the selected index only."""
    x = c.args[0]
    dim = _kw(c, "dim", 1, None)
    keep = _kw(c, "keepdim", 2, False)
    idx = c.out[1] if keep else c.out[1].unsqueeze(dim)
    g = g_values if keep else g_values.unsqueeze(dim)
    d = dim % x.ndim
    shape = [1] * x.ndim
    shape[d] = x.shape[d]
    pos = lg.arange(x.shape[d], device=g.device).reshape(shape)
    return (lg.where(pos == idx, g, lg.zeros((), dtype=g.dtype)),)


def _mode(c, g_values, g_indices=None):
    """mode: as max along a dim (its default dim is the last)."""
    x = c.args[0]
    if x.ndim == 0:
        return (g_values,)
    full = type(c)((x, _kw(c, "dim", 1, -1), _kw(c, "keepdim", 2, False)), {}, c.out, c.needs_input_grad)
    return _max_dim(full, g_values)


def _reordered(c, g, dim_pos: int, keep_pos: int | None = None):
    """sort/topk/kthvalue/median along a dim: each value's gradient goes back to where it came from
    (a scatter at the result's indices, with the reduced dim put back unless keepdim)."""
    x, indices = c.args[0], c.out[1]
    if x.ndim == 0:
        return (g,)
    d = _kw(c, "dim", dim_pos, -1) % x.ndim
    if keep_pos is not None and not _kw(c, "keepdim", keep_pos, False):
        g, indices = g.unsqueeze(d), indices.unsqueeze(d)
    return (lg.zeros(x.shape, dtype=g.dtype, device=g.device).scatter(d, indices, g),)


def _median(c, g_values, g_indices=None):
    """median() shares the gradient among the elements equal to the result (NaN: among the NaNs),
    as torch does; median(dim) sends it to the selected index."""
    if isinstance(c.out, tuple):
        return _reordered(c, g_values, 1, 2)
    x = c.args[0]
    hit = lg.where(lg.isnan(c.out), lg.isnan(x), x == c.out).to(g_values.dtype)
    return (g_values * hit / hit.sum(),)


def _var_parts(c):
    """(x - mean, degrees of freedom, a Context with var/std's arguments normalized) for var and std."""
    from ..reductions import _correction
    from .function import Context
    x = c.args[0]
    dim = _kw(c, "dim", 1, None)
    unbiased = _kw(c, "unbiased", 2, None)
    if isinstance(dim, bool):  # var(x, True): the second argument is `unbiased`
        dim, unbiased = None, dim
    keep = _kw(c, "keepdim", 3, False)
    norm = Context((x, dim, keep), {}, c.out, c.needs_input_grad)
    centered = x - (x.mean(dim, keepdim=True) if dim is not None else x.mean())
    return centered, _count(norm) - _correction(c.kwargs.get("correction"), unbiased), norm


def _var(c, g):
    centered, dof, norm = _var_parts(c)
    return (_expand_back(g, norm) * 2 * centered / dof,)


def _std(c, g):
    """var's gradient times g / (2 std), which is 0 where std is 0 (as torch masks it: not 0 / 0)."""
    centered, dof, norm = _var_parts(c)
    out = _expand_back(c.out, norm)
    scale = lg.where(out == 0, lg.zeros((), dtype=g.dtype), _expand_back(g, norm) / out)
    return (scale * centered / dof,)


def _diagonal(c, g):
    """g written onto the chosen diagonal of zeros (one store per diagonal element)."""
    from ..indexing import index_put
    x = c.args[0]
    offset = _kw(c, "offset", 1, 0)
    d1, d2 = _kw(c, "dim1", 2, 0) % x.ndim, _kw(c, "dim2", 3, 1) % x.ndim
    pos = lg.arange(g.shape[-1], device=g.device)
    items = [slice(None)] * x.ndim
    items[d1], items[d2] = pos + max(-offset, 0), pos + max(offset, 0)
    # the diagonal's dim goes where indexing puts it: at the first indexed dim if the two are adjacent
    at = min(d1, d2) if abs(d1 - d2) == 1 else 0
    order = list(range(g.ndim - 1))
    order.insert(at, g.ndim - 1)
    return (index_put(lg.zeros(x.shape, dtype=g.dtype, device=g.device), tuple(items), g.permute(order)),)


def _extreme_name(kind: str, args, kwargs) -> str:
    if len(args) > 1 and isinstance(args[1], lg.Tensor):
        return f"{kind}imumBackward0"
    return f"{kind}Backward0" if len(args) > 1 or "dim" in kwargs else f"{kind}Backward1"


def _extreme_grad(c, grads, greater: bool):
    if len(c.args) > 1 and isinstance(c.args[1], lg.Tensor):
        return _maximum(c, grads[0], greater)
    return _max_dim(c, *grads) if isinstance(c.out, tuple) else (_extreme(c, grads[0]),)


def _pow(c, g):
    a, b = c.args[0], c.args[1]
    if not isinstance(b, lg.Tensor):
        if b == 0:
            return (lg.zeros_like(g), None)
        return (g * (b * a ** (b - 1)), None)  # (torch's order of rounding)
    ga = None
    if isinstance(a, lg.Tensor):
        ga = lg.where(b == 0, lg.zeros((), dtype=g.dtype), g * b * a ** (b - 1))
    if not isinstance(a, lg.Tensor):
        return (ga, g * c.out * math.log(a))
    slope = c.out * lg.log(a.to(c.out.dtype))  # (a negative real base has a complex log when the result is complex)
    non_negative = (b.imag == 0) & (b.real >= 0) if b.is_complex() else b >= 0
    return (ga, g * lg.where((a == 0) & non_negative, lg.zeros((), dtype=g.dtype), slope))  # (0 ** b: no slope)


def _maximum(c, g, greater: bool):
    """g to the operand picked, halved on ties; masked, not multiplied, as torch's: the loser gets 0 even where g
    is NaN, and a NaN operand (neither wins) lets both have all of g."""
    a, b = c.args[0], c.args[1]
    zero = lg.zeros((), dtype=g.dtype)
    shared = lg.where(a == b, g / 2, g)
    a_loses, b_loses = (a < b, a > b) if greater else (a > b, a < b)
    return (lg.where(a_loses, zero, shared), lg.where(b_loses, zero, shared))


def _clamp(c, g):
    """x's gradient where it lies within the bounds; a tensor bound gets it where it is the result."""
    x = c.args[0]
    lo, hi = _kw(c, "min", 1, None), _kw(c, "max", 2, None)
    keep = lg.ones_like(x, dtype=lg.bool)
    if lo is not None:
        keep = keep & (x >= lo)
    if hi is not None:
        keep = keep & (x <= hi)
    zero = lg.zeros((), dtype=g.dtype)
    g_lo = lg.where((x < lo) & ((x <= hi) if hi is not None else True), g, zero) \
        if isinstance(lo, lg.Tensor) else None
    g_hi = lg.where(x > hi, g, zero) if isinstance(hi, lg.Tensor) else None
    if isinstance(lo, lg.Tensor) and isinstance(hi, lg.Tensor):
        g_lo = lg.where((x < lo) & (lo <= hi), g, zero)
        g_hi = lg.where((x > hi) | (lo > hi), g, zero)
    return (lg.where(keep, g, zero), g_lo, g_hi)


def _prod(c, g):
    """d prod / d x_i = the product of the other elements, exact through zeros (exclusive cumprods)."""
    x = c.args[0]
    dim = _kw(c, "dim", 1, None)
    flat = x.reshape(-1) if dim is None else x
    d = 0 if dim is None else dim % x.ndim
    n = flat.shape[d]
    ones = lg.ones_like(flat.narrow(d, 0, 1))
    left = lg.cat([ones, flat.cumprod(d).narrow(d, 0, n - 1)], d)
    right = lg.cat([ones, flat.flip(d).cumprod(d).narrow(d, 0, n - 1)], d).flip(d)
    others = (left * right).reshape(x.shape)
    return (_expand_back(g, c) * others,)


def _transposed_in_memory(t) -> bool:
    return not t.is_contiguous() and t.mT.is_contiguous()


def _product_grads(a, b, g, need=(True, True)):
    """The gradients of a @ b (matrices or batches of them), each only where `need` asks for it. An
    operand laid out transposed in memory (a Linear layer's W.t()) gets the transpose of the product
    taken the other way round, so its gradient comes out in its own memory order (no transposing copy),
    as torch's mm_mat2_backward does."""
    ga = gb = None
    if need[0]:
        ga = (b @ g.mT).mT if _transposed_in_memory(a) else g @ b.mT
    if need[1]:
        gb = (g.mT @ a).mT if _transposed_in_memory(b) else a.mT @ g
    return ga, gb


def _matmul(c, g):
    a, b = c.args[0], c.args[1]
    if a.ndim == 1 and b.ndim == 1:  # a dot product: g is 0-d
        return (g * b, g * a)
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = g2.unsqueeze(-2)
    if b.ndim == 1:
        g2 = g2.unsqueeze(-1)
    ga, gb = _product_grads(a2, b2, g2, c.needs_input_grad[:2])
    if a.ndim == 1 and ga is not None:
        ga = ga.squeeze(-2)
    if b.ndim == 1 and gb is not None:
        gb = gb.squeeze(-1)
    return (ga, gb)


def _matmul_name(args, kwargs):
    a, b = args[0], args[1]
    if a.ndim == 1 and b.ndim == 1:
        return "DotBackward0"
    if a.ndim == 2 and b.ndim == 2:
        return "MmBackward0"
    if a.ndim == 2 and b.ndim == 1:
        return "MvBackward0"
    return "UnsafeViewBackward0"


def _permute(c, g):
    dims = c.args[1:] if len(c.args) > 2 or not isinstance(c.args[1], (tuple, list)) else c.args[1]
    dims = [d % g.ndim for d in dims]
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[d] = i
    return (g.permute(inverse),)


def _cat(c, g):
    tensors = list(c.args[0])
    dim = _kw(c, "dim", 1, 0)
    sizes = [t.shape[dim] if not (t.ndim == 1 and t.shape[0] == 0) else 0 for t in tensors]
    parts = g.split(sizes, dim) if tensors[0].ndim else ()
    return (list(parts),)


def _stack(c, g):
    dim = _kw(c, "dim", 1, 0)
    return (list(g.unbind(dim)),)


def _split(c, *grads):
    x, dim = c.args[0], _kw(c, "dim", 2, 0)
    parts = [gr if gr is not None else lg.zeros_like(o) for gr, o in zip(grads, c.out)]
    return (lg.cat(parts, dim) if parts else lg.zeros_like(x),)


def _unbind(c, *grads):
    parts = [gr if gr is not None else lg.zeros_like(o) for gr, o in zip(grads, c.out)]
    return (lg.stack(parts, _kw(c, "dim", 1, 0)) if parts else lg.zeros_like(c.args[0]), None)


def _repeat(c, g):
    x = c.args[0]
    sizes = c.args[1:] if not isinstance(c.args[1], (tuple, list)) else c.args[1]
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    inter = [v for r, s in zip(sizes, shape) for v in (r, s)]
    summed = g.reshape(inter).sum(tuple(range(0, 2 * len(sizes), 2)))
    return (summed.reshape(x.shape),)


def _cumprod(c, g):
    """Exact through zeros, as torch's: before a slice's first zero, sum_{j>=k} g_j out_j / x_k; at it, the
    same sum with that zero taken as 1 in the products (never dividing by it); after it, 0. A gradient that
    will itself be differentiated, of an input holding a zero, is the sum of the products written out
    (quadratic in the length, as torch's is): the zero masks have no derivative."""
    x, dim = c.args[0], _kw(c, "dim", 1, 0)
    if x.ndim == 0:
        return (g,)
    if lg.is_grad_enabled() and bool((x == 0).any()):
        return (_cumprod_products(x, g, dim),)

    def from_the_end(t):
        return t.flip(dim).cumsum(dim).flip(dim)
    zero = x == 0
    seen = zero.to(lg.int64).cumsum(dim)  # zeros up to and including each position
    before, first = seen == 0, zero & (seen == 1)
    one = lg.ones((), dtype=x.dtype)
    up_to = from_the_end(g * c.out) / lg.where(before, x, one)
    through = from_the_end(g * lg.where(first, one, x).cumprod(dim))
    return (lg.where(before, up_to, lg.where(first, through, lg.zeros((), dtype=g.dtype))),)


def _cumprod_products(x, g, dim: int):
    """d/dx_k of sum_j g_j cumprod(x)_j = sum_{j>=k} g_j prod_{i<=j, i!=k} x_i: for each k the cumprod of x
    with x_k set to 1, along a new dim."""
    xs, gs = x.movedim(dim, -1), g.movedim(dim, -1)
    n = xs.shape[-1]
    own = lg.eye(n, dtype=lg.bool, device=x.device)  # [k, i]
    others = lg.where(own, lg.ones((), dtype=x.dtype), xs.unsqueeze(-2)).cumprod(-1)  # [..., k, j]
    later = lg.ones(n, n, dtype=lg.bool, device=x.device).triu()  # j >= k
    return (others * gs.unsqueeze(-2) * later).sum(-1).movedim(-1, dim)


def _norm(c, g):
    x = c.args[0]
    p = _kw(c, "p", 1, "fro")
    fake = type(c)(c.args, c.kwargs, c.out, c.needs_input_grad)
    out = _expand_back(c.out, fake, 2, 3)
    g = _expand_back(g, fake, 2, 3)
    zero = lg.zeros((), dtype=g.dtype)
    if p == 0:  # a count of nonzeros: torch's formula gives no gradient (None)
        return (None,)
    if p in ("fro", 2, 2.0, None):
        return (lg.where(out == 0, zero, g * x / out),)
    if p == 1:
        return (g * x.sgn(),)
    if p in (float("inf"), float("-inf")):
        hit = (x.abs() == out).to(g.dtype)
        return (g * x.sgn() * hit / _expand_back(_reduce_like(hit, fake, 2, 3), fake, 2, 3),)
    return (lg.where(out == 0, zero, g * x * x.abs() ** (p - 2) / out ** (p - 1)),)


def _getitem(c, g):
    from .embed import embed
    return (embed(g, c.args[0].shape, c.args[1]),)


def _take(c, g):
    """g added at the row-major positions take read (repeated indices add up, negative ones wrap)."""
    from .embed import scatter_positions
    return scatter_positions(g, c.args[1], c.args[0].shape)


def _index_gather(c, g):
    """The gradient of a gather is a sum of g over the positions that read each element (scatter-add)."""
    from .embed import scatter_add_like
    return (scatter_add_like(c, g),)


def _inplace_not_implemented(op: str):
    def formula(c, g):
        raise NotImplementedError(f"the derivative for 'inplace version of {op}' is not implemented.")
    return formula


def _acosh(c, g):
    return (g / lg.sqrt((c.args[0] - 1) * (c.args[0] + 1)),)


def _asinh(c, g):
    return (g / lg.sqrt(c.args[0] * c.args[0] + 1),)


def _atanh(c, g):
    return (g / (1 - c.args[0] * c.args[0]),)


def _xlogy(c, g):
    x, y = c.args[0], c.args[1]
    gx = lg.xlogy(g, y).masked_fill((x == 0) & (y <= 0), 0) if isinstance(x, lg.Tensor) else None
    return (gx, g * x / y if isinstance(y, lg.Tensor) else None)


def _xlogy_name(args, kwargs) -> str:
    return "XlogyBackward0" if all(isinstance(a, lg.Tensor) for a in args[:2]) else \
        "XlogyBackward1" if isinstance(args[1], lg.Tensor) else "XlogyBackward2"


def _logit(c, g):
    """Zero where eps clamped the input; NaN outside [0, 1] without eps."""
    x, eps = c.args[0], _kw(c, "eps", 1, None)
    grad = g / (x * (1 - x))
    if eps is None:
        return (lg.where((x < 0) | (x > 1), math.nan, grad),)
    return (lg.where((x < eps) | (x > 1 - eps), 0.0, grad),)


def _sinc(c, g):
    x = c.args[0]
    px = x * math.pi
    return (g * lg.where(x == 0, 0.0, (px * lg.cos(px) - lg.sin(px)) / (px * x)),)


def _copysign(c, g):
    x, other = c.args[0], c.args[1]
    return (g * lg.where(x == 0, 0.0, c.out / x), lg.zeros_like(g) if isinstance(other, lg.Tensor) else None)


def _nan_ignoring(c, g, greater: bool):
    """fmax/fmin: all of g to the operand picked (input on ties and where other is NaN)."""
    a, b = c.args[0], c.args[1]
    picks_a = ((a >= b) if greater else (a <= b)) | lg.isnan(b)
    zero = lg.zeros((), dtype=g.dtype)
    return (lg.where(picks_a, g, zero), lg.where(picks_a, zero, g))


def _roll(c, g):
    shifts, dims = _kw(c, "shifts", 1, None), _kw(c, "dims", 2, None)
    back = -shifts if isinstance(shifts, int) else [-s for s in shifts]
    return (g.roll(back, dims),)


def _block_diag(c, g):
    """Each block's part of g, back in the block's shape."""
    grads, row, col = [], 0, 0
    for t in c.args:
        rows, cols = (t.shape[0], t.shape[1]) if t.ndim == 2 else (1, t.numel())
        grads.append(g[row:row + rows, col:col + cols].reshape(t.shape))
        row, col = row + rows, col + cols
    return tuple(grads)


def _pnorm_grad(d, norm, g, p, share_ties: bool):
    """g times the derivative of the p-norm `norm` (broadcast against d) with respect to d. For p = inf the
    elements equal to the norm share g evenly (share_ties) or each get all of it (cdist's rule). Complex d
    enters conjugated: formulas here give the conjugate of torch's gradient, which the engine conjugates back."""
    d = d.conj()
    zero = lg.zeros((), dtype=g.dtype)
    if p == 0:
        return lg.zeros_like(d * g)
    if p == 1:
        return g * d.sgn()
    if p == 2:
        return lg.where(norm == 0, zero, g * d / norm)
    if math.isinf(p):
        hit = (d.abs() == norm).to(g.dtype)
        return g * d.sgn() * (hit / hit.sum() if share_ties else hit)
    return lg.where((norm == 0) | (d == 0), zero, g * d.sgn() * d.abs() ** (p - 1) / norm ** (p - 1))


def _cdist(c, g):
    from ..products import cdist_differences
    x1, x2, p = c.args[0], c.args[1], _kw(c, "p", 2, 2.0)
    part = _pnorm_grad(cdist_differences(x1, x2), c.out.unsqueeze(-1), g.unsqueeze(-1), p, share_ties=False)
    return (part.sum(-2), -part.sum(-3))


def _dist(c, g):
    part = _pnorm_grad(c.args[0] - c.args[1], c.out, g, _kw(c, "p", 2, 2), share_ties=True)
    return (part, -part)


def _cross(c, g):
    from ..products import _cross as cross
    a, b, dim = c.args
    return (cross(b, g, dim), cross(g, a, dim))


def _scaled(g, scalar):
    return g if scalar == 1 else g * scalar


def _added_product(c, g, grads):
    """The gradients of beta * input + alpha * product(m1, m2): grads gives those of the product (told which
    of them are needed)."""
    beta, alpha = c.kwargs.get("beta", 1), c.kwargs.get("alpha", 1)
    need = c.needs_input_grad
    g1, g2 = grads(c.args[1], c.args[2], g, need[1:3])
    return tuple(None if grad is None else _scaled(grad, scale)
                 for grad, scale in ((g if need[0] else None, beta), (g1, alpha), (g2, alpha)))


def _addbmm_grads(b1, b2, g, need):
    return _product_grads(b1, b2, g.unsqueeze(0).expand(b1.shape[0], *g.shape), need)


def _normal_name(args, kwargs) -> str:
    which = tuple(isinstance(x, lg.Tensor) for x in (args[0], args[1] if len(args) > 1 else 1.0))
    return {(True, True): "NormalBackward3", (True, False): "NormalBackward1", (False, True): "NormalBackward2"}[which]


def _zeros_for_tensors(c, g):
    """Sampling: zero gradients for the tensor parameters, as torch defines them."""
    return tuple(lg.zeros_like(a) if isinstance(a, lg.Tensor) else None for a in c.args)


def _bernoulli(c, g):
    if _kw(c, "p", 1, None) is not None:
        _not_implemented("bernoulli")
    return (lg.zeros_like(g),)


ZERO_GRAD = lambda c, g: (lg.zeros_like(g),)  # noqa: E731  (piecewise-constant: 0, even where g is NaN)


def _narrowed(c, g):
    """narrow and narrow_copy: g placed back at the narrowed range (a negative start counts from the end)."""
    x, dim, start, length = c.args[0], c.args[1], c.args[2], c.args[3]
    start = start + x.shape[dim] if start < 0 else start
    return _embed_along(g, c, slice(start, start + length))


def _cumulative_extreme(c, g, g_indices=None):
    """cummax/cummin: each output's gradient goes to the element it was taken from (added up there)."""
    x = c.args[0]
    if x.ndim == 0:
        return (g,)
    dim = _kw(c, "dim", 1, 0)
    return (lg.zeros(x.shape, dtype=g.dtype, device=g.device).scatter_add(dim, c.out[1], g),)


def _logcumsumexp(c, g):
    """sum_{i >= j} g_i exp(x_j - out_i), in the log domain and split by the sign of g so nothing overflows:
    exp(x_j + reverse logcumsumexp(log|g_i| - out_i)) for each sign. log 0 is stood for by the lowest finite
    number (behind where()s), which contributes exactly nothing yet keeps the second derivative finite
    where a part has no terms (-inf would give inf - inf there)."""
    x, out = c.args[0], c.out
    if x.ndim == 0:
        return (g,)
    dim = _kw(c, "dim", 1, 0)
    if x.dtype.is_complex:  # sum_{i >= j} g_i exp(x_j - out_i): log g_i carries g's phase, log 0 is -inf
        logs = lg.log(g) - out
        return (lg.exp(x + logs.flip(dim).logcumsumexp(dim).flip(dim)),)
    lowest = float(np.finfo(g.dtype.np).min)

    def part(mask, magnitude):
        logs = lg.where(mask, lg.log(lg.where(mask, magnitude, 1.0)), lowest)
        return lg.exp((logs - out).flip(dim).logcumsumexp(dim).flip(dim) + x)
    return (part(g > 0, g) - part(g < 0, -g),)


def _zeros_of(t, g):
    return lg.zeros(t.shape, dtype=g.dtype, device=g.device)


def _sliced(c, g):
    """slice_scatter's (input, src, dim, start, end, step): g's part at the slice, as a differentiable index."""
    d = _kw(c, "dim", 2, 0) % g.ndim
    item = slice(_kw(c, "start", 3, None), _kw(c, "end", 4, None), _kw(c, "step", 5, 1))
    return g[(slice(None),) * d + (item,)]


def _in_layout_of(g, t):
    """g laid out as torch lays out a clone of t (dense, in t's stride order), by differentiable ops, so that
    strides given for that copy's storage address g's elements."""
    order = sorted(range(t.ndim), key=lambda d: (-t.stride(d), d))
    inverse = sorted(range(t.ndim), key=lambda i: order[i])
    return g.permute(order).contiguous().permute(inverse)


def _as_strided_scatter(c, g):
    src, size, stride = c.args[1], c.args[2], c.args[3]
    offset = _kw(c, "storage_offset", 4, None)
    laid = _in_layout_of(g, c.args[0])
    return (lg.as_strided_scatter(laid, _zeros_of(src, g), size, stride, offset), laid.as_strided(size, stride, offset),
            None, None, None)


def _unfold(c, g):
    """Each window element's gradient added back at the element it views (windows may overlap). The windows
    are laid over x's logical elements, not its storage: x may itself be a view that reads a storage
    element more than once (an unfold or an expand), and each of those reads is a separate element of x."""
    from .embed import strided_grad
    x, step = c.args[0], _kw(c, "step", 3, None)
    if x.ndim == 0:
        return (g.sum(),)
    d = _kw(c, "dimension", 1, None) % x.ndim
    dense = [1] * x.ndim
    for k in reversed(range(x.ndim - 1)):
        dense[k] = dense[k + 1] * x.shape[k + 1]
    strides = tuple(st * step if k == d else st for k, st in enumerate(dense)) + (dense[d],)
    return (strided_grad(g, x.shape, tuple(dense), 0, g.shape, strides, 0),)


def _aminmax(c, g_min, g_max):
    """Each of min and max shares its gradient among the elements equal to it (as amin and amax do)."""
    fake = [type(c)((c.args[0], c.kwargs.get("dim"), c.kwargs.get("keepdim", False)), {}, out, c.needs_input_grad)
            for out in c.out]
    return (_extreme(fake[0], g_min) + _extreme(fake[1], g_max),)


def _renorm(c, g):
    """out = x f(N), N the p-norm of x's slice along dim and f = maxnorm / (N + 1e-7) where N > maxnorm (else 1):
    g f plus, where the slice was scaled, x's norm gradient times sum(g x) f'(N)."""
    x, p, dim, maxnorm = c.args[0], c.args[1], c.args[2] % c.args[0].ndim, c.args[3]
    dims = tuple(k for k in range(x.ndim) if k != dim)
    n = x.norm(p, dims, keepdim=True)
    scaled = n > maxnorm
    denominator = n + 1e-7
    factor = lg.where(scaled, maxnorm / denominator, 1.0)
    slope = lg.where(scaled, -maxnorm / (denominator * denominator), 0.0) * (g * x).sum(dims, keepdim=True)
    if math.isinf(p):
        hit = (x.abs() == n).to(g.dtype)
        norm_grad = x.sign() * hit / hit.sum(dims, keepdim=True)
    else:
        norm_grad = x.sign() * x.abs() ** (p - 1) / lg.where(scaled, n, 1.0) ** (p - 1)
    return (g * factor + slope * norm_grad, None, None, None)


def _random_name(args, kwargs) -> str:
    from ..sampling import random_name
    return random_name(args, kwargs)


def _compare_name(op: str):
    return lambda a, k: f"{op.capitalize()}Backward1" if isinstance(a[1], lg.Tensor) else f"{op.capitalize()}Backward0"


def _special(name: str):
    from .. import special_functions
    return getattr(special_functions, name)


def _i1(c, g):
    """i1'(x) = i0(x) - i1(x) / x, 1/2 at 0 (x replaced by 1 there, so the second derivative stays finite)."""
    x = c.args[0]
    safe = lg.where(x == 0, 1.0, x)
    return (g * lg.where(x == 0, 0.5, _special("i0")(x) - _special("i1")(safe) / safe),)


def _i1e(c, g):
    """i1e'(x) = i0e(x) - i1e(x) (sign(x) + 1/x), 1/2 at 0."""
    x = c.args[0]
    safe = lg.where(x == 0, 1.0, x)
    return (g * lg.where(x == 0, 0.5, _special("i0e")(x) - _special("i1e")(safe) * (safe.sign() + 1 / safe)),)


def _xlog1py(c, g):
    x, y = c.args[0], c.args[1]
    gx = g * lg.special.xlog1py((x != 0).to(g.dtype), y) if isinstance(x, lg.Tensor) else None
    return (gx, g * x / (y + 1) if isinstance(y, lg.Tensor) else None)


def _incomplete_gamma(sign: int):
    """d P(a, x) / dx = x^(a-1) e^-x / Gamma(a) (Q's is its negative); torch has no derivative in a."""
    def formula(c, g):
        a, x = c.args[0], c.args[1]
        if c.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{'igamma' if sign > 0 else 'igammac'}: input' is not "
                                      "implemented.")
        density = lg.exp((a - 1) * lg.log(x) - x - lg.lgamma(a))
        return (None, g * density * sign)
    return formula


def _zeta_name(args, kwargs) -> str:
    return "SpecialZetaBackward0" if all(isinstance(a, lg.Tensor) for a in args[:2]) else \
        "SpecialZetaBackward2" if isinstance(args[0], lg.Tensor) else "SpecialZetaBackward1"


def _zeta(c, g):
    """d zeta(x, q) / dq = -x zeta(x + 1, q); torch has no derivative in x."""
    x, q = c.args[0], c.args[1]
    if c.needs_input_grad[0]:
        raise NotImplementedError("the derivative for 'zeta' is not implemented.")
    return (None, g * -x * _special("zeta")(x + 1, q) if isinstance(q, lg.Tensor) else None)


def _mvlgamma(c, g):
    x, p = c.args[0], _kw(c, "p", 1, None)
    return (g * sum(_special("digamma")(x - j / 2) for j in range(p)), None)


_SQRT_2PI = math.sqrt(2 * math.pi)

DERIVATIVES = {
    # arithmetic
    "add": ("AddBackward0", lambda c, g: (g, g * _kw(c, "alpha", 99, 1))),
    # a Python number minus a tensor (2 - x) is torch's rsub of the number
    "sub": (lambda a, k: "SubBackward0" if isinstance(a[0], lg.Tensor) else "RsubBackward1",
            lambda c, g: (g, -(g * _kw(c, "alpha", 99, 1)))),
    "rsub": (lambda a, k: "RsubBackward0" if isinstance(a[1], lg.Tensor) else "RsubBackward1",
             lambda c, g: (-(g * _kw(c, "alpha", 99, 1)), g)),
    "mul": ("MulBackward0", lambda c, g: (g * c.args[1], g * c.args[0])),
    # (torch divides a number by a tensor as reciprocal times the number: its node is the product's)
    "div": (lambda a, k: "DivBackward0" if isinstance(a[0], lg.Tensor) else "MulBackward0",
            lambda c, g: (g / c.args[1], -g * ((c.args[0] / c.args[1]) / c.args[1]))),
    "pow": (lambda a, k: "PowBackward2" if not isinstance(a[0], lg.Tensor) else
            "PowBackward1" if isinstance(a[1], lg.Tensor) else "PowBackward0", _pow),
    "neg": ("NegBackward0", lambda c, g: (-g,)),
    "remainder": ("RemainderBackward0", lambda c, g: (g, -g * lg.floor(c.args[0] / c.args[1]))),
    "fmod": ("FmodBackward0", lambda c, g: (g, -g * lg.trunc(c.args[0] / c.args[1]))),
    "atan2": ("Atan2Backward0", lambda c, g: _atan2_grads(*c.args, g)),
    "maximum": ("MaximumBackward0", lambda c, g: _maximum(c, g, True)),
    "minimum": ("MinimumBackward0", lambda c, g: _maximum(c, g, False)),
    "where": ("WhereBackward0", lambda c, g: (None, lg.where(c.args[0], g, lg.zeros((), dtype=g.dtype)),
                                              lg.where(c.args[0], lg.zeros((), dtype=g.dtype), g))),
    "clamp": (lambda a, k: "ClampBackward0" if any(isinstance(b, lg.Tensor) for b in a[1:3]) else "ClampBackward1",
              _clamp),
    "clamp_min": (lambda a, k: "ClampMinBackward1" if isinstance(a[1], lg.Tensor) else "ClampMinBackward0",
                  lambda c, g: _clamp(type(c)((c.args[0], c.args[1], None), {}, c.out, c.needs_input_grad), g)[:2]),
    "clamp_max": (lambda a, k: "ClampMaxBackward1" if isinstance(a[1], lg.Tensor) else "ClampMaxBackward0",
                  lambda c, g: _clamp(type(c)((c.args[0], None, c.args[1]), {}, c.out, c.needs_input_grad), g)[::2]),
    "addcmul": ("AddcmulBackward0", lambda c, g: (g, g * _kw(c, "value", 99, 1) * c.args[2],
                                                  g * _kw(c, "value", 99, 1) * c.args[1])),
    "addcdiv": ("AddcdivBackward0", lambda c, g: (g, g * _kw(c, "value", 99, 1) / c.args[2],
                                                  -g * _kw(c, "value", 99, 1) * c.args[1] / (c.args[2] * c.args[2]))),
    "lerp": (lambda a, k: "LerpBackward1" if isinstance(a[2], lg.Tensor) else "LerpBackward0",
             lambda c, g: (g * (1 - c.args[2]), g * c.args[2], g * (c.args[1] - c.args[0]))),
    # unary
    "exp": ("ExpBackward0", lambda c, g: (g * c.out,)),
    "exp2": ("Exp2Backward0", lambda c, g: (g * c.out * math.log(2.0),)),
    "expm1": ("Expm1Backward0", lambda c, g: (g * (c.out + 1),)),
    "log": ("LogBackward0", lambda c, g: (g / c.args[0],)),
    "log2": ("Log2Backward0", lambda c, g: (g / (c.args[0] * math.log(2.0)),)),
    "log10": ("Log10Backward0", lambda c, g: (g / (c.args[0] * math.log(10.0)),)),
    "log1p": ("Log1PBackward0", lambda c, g: (g / (c.args[0] + 1),)),
    "sqrt": ("SqrtBackward0", lambda c, g: (g / (2 * c.out),)),
    "rsqrt": ("RsqrtBackward0", lambda c, g: (-0.5 * g * c.out ** 3,)),
    "reciprocal": ("ReciprocalBackward0", lambda c, g: (-g * (c.out * c.out),)),  # (torch's order of rounding)
    "sin": ("SinBackward0", lambda c, g: (g * lg.cos(c.args[0]),)),
    "cos": ("CosBackward0", lambda c, g: (-g * lg.sin(c.args[0]),)),
    "tan": ("TanBackward0", lambda c, g: (g * (1 + c.out * c.out),)),
    # (these and the quotients' in torch's order of operations: the same rounding)
    "asin": ("AsinBackward0", lambda c, g: (g * lg.rsqrt(-c.args[0] * c.args[0] + 1),)),
    "acos": ("AcosBackward0", lambda c, g: (g * -lg.rsqrt(-c.args[0] * c.args[0] + 1),)),
    "atan": ("AtanBackward0", lambda c, g: (g / (c.args[0] * c.args[0] + 1),)),
    "sinh": ("SinhBackward0", lambda c, g: (g * lg.cosh(c.args[0]),)),
    "cosh": ("CoshBackward0", lambda c, g: (g * lg.sinh(c.args[0]),)),
    "tanh": ("TanhBackward0", _rounded_once(lambda c, g: (g * (1 - c.out * c.out),))),
    "sigmoid": ("SigmoidBackward0", _rounded_once(lambda c, g: (g * (1 - c.out) * c.out,), frozenset({bfloat16}))),
    "relu": ("ReluBackward0", lambda c, g: (lg.where(c.out <= 0, lg.zeros((), dtype=g.dtype), g),)),
    "erf": ("ErfBackward0", lambda c, g: ((2 / math.sqrt(math.pi)) * lg.exp(-(c.args[0] ** 2)) * g,)),
    "abs": ("AbsBackward0", lambda c, g: (g * lg.sgn(c.args[0]),)),
    "sign": ("SignBackward0", ZERO_GRAD),
    "floor": ("FloorBackward0", ZERO_GRAD),
    "ceil": ("CeilBackward0", ZERO_GRAD),
    "round": (lambda a, k: "RoundBackward1" if "decimals" in k else "RoundBackward0", ZERO_GRAD),
    "trunc": ("TruncBackward0", ZERO_GRAD),
    "nan_to_num": ("NanToNumBackward0", lambda c, g: (g * lg.isfinite(c.args[0]).to(g.dtype),)),
    "to": ("ToCopyBackward0", lambda c, g: (_cast_back(g, c.args[0]),)),
    # reductions
    "sum": (lambda a, k: "SumBackward1" if len(a) > 1 or "dim" in k or "axis" in k else "SumBackward0",
            lambda c, g: (_expand_back(g, c),)),
    "mean": (lambda a, k: "MeanBackward1" if len(a) > 1 or "dim" in k or "axis" in k else "MeanBackward0",
             lambda c, g: (_expand_back(g, c) / _count(c),)),
    "prod": (lambda a, k: "ProdBackward1" if len(a) > 1 or "dim" in k else "ProdBackward0", _prod),
    "amax": ("AmaxBackward0", lambda c, g: (_extreme(c, g),)),
    "amin": ("AminBackward0", lambda c, g: (_extreme(c, g),)),
    "max": (lambda a, k: _extreme_name("Max", a, k), lambda c, *g: _extreme_grad(c, g, True)),
    "sort": ("SortBackward0", lambda c, g, gi=None: _reordered(c, g, 1)),
    "topk": ("TopkBackward0", lambda c, g, gi=None: _reordered(c, g, 2)),
    "mode": ("ModeBackward0", _mode),
    "kthvalue": ("KthvalueBackward0", lambda c, g, gi=None: _reordered(c, g, 2, 3)),
    "median": (lambda a, k: "MedianBackward1" if len(a) > 1 or "dim" in k else "MedianBackward0", _median),
    "nanmedian": (lambda a, k: "NanmedianBackward1" if len(a) > 1 or "dim" in k else "NanmedianBackward0", _median),
    "min": (lambda a, k: _extreme_name("Min", a, k), lambda c, *g: _extreme_grad(c, g, False)),
    "logsumexp": ("LogsumexpBackward0",
                  lambda c, g: (_expand_back(g, c) * lg.exp(c.args[0] - _expand_back(c.out, c)),)),
    "linalg_vector_norm": ("LinalgVectorNormBackward0", _norm),
    "cumsum": ("CumsumBackward0", lambda c, g: (g.flip(_kw(c, "dim", 1, 0)).cumsum(_kw(c, "dim", 1, 0))
                                                .flip(_kw(c, "dim", 1, 0)),)),
    "cumprod": ("CumprodBackward0", _cumprod),
    "softmax": ("SoftmaxBackward0", _rounded_once(lambda c, g: (_softmax_grad(c, g), None, None))),
    "log_softmax": ("LogSoftmaxBackward0", _rounded_once(lambda c, g: (_log_softmax_grad(c, g), None, None))),
    # products
    "dot": ("DotBackward0", lambda c, g: (g * c.args[1], g * c.args[0])),
    "mv": ("MvBackward0", lambda c, g: (lg.outer(g, c.args[1]), c.args[0].t() @ g)),
    "mm": ("MmBackward0", lambda c, g: _product_grads(c.args[0], c.args[1], g, c.needs_input_grad)),
    "bmm": ("BmmBackward0", lambda c, g: _product_grads(c.args[0], c.args[1], g, c.needs_input_grad)),
    "matmul": (_matmul_name, _matmul),
    "outer": ("MulBackward0", lambda c, g: (g @ c.args[1], g.t() @ c.args[0])),
    # movement
    "view": ("ViewBackward0", lambda c, g: (g.reshape(c.args[0].shape),)),
    "reshape": (lambda a, k: _reshape_name(a[0], a[1:]), lambda c, g: (g.reshape(c.args[0].shape),)),
    "flatten": (lambda a, k: _reshape_name(a[0], (_flattened(a[0], _kw_of(a, k, "start_dim", 1, 0),
                                                              _kw_of(a, k, "end_dim", 2, -1)),)),
                lambda c, g: (g.reshape(c.args[0].shape),)),
    "unflatten": ("ViewBackward0", lambda c, g: (g.reshape(c.args[0].shape),)),
    "squeeze": (lambda a, k: _squeeze_name(_kw_of(a, k, "dim", 1, None)), lambda c, g: (g.reshape(c.args[0].shape),)),
    "unsqueeze": ("UnsqueezeBackward0", lambda c, g: (g.reshape(c.args[0].shape),)),
    "permute": ("PermuteBackward0", _permute),
    "transpose": ("TransposeBackward0", lambda c, g: (g.transpose(c.args[1], c.args[2]),)),
    "t": ("TBackward0", lambda c, g: (g.t(),)),
    "T": ("PermuteBackward0", lambda c, g: (g.permute(list(reversed(range(g.ndim)))),)),
    "expand": ("ExpandBackward0", lambda c, g: (g,)),
    "flip": ("FlipBackward0", lambda c, g: (g.flip(c.args[1]),)),
    "clone": ("CloneBackward0", lambda c, g: (g,)),
    "contiguous": ("CloneBackward0", lambda c, g: (g,)),
    "repeat": ("RepeatBackward0", _repeat),
    "cat": ("CatBackward0", _cat),
    "stack": ("StackBackward0", _stack),
    "split": (lambda a, k: "SplitWithSizesBackward0" if isinstance(a[1], (list, tuple)) else "SplitBackward0",
              _split),
    "unbind": ("UnbindBackward0", _unbind),
    "getitem": (lambda a, k: _getitem_name(a[0], a[1]), _getitem),
    "gather": ("GatherBackward0", _index_gather),
    "index_select": ("IndexSelectBackward0", lambda c, g: (
        lg.zeros(c.args[0].shape, dtype=g.dtype, device=g.device).index_add(c.args[1], c.args[2], g), None, None)),
    "take": ("TakeBackward0", lambda c, g: (_take(c, g), None)),
    "var": ("VarBackward0", _var),
    "std": ("StdBackward0", _std),
    "diagonal": ("DiagonalBackward0", _diagonal),
    "narrow": ("SliceBackward0", lambda c, g: (_narrowed(c, g),)),
    "select": ("SelectBackward0", lambda c, g: (_embed_along(g, c, c.args[2]),)),
    "embed": ("SliceBackwardBackward0", lambda c, g: (g[c.args[2]], None, None)),
    "as_strided": ("AsStridedBackward0", lambda c, g: (_as_strided(c, g), None, None, None)),
    "slice_inverse": ("SliceInverseBackward0", lambda c, g: (_slice_inverse(c, g), None, None, None, None, None)),
    "strided_scatter": ("AsStridedScatterBackward0", lambda c, g: (_read_strided(g, c), None, None, None)),
    # writes (in-place ops record these; see lazygrad/inplace.py)
    "copy_slices": ("CopySlices", lambda c, g: _copy_slices(c, g)),
    "copy_": ("CopyBackwards", lambda c, g: (lg.zeros_like(g), g.to(c.args[1].dtype))),
    "fill_": (lambda a, k: "FillBackward3" if isinstance(a[1], lg.Tensor) else "FillBackward2",
              lambda c, g: (lg.zeros_like(g), g.sum() if isinstance(c.args[1], lg.Tensor) else None)),
    "setitem_fill": ("FillBackward3", lambda c, g: (lg.zeros_like(g), None)),
    "zero_": ("ZeroBackward0", lambda c, g: (lg.zeros_like(g),)),
    "uniform_": ("UniformBackward0", ZERO_GRAD),
    "normal_": ("NormalBackward0", ZERO_GRAD),
    "masked_fill": (lambda a, k: "MaskedFillBackward1" if isinstance(a[2], lg.Tensor) else "MaskedFillBackward0",
                    lambda c, g: (lg.where(c.args[1], lg.zeros((), dtype=g.dtype), g), None,
                                  lg.where(c.args[1], g, lg.zeros((), dtype=g.dtype)).sum()
                                  if isinstance(c.args[2], lg.Tensor) else None)),
    "index_fill": ("IndexFillBackward0", lambda c, g: (g.index_fill(c.args[1], c.args[2], 0), None, None, None)),
    "scatter": (lambda a, k: "ScatterBackward0" if isinstance(a[3] if len(a) > 3 else None, lg.Tensor)
                else "ScatterBackward1",
                lambda c, g: _scatter_grad(c, g)),
    "scatter_add": ("ScatterAddBackward0", lambda c, g: (g, None, None, _scattered_grad(c, g))),
    "scatter_reduce": ("ScatterReduceBackward0", lambda c, g: _scatter_reduce(c, g)),
    "bincount": ("NotImplemented", lambda c, g: _not_implemented("bincount")),
    "linalg_ldl_factor": ("NotImplemented", lambda c, *g: _not_implemented("linalg_ldl_factor_ex")),
    "linalg_ldl_factor_ex": ("NotImplemented", lambda c, *g: _not_implemented("linalg_ldl_factor_ex")),
    "linalg_ldl_solve": ("NotImplemented", lambda c, g: _not_implemented("linalg_ldl_solve")),
    "ctc_loss": ("CtcLossBackward0", lambda c, g_nll, g_alpha: _ctc_loss(c, g_nll)),
    "ctc_loss_backward": ("CtcLossBackwardBackward0", lambda c, g: _not_implemented("_ctc_loss_backward")),
    "index_copy": ("IndexCopyBackward0", lambda c, g: (
        g.index_fill(c.args[1], c.args[2], 0), None, None,
        g.index_select(c.args[1], c.args[2]).reshape(_kw(c, "source", 3, None).shape))),
    "masked_scatter": ("MaskedScatterBackward0", lambda c, g: (
        g.masked_fill(c.args[1], 0), None, _masked_scatter_source(c, g))),
    "put": ("PutBackward0", lambda c, g: (
        g if _kw(c, "accumulate", 3, False) else g.put(c.args[1], lg.zeros_like(_kw(c, "source", 2, None))), None,
        g.take(c.args[1]).reshape(_kw(c, "source", 2, None).shape), None)),
    "index_reduce": ("IndexReduceBackward0", lambda c, g: _index_reduce(c, g)),
    "index_add": ("IndexAddBackward0", lambda c, g: (g, None, None,
                                                     g.index_select(c.args[1], c.args[2]) * c.kwargs.get("alpha", 1))),
    "index_put": ("IndexPutBackward0", lambda c, g: (_index_put_grad(c, g), None, g[c.args[1]], None)),
    # more elementwise functions (lazygrad/pointwise.py)
    "acosh": ("AcoshBackward0", _acosh), "asinh": ("AsinhBackward0", _asinh), "atanh": ("AtanhBackward0", _atanh),
    # torch records their in-place forms under other names, with no derivative
    **{f"{op}_": (f"{op.capitalize()}Backward1", _inplace_not_implemented(op)) for op in ("acosh", "asinh", "atanh")},
    "deg2rad": ("Deg2RadBackward0", lambda c, g: (g * (math.pi / 180),)),
    "rad2deg": ("Rad2DegBackward0", lambda c, g: (g * (180 / math.pi),)),
    "frac": ("FracBackward0", lambda c, g: (g,)),
    "erfc": ("ErfcBackward0", lambda c, g: (g * (-2 / math.sqrt(math.pi)) * lg.exp(-(c.args[0] ** 2)),)),
    "logit": ("LogitBackward0", _logit),
    "sinc": ("SincBackward0", _sinc),
    "sgn": ("SgnBackward0", lambda c, g: (_sgn(c, g),)),
    "hypot": ("HypotBackward0", lambda c, g: (g * c.args[0] / c.out, g * c.args[1] / c.out)),
    "logaddexp": ("LogaddexpBackward0", lambda c, g: (g / (1 + lg.exp(c.args[1] - c.args[0])),
                                                      g / (1 + lg.exp(c.args[0] - c.args[1])))),
    "logaddexp2": ("Logaddexp2Backward0", lambda c, g: (g / (1 + lg.exp2(c.args[1] - c.args[0])),
                                                        g / (1 + lg.exp2(c.args[0] - c.args[1])))),
    "xlogy": (_xlogy_name, _xlogy),
    "copysign": (lambda a, k: "CopysignBackward0" if isinstance(a[1], lg.Tensor) else "CopysignBackward1",
                 _copysign),
    "heaviside": ("NotImplemented", lambda c, g: _not_implemented("heaviside")),
    "fmax": ("FmaxBackward0", lambda c, g: _nan_ignoring(c, g, True)),
    "fmin": ("FminBackward0", lambda c, g: _nan_ignoring(c, g, False)),
    "nansum": ("NansumBackward0", lambda c, g: (lg.where(lg.isnan(c.args[0]), lg.zeros((), dtype=g.dtype),
                                                         _expand_back(g, c)),)),
    # shapes, triangles and diagonals
    "roll": ("RollBackward0", _roll),
    "rot90": ("Rot90Backward0", lambda c, g: (g.rot90(-_kw(c, "k", 1, 1), _kw(c, "dims", 2, (0, 1))),)),
    "tril": ("TrilBackward0", lambda c, g: (g.tril(_kw(c, "diagonal", 1, 0)),)),
    "triu": ("TriuBackward0", lambda c, g: (g.triu(_kw(c, "diagonal", 1, 0)),)),
    "diag_embed": ("DiagEmbedBackward0", lambda c, g: (g.diagonal(_kw(c, "offset", 1, 0), _kw(c, "dim1", 2, -2),
                                                                  _kw(c, "dim2", 3, -1)),)),
    "diagonal_copy": ("DiagonalBackward0_copy", _diagonal),
    "trace": ("TraceBackward0", lambda c, g: (g * lg.eye(*c.args[0].shape, dtype=g.dtype, device=g.device),)),
    "block_diag": ("BlockDiagBackward0", _block_diag),
    # more products
    "addmm": ("AddmmBackward0", lambda c, g: _added_product(c, g, _product_grads)),
    "addmv": ("AddmvBackward0", lambda c, g: _added_product(c, g, lambda m, v, g, _: (lg.outer(g, v), m.t() @ g))),
    "addbmm": ("AddbmmBackward0", lambda c, g: _added_product(c, g, _addbmm_grads)),
    "baddbmm": ("BaddbmmBackward0", lambda c, g: _added_product(c, g, _product_grads)),
    "addr": ("AddrBackward0", lambda c, g: _added_product(c, g, lambda v1, v2, g, _: (g @ v2, g.t() @ v1))),
    "_unsafe_view": ("UnsafeViewBackward0", lambda c, g: (g.reshape(c.args[0].shape), None)),
    "cross": ("LinalgCrossBackward0", _cross),
    "cdist": ("CdistBackward0", _cdist),
    "dist": ("DistBackward0", _dist),
    # sampling
    "normal": (_normal_name, _zeros_for_tensors),
    "bernoulli": (lambda a, k: "BernoulliBackward0" if (a[1] if len(a) > 1 else k.get("p")) is None
                  else "NotImplemented", _bernoulli),
    "bernoulli_": (lambda a, k: "BernoulliBackward1" if isinstance(a[1] if len(a) > 1 else k.get("p"), lg.Tensor)
                   else "BernoulliBackward2", _zeros_for_tensors),
    "exponential_": ("ExponentialBackward0", ZERO_GRAD), "geometric_": ("GeometricBackward0", ZERO_GRAD),
    "log_normal_": ("LogNormalBackward0", ZERO_GRAD), "cauchy_": ("CauchyBackward0", ZERO_GRAD),
    "random_": (_random_name, ZERO_GRAD),
    "_standard_gamma": ("StandardGammaBackward0",
                        lambda c, g: (g * lg._standard_gamma_grad(c.args[0], c.out), None)),
    "_standard_gamma_grad": ("NotImplemented", lambda c, g: _not_implemented("_standard_gamma_grad")),
    "_sample_dirichlet": ("NotImplemented", lambda c, g: _not_implemented("_sample_dirichlet")),
    "poisson": ("PoissonBackward0", lambda c, g: (lg.zeros_like(c.args[0]), None)),
    "binomial": ("NotImplemented", lambda c, g: _not_implemented("binomial")),
    # in-place comparisons write 0 or 1: zero gradients
    **{f"{op}_": (_compare_name(op), lambda c, g: (lg.zeros_like(g), lg.zeros_like(c.args[1])
                                                   if isinstance(c.args[1], lg.Tensor) else None))
       for op in ("eq", "ne", "lt", "le", "gt", "ge")},
    # scans (lazygrad/scans.py)
    "cummax": ("CummaxBackward0", _cumulative_extreme),
    "cummin": ("CumminBackward0", _cumulative_extreme),
    "logcumsumexp": ("LogcumsumexpBackward0", _logcumsumexp),
    "aminmax": ("AminmaxBackward0", _aminmax),
    "renorm": ("RenormBackward0", _renorm),
    # views written into copies, and more views (lazygrad/scatters.py, movement.py, shapes.py)
    "select_scatter": ("SelectScatterBackward0", lambda c, g: (
        g.select_scatter(_zeros_of(c.args[1], g), c.args[2], c.args[3]), g.select(c.args[2], c.args[3]), None, None)),
    "slice_scatter": ("SliceScatterBackward0", lambda c, g: (
        lg.slice_scatter(g, _zeros_of(c.args[1], g), *c.args[2:], **c.kwargs), _sliced(c, g))),
    "diagonal_scatter": ("DiagonalScatterBackward0", lambda c, g: (
        lg.diagonal_scatter(g, _zeros_of(c.args[1], g), *c.args[2:], **c.kwargs),
        g.diagonal(_kw(c, "offset", 2, 0), _kw(c, "dim1", 3, 0), _kw(c, "dim2", 4, 1)))),
    "as_strided_scatter": ("AsStridedScatterBackward0", _as_strided_scatter),
    "unfold": ("UnfoldBackward0", _unfold),
    "narrow_copy": ("NarrowCopyBackward0", lambda c, g: (_narrowed(c, g),)),
    "split_with_sizes": ("SplitWithSizesBackward0", _split),
    "unsafe_split": ("UnsafeSplitBackward0", _split),
    # special functions (lazygrad/special_functions.py)
    "lgamma": ("LgammaBackward0", lambda c, g: (g * _special("digamma")(c.args[0]),)),
    "digamma": ("DigammaBackward0", lambda c, g: (g * _special("polygamma")(1, c.args[0]),)),
    "polygamma": ("PolygammaBackward0", lambda c, g: (None, g * _special("polygamma")(c.args[0] + 1, c.args[1]))),
    "polygamma_": ("PolygammaBackward1", lambda c, g: (g * _special("polygamma")(c.args[1] + 1, c.args[0]), None)),
    "mvlgamma": ("MvlgammaBackward0", _mvlgamma),
    "erfinv": ("ErfinvBackward0", lambda c, g: (g * (math.sqrt(math.pi) / 2) * lg.exp(c.out * c.out),)),
    "i0": ("I0Backward0", lambda c, g: (g * _special("i1")(c.args[0]),)),
    "special_i1": ("SpecialI1Backward0", _i1),
    "special_i0e": ("SpecialI0EBackward0", lambda c, g: (g * (_special("i1e")(c.args[0]) - c.args[0].sign()
                                                               * _special("i0e")(c.args[0])),)),
    "special_i1e": ("SpecialI1EBackward0", _i1e),
    "special_erfcx": ("SpecialErfcxBackward0", lambda c, g: (g * (2 * c.args[0] * c.out - 2 / math.sqrt(math.pi)),)),
    "special_xlog1py": ("SpecialXlog1PyBackward0", _xlog1py),
    "special_zeta": (_zeta_name, _zeta),
    "igamma": ("IgammaBackward0", _incomplete_gamma(1)),
    "igammac": ("IgammacBackward0", _incomplete_gamma(-1)),
    "special_ndtr": ("MulBackward1", lambda c, g: (g * lg.exp(c.args[0] * c.args[0] * -0.5) / _SQRT_2PI,)),
    "special_ndtri": ("SpecialNdtriBackward0", lambda c, g: (g * _SQRT_2PI * lg.exp(c.out * c.out * 0.5),)),
    "special_log_ndtr": ("SpecialLogNdtrBackward0", lambda c, g: (
        g * lg.exp(c.args[0] * c.args[0] * -0.5 - c.out) / _SQRT_2PI,)),
    "special_entr": ("SpecialEntrBackward0", lambda c, g: (-g * (lg.log(c.args[0]) + 1),)),
    # nn.functional (formulas next to their ops)
    "constant_pad_nd": ("ConstantPadNdBackward0", lambda c, g: _nn("padding").constant_pad_backward(c, g)),
    "convolution": ("ConvolutionBackward0", lambda c, g: _nn("convolution").convolution_backward(c, g)),
    "max_pool": ("MaxPoolBackward0", lambda c, g: _nn("pooling").max_pool_backward(c, g)),
    # complex numbers: a real gradient g of a complex input x + iy stands for dL/dx + i dL/dy
    "real_part": ("RealBackward0", lambda c, g: (g.to(c.args[0].dtype),)),
    "imag_part": ("ImagBackward0", lambda c, g: (lg.complex(lg.zeros_like(g), g),)),
    "complex": ("ComplexBackward0", lambda c, g: (_complex().real_part(g), _complex().imag_part(g))),
    "view_as_real": ("ViewAsRealBackward0", lambda c, g: (lg.complex(g[..., 0], g[..., 1]),)),
    "view_as_complex": ("ViewAsComplexBackward0",
                        lambda c, g: (lg.stack([_complex().real_part(g), _complex().imag_part(g)], -1),)),
    "conj": ("ConjBackward0", lambda c, g: (lg.conj(g),)),
    "conj_physical": ("ConjPhysicalBackward0", lambda c, g: (lg.conj_physical(g),)),
}

# Formulas above are written for real values. For a holomorphic op (and any op made of +, *, / and
# analytic functions) torch's complex gradient is the conjugate of the same formula applied to the
# conjugated output gradient: g * conj(f'(z)). The engine applies that rule to every op touching
# complex values except these, whose formulas already give torch's complex gradients.
COMPLEX_AWARE = frozenset({"abs", "real_part", "imag_part", "complex", "view_as_real", "view_as_complex", "conj",
                           "conj_physical", "var", "std", "sgn", "linalg_vector_norm", "linalg_eig", "linalg_cholesky",
                           "linalg_cholesky_ex", "linalg_qr", "linalg_eigh", "linalg_eigvalsh", "linalg_svd",
                           "linalg_svdvals", "linalg_lu", "linalg_lu_factor", "linalg_lu_factor_ex",
                           "linalg_slogdet", "linalg_pinv"})

# What each formula reads beyond shapes (torch's saved variables), for the version check: every input
# by default; these formulas read none of their inputs' values, and the second set reads the result.
READS_NO_INPUT = frozenset({
    "add", "sub", "rsub", "neg", "where", "exp", "exp2", "expm1", "sqrt", "rsqrt", "reciprocal", "tan", "tanh",
    "sigmoid", "relu", "sign", "floor", "ceil", "round", "trunc", "to", "sum", "mean", "cumsum", "view",
    "reshape", "_unsafe_view", "flatten", "unflatten", "squeeze", "unsqueeze", "permute", "transpose", "t", "T",
    "expand",
    "flip", "clone", "contiguous", "repeat", "cat", "stack", "split", "unbind", "getitem", "diagonal", "narrow",
    "select",
    "embed", "as_strided", "strided_scatter", "copy_slices", "copy_", "fill_", "setitem_fill", "zero_", "uniform_",
    "normal_",
    "masked_fill", "index_fill", "index_put", "softmax", "log_softmax", "scatter", "scatter_add", "index_add",
    "index_select", "index_copy", "put", "masked_scatter", "deg2rad", "rad2deg", "frac", "heaviside", "roll",
    "rot90", "tril", "triu", "diag_embed", "diagonal_copy", "trace", "block_diag", "normal", "bernoulli",
    "bernoulli_", "exponential_", "geometric_", "log_normal_", "cauchy_", "random_", "eq_", "ne_", "lt_", "le_", "gt_",
    "ge_", "select_scatter", "slice_scatter", "diagonal_scatter", "as_strided_scatter", "unfold", "narrow_copy",
    "split_with_sizes", "unsafe_split", "erfinv", "special_ndtri", "constant_pad_nd", "poisson"})
# for these, which inputs each input's gradient reads (so only what a needed gradient reads is watched)
_PRODUCT = ((1,), (0,))
READS_FOR_GRAD = {"mul": _PRODUCT, "div": ((1,), (0, 1)), "dot": _PRODUCT, "mv": _PRODUCT, "mm": _PRODUCT,
                  "bmm": _PRODUCT, "matmul": _PRODUCT, "outer": _PRODUCT, "lerp": ((2,), (2,), (0, 1)),
                  "addcmul": ((), (2,), (1,)), "addcdiv": ((), (2,), (1, 2)), "cross": _PRODUCT,
                  **dict.fromkeys(("addmm", "addmv", "addbmm", "baddbmm", "addr"), ((), (2,), (1,)))}
READS_RESULT = frozenset({"_standard_gamma", "sgn", "softmax", "log_softmax", "exp", "exp2", "expm1", "sqrt", "rsqrt", "reciprocal", "tan", "tanh",
                          "sigmoid", "relu", "hypot", "copysign", "cdist", "dist", "logcumsumexp", "erfinv",
                          "special_ndtri", "special_log_ndtr"}) | LINALG_READS_RESULT
DERIVATIVES.update(LINALG_DERIVATIVES)

# What a node lists as next_functions. torch lists the op's differentiable tensor parameters; a formula
# here takes every positional argument, so a node lists the floating and complex tensors among them, and:
# - an integer or bool tensor operand of these pointwise ops (torch differentiates every operand of theirs)
ANY_DTYPE_OPERANDS = frozenset({
    "add", "sub", "mul", "div", "where", "maximum", "minimum", "fmax", "fmin", "atan2", "pow", "hypot", "copysign",
    "xlogy", "special_xlog1py", "special_zeta", "igamma", "igammac", "remainder", "fmod", "lerp", "addcmul",
    "addcdiv", "clamp", "clamp_min", "clamp_max", "logaddexp", "logaddexp2", "heaviside"})
# - a Python number in these positions, which torch takes as a tensor operand (`x + 2`: AddBackward0 lists 2)
WRAPPED_NUMBERS = {"add": (1,), "sub": (1,), "mul": (1,), "div": (1,), "where": (1, 2), "setitem_fill": (1,),
                   "index_put": (2,)}
# - not a tensor in these positions, which torch's schema does not differentiate (a condition)
NOT_LISTED = {"where": (0,)}
# - an optional tensor parameter left out (None): listed all the same
OPTIONAL_TENSORS = {"convolution": (2,)}
# - ... or listed when the call takes the overload with tensors (a tensor in one of the positions)
TENSOR_OVERLOADS = {"clamp": (1, 2)}


def _as_strided(c, g):
    from .embed import strided_grad
    x, size, stride = c.args[0], c.args[1], c.args[2]
    offset = c.args[3] if len(c.args) > 3 and c.args[3] is not None else x.storage_offset()
    return strided_grad(g, x.shape, x.stride(), x.storage_offset(), tuple(size), tuple(stride), offset)


def _slice_inverse(c, g):
    """input's storage seen through src's geometry: as_strided's gradient with src's sizes and strides."""
    from .embed import strided_grad
    x, src = c.args[0], c.args[1]
    return strided_grad(g, x.shape, x.stride(), x.storage_offset(), tuple(src.shape), src.stride(), src.storage_offset())


def _read_strided(g, c):
    from .embed import read_strided
    src = c.args[0]
    return read_strided(g, src.shape, c.args[2], c.args[3])


def _softmax_dim(c) -> int:
    return _kw(c, "dim", 1, 0) % max(c.args[0].ndim, 1)


def _softmax_grad(c, g):
    y = c.out
    grad = y * (g - (g * y).sum(_softmax_dim(c), keepdim=True)) if y.ndim else g * 0
    return grad.to(c.args[0].dtype)


def _atan2_grads(y, x, g):
    """torch's: g * x / (y^2 + x^2) and -g * y / (y^2 + x^2), through the reciprocal of the sum of squares."""
    reciprocal = lg.reciprocal(y * y + x * x)
    return g * x * reciprocal, g * -y * reciprocal


def _log_softmax_grad(c, g):
    grad = g - lg.exp(c.out) * g.sum(_softmax_dim(c), keepdim=True) if c.out.ndim else g * 0
    return grad.to(c.args[0].dtype)


def _scattered_grad(c, g):
    """The gradient of scatter's src: g where each element went; zero for the part of src the index
    does not reach (torch refuses a src larger than the index here; its gradient is still defined)."""
    from .embed import embed
    src, index = c.args[3], c.args[2]
    picked = g.gather(c.args[1], index)
    if picked.shape == src.shape:
        return picked
    return embed(picked, src.shape, tuple(slice(0, n) for n in index.shape))


def _reduced_grads(x, dim, index, src, reduce: str, include_self: bool, out, g):
    """The gradients of x.scatter_reduce(dim, index, src, reduce, include_self) for x and for src (at
    index's shape), as torch defines them: a product's without dividing by its zeros, a max's or min's
    shared evenly between the elements equal to the result."""
    if reduce == "sum":
        gx, gsrc = g, g.gather(dim, index)
    elif reduce == "mean":
        count = lg.full(x.shape, float(include_self), dtype=g.dtype, device=g.device)
        count = count.scatter_add(dim, index, lg.ones(index.shape, dtype=g.dtype, device=g.device))
        gx = g / lg.where(count == 0, lg.ones((), dtype=g.dtype), count)
        gsrc = gx.gather(dim, index)
    elif reduce == "prod":
        ones = lg.ones((), dtype=x.dtype, device=x.device)
        x_nonzero = lg.where(x == 0, ones, x)
        gx = g * x_nonzero.scatter_reduce(dim, index, src, "prod", include_self=include_self) / x_nonzero
        src_zero = src == 0
        zeros_there = lg.zeros(x.shape, dtype=g.dtype, device=g.device).scatter_add(dim, index, src_zero.to(g.dtype))
        single_zero = src_zero & (zeros_there.gather(dim, index) == 1)
        others = x.scatter_reduce(dim, index, lg.where(single_zero, ones, src), "prod", include_self=include_self)
        gsrc = lg.where(single_zero, (g * others).gather(dim, index),
                        (g * out).gather(dim, index) / lg.where(src_zero, ones, src))
    else:  # amax, amin (and their max, min spellings)
        value = out.gather(dim, index)
        x_is, src_is = (x == out).to(g.dtype), (src == value).to(g.dtype)
        share = g / x_is.scatter_add(dim, index, src_is)  # (torch counts x's ties even without include_self)
        gx, gsrc = x_is * share, src_is * share.gather(dim, index)
    if not include_self:
        gx = gx.scatter(dim, index, 0.0)
    return gx, gsrc


def _masked_scatter_source(c, g):
    """g where mask is True, in order, at the front of source's shape; zeros after."""
    source = c.args[2]
    picked = g[c.args[1].expand(g.shape)]
    flat = lg.zeros(source.numel(), dtype=g.dtype, device=g.device)
    return lg.cat([picked, flat[picked.numel():]]).reshape(source.shape)


def _ctc_loss(c, g):
    """torch's CTC gradient for log_probs (the lengths and targets get none)."""
    from ..nn.functional.losses import ctc_loss_backward
    log_probs, targets, input_lengths, target_lengths, blank, zero_infinity, _ = c.args
    nll, alpha = c.out
    return (ctc_loss_backward(g, log_probs, targets, input_lengths, target_lengths, nll, alpha, blank, zero_infinity),
            None, None, None, None, None, None)


def _not_implemented(op: str):
    raise RuntimeError(f"derivative for aten::{op} is not implemented")


def _scatter_grad(c, g):
    if c.kwargs.get("reduce") is not None:
        _not_implemented("scatter")
    return (lg.scatter(g, c.args[1], c.args[2], value=0), None, None,
            _scattered_grad(c, g) if len(c.args) > 3 and isinstance(c.args[3], lg.Tensor) else None)


def _scatter_reduce(c, g):
    from .embed import embed
    x, dim, index, src, reduce = (_kw(c, name, k, None) for k, name in enumerate(("input", "dim", "index", "src",
                                                                                 "reduce")))
    gx, gsrc = _reduced_grads(x, dim, index, src[tuple(slice(0, n) for n in index.shape)], reduce,
                              c.kwargs.get("include_self", True), c.out, g)
    if gsrc.shape != src.shape:
        gsrc = embed(gsrc, src.shape, tuple(slice(0, n) for n in index.shape))
    return gx, None, None, gsrc, None


def _index_reduce(c, g):
    """index_reduce is a scatter_reduce whose index repeats index[i] across each slice of source."""
    x, dim, index, source, reduce = (_kw(c, name, k, None) for k, name in enumerate(("input", "dim", "index",
                                                                                    "source", "reduce")))
    d = dim % max(x.ndim, 1)
    shape = [1] * source.ndim
    if source.ndim:
        shape[d] = -1
    full = index.reshape(shape).expand(source.shape) if source.ndim else index.reshape(())
    gx, gsrc = _reduced_grads(x, d, full, source, reduce, c.kwargs.get("include_self", True), c.out, g)
    return gx, None, None, gsrc, None


def _index_put_grad(c, g):
    from ..indexing import index_put
    return g if _kw(c, "accumulate", 3, False) else index_put(g, c.args[1], 0)


def _copy_slices(c, g):
    """A write of `value` through a view of a base: the base's old elements there get no gradient,
    the value gets the gradient at the view's positions."""
    from .embed import strided_grad
    base_layout, view = c.args[2], c.args[3]
    region = strided_grad(lg.ones(view[0], dtype=g.dtype, device=g.device), *base_layout, *view) != 0
    grad_base = lg.where(region, lg.zeros((), dtype=g.dtype), g)
    grad_value = _at_view(g, base_layout, view) if c.needs_input_grad[1] else None
    return grad_base, grad_value, None, None


def _at_view(g, base_layout, view):
    """g (shaped like the base) read at the view's storage positions."""
    from .embed import memory_order, positions_grad, read_strided, to_memory
    shape, strides, offset = base_layout
    order = memory_order(shape, strides)
    if order is not None:
        return read_strided(to_memory(g, order), view[0], view[1], view[2] - offset)
    return positions_grad(g, *view, shape, strides, offset)


def _embed_along(g, c, item):
    from .embed import embed
    x, dim = c.args[0], c.args[1] % c.args[0].ndim
    return embed(g, x.shape, (slice(None),) * dim + (item,))


def _advanced(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, (lg.Tensor, list, bool)) for i in items)


_SINGLE_INDEX_NODES = {type(None): "UnsqueezeBackward0", type(Ellipsis): "AliasBackward0", slice: "SliceBackward0"}


def _getitem_name(x, index) -> str:
    """torch's node for an indexing: IndexBackward0 for advanced indices, else that of the last op the
    indices apply (select, slice, unsqueeze): a lone index always applies its op, while in a tuple a slice
    of the whole dim applies none; where nothing is applied the result is an alias."""
    if _advanced(index):
        return "IndexBackward0"
    if not isinstance(index, tuple):
        return _SINGLE_INDEX_NODES.get(type(index), "SelectBackward0")
    consuming = sum(1 for i in index if i is not None and i is not Ellipsis)
    dim, last = 0, "AliasBackward0"
    for i in index:
        if i is None:
            last = "UnsqueezeBackward0"
        elif i is Ellipsis:
            dim += x.ndim - consuming
        else:
            if not isinstance(i, slice):
                last = "SelectBackward0"
            elif i.indices(x.shape[dim]) != (0, x.shape[dim], 1):
                last = "SliceBackward0"
            dim += 1
    return last


def _kw_of(args, kwargs, name: str, pos: int, default):
    return kwargs.get(name, args[pos] if len(args) > pos else default)


def _reshape_name(x, shape) -> str:
    """A reshape that views x is ViewBackward0; one that copies is torch's _unsafe_view of the copy."""
    from ..movement import _sizes, infer_shape
    from ..view import reshape_strides
    new = infer_shape(_sizes(tuple(shape), "reshape", "shape"), x.numel())
    return "ViewBackward0" if reshape_strides(tuple(x.shape), x.stride(), new) is not None else "UnsafeViewBackward0"


def _flattened(x, start: int, end: int) -> tuple[int, ...]:
    if x.ndim == 0:
        return (1,)
    start, end = start % x.ndim, end % x.ndim
    return (*x.shape[:start], math.prod(x.shape[start:end + 1]), *x.shape[end + 1:])


def _squeeze_name(dim) -> str:
    """squeeze() is SqueezeBackward0, squeeze(dim) SqueezeBackward1, squeeze(dims) SqueezeBackward2."""
    return "SqueezeBackward0" if dim is None else "SqueezeBackward1" if isinstance(dim, int) else "SqueezeBackward2"
