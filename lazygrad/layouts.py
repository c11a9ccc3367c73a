"""torch.layout and torch.memory_format values: the names code passes around (`layout=lg.strided`,
`memory_format=lg.contiguous_format`) and compares. Tensors are strided, or sparse_coo, sparse_csr or sparse_csc
(lazygrad.sparse)."""
from __future__ import annotations


class layout:  # noqa: N801  (torch's names)
    __module__ = "lazygrad"

    def __init__(self, name: str):
        self._name = name

    def __repr__(self) -> str:
        return f"lazygrad.{self._name}"

    def __reduce__(self):
        return (_named, (self._name,))


class memory_format(layout):  # noqa: N801
    __module__ = "lazygrad"


strided = layout("strided")
sparse_coo = layout("sparse_coo")
sparse_csr = layout("sparse_csr")
sparse_csc = layout("sparse_csc")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
_BY_NAME = {v._name: v for v in (strided, sparse_coo, sparse_csr, sparse_csc, contiguous_format, preserve_format,
                                  channels_last, channels_last_3d)}

# channels-last formats: the rank they apply to and their dims from the innermost (stride 1) out
_DIM_ORDERS = {channels_last: (4, (1, 3, 2, 0)), channels_last_3d: (5, (1, 4, 3, 2, 0))}
CHANNELS_LAST = tuple(_DIM_ORDERS)


def format_rank(fmt: memory_format) -> int:
    return _DIM_ORDERS[fmt][0]


def format_strides(shape: tuple[int, ...], fmt: memory_format) -> tuple[int, ...]:
    """The dense strides of shape in a channels-last format (size-1 dims counted as 1)."""
    strides, step = [0] * len(shape), 1
    for d in _DIM_ORDERS[fmt][1]:
        strides[d] = step
        step *= max(shape[d], 1)
    return tuple(strides)


def is_dense_in(shape: tuple[int, ...], strides: tuple[int, ...], fmt) -> bool:
    """Whether strides lay shape out densely in fmt's dim order (row-major unless channels-last); size-1
    dims may have any stride, as torch allows."""
    if fmt in _DIM_ORDERS:
        rank, order = _DIM_ORDERS[fmt]
        if len(shape) != rank:
            return False
    else:
        order = tuple(reversed(range(len(shape))))
    expected = 1
    for d in order:
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def _strides_like(shape: tuple[int, ...], strides: tuple[int, ...], order: tuple[int, ...]) -> bool:
    """torch's is_channels_last_strides_2d/3d: the strides grow along `order` (channels first, batch last),
    judged by stride order alone (a slice counts); ambiguous ties (N111 shapes) fall back to row-major."""
    if strides[1] == 0:
        return False
    least = 0
    for d in order:
        if shape[d] == 0 or strides[d] < least or (d == 0 and least == strides[1]):
            return False
        least = strides[d] * (shape[d] if shape[d] > 1 else 1)
    return True


def suggested_format(shape: tuple[int, ...], strides: tuple[int, ...]) -> memory_format:
    """torch's suggest_memory_format: the channels-last format whose dim order a tensor of that rank's strides
    follow, else contiguous_format; the layout torch's convolution, pooling, padding, upsampling and
    normalization kernels write."""
    for fmt, (rank, order) in _DIM_ORDERS.items():
        if len(shape) == rank and _strides_like(shape, strides, order):
            return fmt
    return contiguous_format


def _named(name: str):
    return _BY_NAME[name]


def named(name: str) -> layout | None:
    """The layout or memory format called name (None for one lazygrad does not have)."""
    return _BY_NAME.get(name)
