"""Upsampling layers: F.interpolate with a fixed size or scale factor."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module


class Upsample(Module):
    """F.interpolate with fixed size or scale factor and mode."""
    __module__ = "lazygrad.nn"

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None):
        super().__init__()
        self.size, self.mode, self.align_corners = size, mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor
        self.scale_factor = tuple(float(f) for f in scale_factor) if isinstance(scale_factor, (tuple, list)) else \
            (float(scale_factor) if scale_factor else None)

    def forward(self, input: Tensor) -> Tensor:
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        shown = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{shown}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Upsample in mode 'nearest' (2-D)."""
    __module__ = "lazygrad.nn"

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Upsample in mode 'bilinear' with align_corners=True."""
    __module__ = "lazygrad.nn"

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
