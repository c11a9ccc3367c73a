"""Pooling layers: max, average, power-average, adaptive, and max-unpooling."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .conv import _tuple
from .module import Module


class _MaxPoolNd(Module):
    dims: int

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor):
        return getattr(F, f"max_pool{self.dims}d")(input, self.kernel_size, self.stride, self.padding, self.dilation,
                                                   ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class _AvgPoolNd(Module):
    dims: int

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override=None):
        super().__init__()
        one_d = self.dims == 1
        self.kernel_size = _tuple(kernel_size, 1) if one_d else kernel_size
        self.stride = _tuple(stride if stride is not None else kernel_size, 1) if one_d else \
            (stride if stride is not None else kernel_size)
        self.padding = _tuple(padding, 1) if one_d else padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        if not one_d:
            self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        extra = () if self.dims == 1 else (self.divisor_override,)
        return getattr(F, f"avg_pool{self.dims}d")(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                                   self.count_include_pad, *extra)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _LPPoolNd(Module):
    dims: int

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, f"lp_pool{self.dims}d")(input, float(self.norm_type), self.kernel_size, self.stride,
                                                  self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class _AdaptiveAvgPoolNd(Module):
    dims: int

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, f"adaptive_avg_pool{self.dims}d")(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _AdaptiveMaxPoolNd(Module):
    dims: int

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor):
        return getattr(F, f"adaptive_max_pool{self.dims}d")(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _MaxUnpoolNd(Module):
    dims: int

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        n = self.dims
        self.kernel_size = _tuple(kernel_size, n)
        self.stride = _tuple(stride if stride is not None else kernel_size, n)
        self.padding = _tuple(padding, n)

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:
        return getattr(F, f"max_unpool{self.dims}d")(input, indices, self.kernel_size, self.stride, self.padding,
                                                     output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _layers(base: type, stem: str, dims=(1, 2, 3)) -> tuple[type, ...]:
    return tuple(type(f"{stem}{n}d", (base,), {"dims": n, "__module__": "lazygrad.nn",
                                               "__doc__": f"{stem}{n}d: pooling over {n} spatial dim(s)."})
                 for n in dims)


MaxPool1d, MaxPool2d, MaxPool3d = _layers(_MaxPoolNd, "MaxPool")
AvgPool1d, AvgPool2d, AvgPool3d = _layers(_AvgPoolNd, "AvgPool")
LPPool1d, LPPool2d, LPPool3d = _layers(_LPPoolNd, "LPPool")
AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d = _layers(_AdaptiveAvgPoolNd, "AdaptiveAvgPool")
AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d = _layers(_AdaptiveMaxPoolNd, "AdaptiveMaxPool")
MaxUnpool1d, MaxUnpool2d, MaxUnpool3d = _layers(_MaxUnpoolNd, "MaxUnpool")


class _FractionalMaxPoolNd(Module):
    """Fractional max pooling to output_size, or to output_ratio of the input; _random_samples, when given,
    fixes the windows (a buffer, saved with the state_dict)."""
    dims: int

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices: bool = False,
                 _random_samples: Tensor | None = None):
        super().__init__()
        n = self.dims
        self.kernel_size = _tuple(kernel_size, n)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _tuple(output_size, n) if output_size is not None else None
        self.output_ratio = _tuple(output_ratio, n) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{type(self).__name__} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor):
        return getattr(F, f"fractional_max_pool{self.dims}d")(input, self.kernel_size, self.output_size,
                                                              self.output_ratio, self.return_indices,
                                                              _random_samples=self._random_samples)


FractionalMaxPool2d, = _layers(_FractionalMaxPoolNd, "FractionalMaxPool", (2,))


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """FractionalMaxPool3d: pooling over 3 spatial dims; its kernel sizes must be positive."""
    __module__ = "lazygrad.nn"
    dims = 3

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices: bool = False,
                 _random_samples: Tensor | None = None):
        sizes = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size,)
        if not all(k > 0 for k in sizes):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        super().__init__(kernel_size, output_size, output_ratio, return_indices, _random_samples)
