"""Dropout layers: active in training mode, the identity in eval mode."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module


class _DropoutNd(Module):
    function: str

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, self.function)(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


def _layer(name: str, function: str) -> type:
    return type(name, (_DropoutNd,), {"function": function, "__module__": "lazygrad.nn",
                                      "__doc__": f"F.{function} while training; the identity in eval mode."})


Dropout = _layer("Dropout", "dropout")
Dropout1d = _layer("Dropout1d", "dropout1d")
Dropout2d = _layer("Dropout2d", "dropout2d")
Dropout3d = _layer("Dropout3d", "dropout3d")
AlphaDropout = _layer("AlphaDropout", "alpha_dropout")
FeatureAlphaDropout = _layer("FeatureAlphaDropout", "feature_alpha_dropout")
