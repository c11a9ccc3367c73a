"""Convolutions as matrix multiplies over a strided window view of the padded input.

The padded input is stored once (a masked read is not a plain operand), its windows are an
`as_strided` view, and the sum over channels and kernel offsets is one batched product that
lowers to the tiled matrix-multiply kernel. `convolution` is one differentiable op (torch's
ConvolutionBackward0); its gradients are convolutions again (the input's a transposed one, the
weight's one with stride and dilation swapped), so derivatives of any order stay on the same
kernels. A transposed convolution is a convolution of the input spread out with zeros.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from ... import graph
from ...autograd.record import differentiable
from ...movement import in_format_of
from ...ops import Op
from ...schedule import is_stored
from ...tensor import Tensor
from ...dtypes import C_NAMES, float32, torch_name
from ...tensor_parameters import tensor_parameters
from ...threads import get_num_threads
from .padding import constant_pad_nd
from ...autograd.composite import recorded_as
from ...amp.autocast_mode import autocast_op

__all__ = ["convolution", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "conv_tbc"]

IntOrTuple = int | Sequence[int]


def stored(t: Tensor) -> Tensor:
    """t as plain loads from memory (a strided window view reads memory, and the tiled matrix multiply
    packs an operand fastest from one load): t itself when it is a view of stored values or of a COPY,
    else a COPY of t, which the scheduler computes into a buffer of its own."""
    node = t.lazy
    seen = node
    while seen.op is Op.VIEW and seen.arg.mask is None:
        seen = seen.srcs[0]
    if is_stored(seen) or seen.op is Op.COPY:
        return t
    return Tensor._from_node(graph.barrier(node), t._storage.device)


def _flat_pads(pairs: Sequence[tuple[int, int]]) -> list[int]:
    """(before, after) per spatial dim as constant_pad_nd's last-dim-first list."""
    return [p for pair in reversed(pairs) for p in pair]


def windows(x: Tensor, kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int]) -> Tensor:
    """(B, C, *kernel, *out): every window of the stored (B, C, *spatial) x as a view."""
    x = stored(x)
    spatial = x.shape[2:]
    out = [(n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(spatial, kernel, stride, dilation)]
    st = x.stride()
    sizes = list(x.shape[:2]) + list(kernel) + out
    steps = list(st[:2]) + [d * t for d, t in zip(dilation, st[2:])] + [s * t for s, t in zip(stride, st[2:])]
    return x.as_strided(sizes, steps, x.storage_offset())


def _forward(x: Tensor, w: Tensor, stride, pads, dilation, groups: int) -> Tensor:
    """The (not transposed) convolution of x (B, C, *S) with w (O, C/groups, *K) over x padded by pads."""
    b, c = x.shape[:2]
    o, kernel = w.shape[0], w.shape[2:]
    win = windows(constant_pad_nd(x, _flat_pads(pads)), kernel, stride, dilation)
    out = win.shape[2 + len(kernel):]
    cols = win.reshape(b, groups, (c // groups) * math.prod(kernel), math.prod(out))
    return (stored(w).reshape(groups, o // groups, -1) @ cols).reshape(b, o, *out)


def _spread(x: Tensor, stride: Sequence[int]) -> Tensor:
    """x with stride - 1 zeros between neighbours along each spatial dim (a pad of a new unit dim)."""
    for i, s in enumerate(stride):
        d = 2 + i
        shape = list(x.shape)
        if s == 1 or shape[d] == 0:
            continue
        x = constant_pad_nd(x.unsqueeze(d + 1), [0, 0] * (x.ndim - d - 1) + [0, s - 1])
        x = x.reshape(shape[:d] + [shape[d] * s] + shape[d + 1:]).narrow(d, 0, (shape[d] - 1) * s + 1)
    return x


def _transposed(x: Tensor, w: Tensor, stride, padding, output_padding, dilation, groups: int) -> Tensor:
    """The transposed convolution: x spread by stride, padded by d(k-1)-p (plus output_padding after),
    convolved with w's channels swapped within each group and its kernel flipped."""
    cin, og, kernel = w.shape[0], w.shape[1], w.shape[2:]
    n = len(kernel)
    flipped = (w.reshape(groups, cin // groups, og, *kernel).transpose(1, 2)
               .reshape(groups * og, cin // groups, *kernel).flip(list(range(2, 2 + n))))
    pads = [(d * (k - 1) - p, d * (k - 1) - p + q) for k, p, q, d in zip(kernel, padding, output_padding, dilation)]
    return _forward(_spread(x, stride), flipped, [1] * n, pads, dilation, groups)


@tensor_parameters("input", "weight")
@differentiable("convolution")
def convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Sequence[int], padding: Sequence[int],
                dilation: Sequence[int], transposed: bool, output_padding: Sequence[int], groups: int) -> Tensor:
    """torch.convolution on batched input (B, C, *spatial), every option given per spatial dim."""
    if transposed:
        out = _transposed(input, weight, stride, padding, output_padding, dilation, groups)
    else:
        out = _forward(input, weight, stride, [(p, p) for p in padding], dilation, groups)
    if bias is not None:
        out = out + bias.reshape([-1] + [1] * (out.ndim - 2))
    return in_format_of(out, input, weight)


def _weight_grad(x: Tensor, gout: Tensor, kernel: Sequence[int], stride, padding, dilation, groups: int) -> Tensor:
    """d(conv(x, w))/dw against gout, (O, C/groups, *kernel): per group, gout's channels times x's windows
    summed over the batch and the output positions, as one matrix multiply (O/g x B*P) @ (B*P x C/g*K)."""
    b, c = x.shape[:2]
    o, n = gout.shape[1], len(kernel)
    win = windows(constant_pad_nd(x, _flat_pads([(p, p) for p in padding])), kernel, stride, dilation)
    for i, size in enumerate(gout.shape[2:]):
        win = win.narrow(2 + n + i, 0, size)
    positions, taps = math.prod(gout.shape[2:]), (c // groups) * math.prod(kernel)
    cols = win.reshape(b, groups, taps, positions).permute(1, 0, 3, 2).reshape(groups, b * positions, taps)
    gs = stored(gout).reshape(b, groups, o // groups, positions).permute(1, 2, 0, 3)
    return (stored(gs.reshape(groups, o // groups, b * positions)) @ cols).reshape(o, c // groups, *kernel)


def convolution_backward(c, g: Tensor) -> tuple:
    """ConvolutionBackward0: the input's gradient is the adjoint convolution of g, the weight's a
    convolution of input and g, the bias's g summed over all but its channels; each only where its
    input requires it (a network's first layer builds no gradient of the images)."""
    x, w, bias, stride, padding, dilation, transposed, output_padding, groups = c.args
    need_x, need_w, need_b = c.needs_input_grad[:3]
    n = w.ndim - 2
    kernel = w.shape[2:]
    gx = gw = gb = None
    if transposed:
        if need_x:  # (an output padding past the stride adds positions no input reaches)
            gx = convolution(g, w, None, stride, padding, dilation, False, [0] * n, groups)
            for i in range(n):
                gx = gx.narrow(2 + i, 0, x.shape[2 + i])
        if need_w:
            gw = _weight_grad(g, x, kernel, stride, padding, dilation, groups)
    else:
        if need_x:
            extra = [x.shape[2 + i] - ((g.shape[2 + i] - 1) * stride[i] - 2 * padding[i]
                                       + dilation[i] * (kernel[i] - 1) + 1) for i in range(n)]
            gx = convolution(g, w, None, stride, padding, dilation, True, extra, groups)
        if need_w:
            gw = _weight_grad(x, g, kernel, stride, padding, dilation, groups)
    if bias is not None and need_b:
        gb = g.sum([0] + list(range(2, g.ndim)))
    return (gx, gw, gb, None, None, None, None, None, None)


def _as_op_dims(n: int, *values) -> list:
    """Each int value as n of them, as torch's binding of an n-d convolution gives its sizes (the weight's
    dims then decide whether they fit)."""
    return [[v] * n if isinstance(v, int) else v for v in values]


def _per_dim(value: IntOrTuple, n: int, name: str) -> list[int]:
    """An int or a per-dim sequence as n ints, with torch's error for a wrong length."""
    values = [int(value)] if isinstance(value, int) else [int(v) for v in value]
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the "
                           f"convolution dimensions, but got {name}={values}")
    return values


def _uses_mkldnn(x: Tensor, w: Tensor, stride, dilation, groups: int, output_padding: Sequence[int] = ()) -> bool:
    """torch's choice of its oneDNN kernel for a float32 convolution, whose errors are worded apart: a
    batch of more than one, large kernels, grouped or large inputs (its heuristic, on several threads), not
    for a transposed one with an output padding as large as the stride."""
    if x.dtype is not float32 or any(q >= s for q, s in zip(output_padding, stride)):
        return False
    kernel = (list(w.shape[2:]) + [1, 1])[:2] if w.ndim > 3 else [w.shape[-1], 1]
    strided = any(s != 1 for s in stride) or any(d != 1 for d in dilation)
    worth_it = strided or x.shape[0] >= 16 or kernel != [1, 1] or get_num_threads() > 1
    return worth_it and (groups > 1 or min(kernel) > 3 or x.shape[0] > 1 or math.prod(x.shape[:4]) > 20480)


def _check_dtypes(x: Tensor, w: Tensor, bias, stride, dilation, groups: int, transposed: bool,
                  output_padding: Sequence[int] = ()) -> None:
    """torch's errors for a weight or bias of another dtype than the input, in its kernel's words (a transposed
    convolution's own kernel takes a bias of any dtype)."""
    if not transposed and bias is not None and bias.dtype is not x.dtype:
        raise RuntimeError(f"Input type ({C_NAMES[x.dtype.name]}) and bias type ({C_NAMES[bias.dtype.name]}) should be "
                           "the same")
    if _uses_mkldnn(x, w, stride, dilation, groups, output_padding):
        for name, t in (("weight", w), ("bias", bias)):
            if t is not None and t.dtype is not x.dtype:
                raise RuntimeError(f"Input type (lazygrad.{_legacy_name(x)}) and {name} type (lazygrad."
                                   f"{_legacy_name(t)}) should be the same or input should be a MKLDNN tensor and "
                                   f"{name} is a dense tensor")
        return
    if w.dtype is not x.dtype:
        raise RuntimeError(f"expected scalar type {torch_name(x.dtype)} but found {torch_name(w.dtype)}")


def _legacy_name(t: Tensor) -> str:
    return f"{torch_name(t.dtype)}Tensor"


def _check_shapes(x: Tensor, w: Tensor, bias, groups: int, transposed: bool) -> None:
    """torch's errors for channels, groups and bias that do not fit the weight."""
    where = "transposed=1, " if transposed else f"groups={groups}, "
    if w.ndim != x.ndim:
        raise RuntimeError(f"Expected {w.ndim}-dimensional input for {w.ndim}-dimensional weight {list(w.shape)}, but "
                           f"got {x.ndim}-dimensional input of size {list(x.shape)} instead")
    if not transposed and w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got "
                           f"weight of size [{list(w.shape)}] instead")
    channels = w.shape[0] if transposed else w.shape[1] * groups
    if x.shape[1] != channels:
        raise RuntimeError(f"Given {where}weight of size {list(w.shape)}, expected input{list(x.shape)} to have "
                           f"{channels} channels, but got {x.shape[1]} channels instead")
    outputs = w.shape[1] * groups if transposed else w.shape[0]
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != outputs):
        raise RuntimeError(f"Given {'transposed=1, ' if transposed else ''}weight of size {list(w.shape)}, expected bias "
                           f"to be 1-dimensional with {outputs} elements, but got bias of size {list(bias.shape)} "
                           "instead")


def _batched(input: Tensor, n: int, name: str) -> bool:
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, but got input of "
                           f"size: {list(input.shape)}")
    return input.ndim == n + 2


def _same_padding(x: Tensor, kernel, stride, dilation) -> tuple[Tensor, list[int]]:
    """padding='same': half the dilated kernel each side, the odd one extra after (padded into x)."""
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    extra = [t % 2 for t in totals]
    if any(extra):
        x = constant_pad_nd(x, _flat_pads([(0, e) for e in extra]))
    return x, [t // 2 for t in totals]


def _check_options(stride: Sequence[int], padding: Sequence[int], dilation: Sequence[int], groups: int,
                   transposed: bool = False) -> None:
    """torch's errors for strides, paddings, dilations and groups out of range."""
    for bad, message in ((any(s <= 0 for s in stride), "non-positive stride is not supported"),
                         (any(p < 0 for p in padding), "negative padding is not supported"),
                         (any(d <= 0 for d in dilation), _dilation_refusal(dilation, transposed)),
                         (groups <= 0, "non-positive groups is not supported")):
        if bad:
            raise RuntimeError(message)


def _dilation_refusal(dilation: Sequence[int], transposed: bool) -> str:
    """torch's words for a dilation below 1, as its kernels word them: the dilations named per axis by the
    transposed ones, listed by the others where one is 0 (a 1-d one as a 2-d one of height 1)."""
    shown = [1, *dilation] if len(dilation) == 1 else list(dilation)
    if transposed and len(shown) <= 3:
        axes = ("depth", "height", "width")[3 - len(shown):]
        return "dilation should be greater than zero, but got " + ", ".join(
            f"dilation_{a}: {d}" for a, d in zip(axes, shown))
    if any(d < 0 for d in dilation):
        return "dilation should be greater than zero"
    return f"dilation should be greater than zero, but got {shown}"


def _conv(name: str, n: int, input: Tensor, weight: Tensor, bias, stride, padding, dilation, groups: int) -> Tensor:
    batched = _batched(input, n, name)
    x = input if batched else input.unsqueeze(0)
    if isinstance(padding, str) and padding not in ("same", "valid"):
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    dims = weight.ndim - 2
    stride, dilation = _as_op_dims(n, stride, dilation)
    stride, dilation = _per_dim(stride, dims, "stride"), _per_dim(dilation, dims, "dilation")
    pads = ([0] * dims if padding == "valid" else padding if padding == "same" else
            _per_dim(_as_op_dims(n, padding)[0], dims, "padding"))
    _check_options(stride, [] if pads == "same" else pads, dilation, groups)
    _check_dtypes(x, weight, bias, stride, dilation, groups, False)
    _check_shapes(x, weight, bias, groups, False)
    if pads == "same":
        x, pads = _same_padding(x, weight.shape[2:], stride, dilation)
    padded = [s + 2 * p for s, p in zip(x.shape[2:], pads)]
    spans = [d * (k - 1) + 1 for k, d in zip(weight.shape[2:], dilation)]
    if any(s < k for s, k in zip(padded, spans)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, spans))}). Kernel size can't be greater than actual input size")
    out = convolution(x, weight, bias, stride, pads, dilation, False, [0] * dims, groups)
    return out if batched else out.squeeze(0)


def _conv_transpose(name: str, n: int, input: Tensor, weight: Tensor, bias, stride, padding, output_padding,
                    groups: int, dilation) -> Tensor:
    batched = _batched(input, n, name)
    x = input if batched else input.unsqueeze(0)
    dims = weight.ndim - 2
    stride, dilation, padding, output_padding = _as_op_dims(n, stride, dilation, padding, output_padding)
    stride, dilation = _per_dim(stride, dims, "stride"), _per_dim(dilation, dims, "dilation")
    padding, output_padding = _per_dim(padding, dims, "padding"), _per_dim(output_padding, dims, "output_padding")
    _check_options(stride, padding, dilation, groups, transposed=True)
    _check_dtypes(x, weight, bias, stride, dilation, groups, True, output_padding)
    bias = bias.to(x.dtype) if bias is not None else None
    _check_shapes(x, weight, bias, groups, True)
    if any(q >= s and q >= d for q, s, d in zip(output_padding, stride, dilation)):
        axes = ("depth", "height", "width")[3 - max(dims, 2):] if dims <= 3 else [str(i) for i in range(dims)]
        shown = [[h, *v] if dims == 1 else v  # (torch runs a 1-d one as a 2-d one of height 1)
                 for h, v in ((0, output_padding), (1, stride), (1, dilation))]
        parts = [" ".join(f"{what}_{a}: {v[i]}" for i, a in enumerate(axes))
                 for what, v in zip(("output_padding", "stride", "dilation"), shown)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got " + " ".join(parts))
    sizes = x.shape[2:]
    out_sizes = [(i - 1) * s - 2 * p + d * (k - 1) + q + 1 for i, s, p, d, k, q in
                 zip(sizes, stride, padding, dilation, weight.shape[2:], output_padding)]
    empty_allowed = _uses_mkldnn(x, weight, stride, dilation, groups, output_padding)  # (torch's oneDNN kernel's)
    if any(o < 0 or (o == 0 and not empty_allowed) for o in out_sizes):
        if dims == 1:  # (torch runs a 1-d one as a 2-d one of height 1)
            sizes, out_sizes = [1, *sizes], [1, *out_sizes]
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, sizes))}). Calculated output size per "
                           f"channel: ({' x '.join(map(str, out_sizes))}). Output size is too small")
    out = convolution(x, weight, bias, stride, padding, dilation, True, output_padding, groups)
    return out if batched else out.squeeze(0)


@tensor_parameters("input", "weight")
@autocast_op("conv1d")
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
           padding: IntOrTuple | str = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


@tensor_parameters("input", "weight")
@autocast_op("conv2d")
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
           padding: IntOrTuple | str = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@tensor_parameters("input", "weight")
@autocast_op("conv3d")
def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
           padding: IntOrTuple | str = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


_TBC_SHAPES = (  # torch's checks of conv_tbc's arguments, in its order
    (lambda x, w, b: x.dim() == 3, "Input must have 3 dims: time, batch, in_channel"),
    (lambda x, w, b: w.dim() == 3, "Weight tensor must have 3 dims: kernel_width, in_channels, out_channels."),
    (lambda x, w, b: b.dim() == 1, "Bias must be 1-D"),
    (lambda x, w, b: x.shape[2] == w.shape[1], "Input dim 2 (input channels) is not == dim 1 in the weight tensor"),
    (lambda x, w, b: w.shape[2] == b.shape[0],
     "Bias size must equal dim 2 in the weight tensor (output channels)."),
)


@tensor_parameters("input", "weight", "bias")
@autocast_op("conv_tbc")
@recorded_as("ConvTbcBackward0")
def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """A convolution over time of (time, batch, in_channels) input with a (kernel width, in_channels,
    out_channels) weight: conv1d on the transposed views, its result transposed back."""
    for holds, message in _TBC_SHAPES:
        if not holds(input, weight, bias):
            raise RuntimeError(message)
    out = conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return out.permute(2, 0, 1)


@tensor_parameters("input", "weight")
@autocast_op("conv_transpose1d")
def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


@tensor_parameters("input", "weight")
@autocast_op("conv_transpose2d")
def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


@tensor_parameters("input", "weight")
@autocast_op("conv_transpose3d")
def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)
