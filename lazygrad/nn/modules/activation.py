"""Activation layers: each calls its nn.functional op with the settings it was made with."""
from __future__ import annotations

from ...creation import empty
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


class _Activation(Module):
    """A layer whose forward is F.<function>(input, **settings); `shown` settings appear in its repr."""
    function: str
    defaults: dict = {}
    shown: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__()
        names = list(self.defaults)
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}.__init__() takes from 1 to {len(names) + 1} positional "
                            f"arguments but {len(args) + 1} were given")
        settings = {**self.defaults, **dict(zip(names, args))}
        for key, value in kwargs.items():
            if key not in settings:
                raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument '{key}'")
            settings[key] = value
        for key, value in settings.items():
            setattr(self, key, value)

    def forward(self, input: Tensor) -> Tensor:
        return getattr(F, self.function)(input, **{k: getattr(self, k) for k in self.defaults})

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={getattr(self, k)!r}" if isinstance(getattr(self, k), str) else f"{k}={getattr(self, k)}"
                         for k in self.shown)


def _activation(name: str, function: str, defaults: dict | None = None, shown: tuple[str, ...] = (),
                repr_text=None) -> type:
    """A layer class of _Activation's kind (one table row each, below)."""
    body = {"function": function, "defaults": defaults or {}, "shown": shown, "__module__": "lazygrad.nn",
            "__doc__": f"Applies F.{function} elementwise (settings: {', '.join(defaults or {}) or 'none'})."}
    if repr_text is not None:
        body["extra_repr"] = repr_text
    return type(name, (_Activation,), body)


def _inplace_repr(self) -> str:
    return "inplace=True" if self.inplace else ""


ReLU = _activation("ReLU", "relu", {"inplace": False}, repr_text=_inplace_repr)
ReLU6 = _activation("ReLU6", "relu6", {"inplace": False}, repr_text=_inplace_repr)
SELU = _activation("SELU", "selu", {"inplace": False}, repr_text=_inplace_repr)
SiLU = _activation("SiLU", "silu", {"inplace": False}, repr_text=_inplace_repr)
Mish = _activation("Mish", "mish", {"inplace": False}, repr_text=_inplace_repr)
Hardswish = _activation("Hardswish", "hardswish", {"inplace": False}, repr_text=_inplace_repr)
Hardsigmoid = _activation("Hardsigmoid", "hardsigmoid", {"inplace": False}, repr_text=_inplace_repr)
Sigmoid = _activation("Sigmoid", "sigmoid")
Tanh = _activation("Tanh", "tanh")
LogSigmoid = _activation("LogSigmoid", "logsigmoid")
Tanhshrink = _activation("Tanhshrink", "tanhshrink")
Softsign = _activation("Softsign", "softsign")
ELU = _activation("ELU", "elu", {"alpha": 1.0, "inplace": False},
                  repr_text=lambda self: f"alpha={self.alpha}" + (", inplace=True" if self.inplace else ""))
CELU = _activation("CELU", "celu", {"alpha": 1.0, "inplace": False},
                   repr_text=lambda self: f"alpha={self.alpha}" + (", inplace=True" if self.inplace else ""))
GELU = _activation("GELU", "gelu", {"approximate": "none"}, ("approximate",))
Softplus = _activation("Softplus", "softplus", {"beta": 1.0, "threshold": 20.0}, ("beta", "threshold"))
Hardshrink = _activation("Hardshrink", "hardshrink", {"lambd": 0.5}, repr_text=lambda self: f"{self.lambd}")
Softshrink = _activation("Softshrink", "softshrink", {"lambd": 0.5}, repr_text=lambda self: f"{self.lambd}")
Hardtanh = _activation("Hardtanh", "hardtanh", {"min_val": -1.0, "max_val": 1.0, "inplace": False},
                       repr_text=lambda self: f"min_val={self.min_val}, max_val={self.max_val}"
                       + (", inplace=True" if self.inplace else ""))
LeakyReLU = _activation("LeakyReLU", "leaky_relu", {"negative_slope": 0.01, "inplace": False},
                        repr_text=lambda self: f"negative_slope={self.negative_slope}"
                        + (", inplace=True" if self.inplace else ""))
Threshold = _activation("Threshold", "threshold", {"threshold": None, "value": None, "inplace": False},
                        repr_text=lambda self: f"threshold={self.threshold}, value={self.value}"
                        + (", inplace=True" if self.inplace else ""))
GLU = _activation("GLU", "glu", {"dim": -1}, ("dim",))
Softmax = _activation("Softmax", "softmax", {"dim": None}, ("dim",))
LogSoftmax = _activation("LogSoftmax", "log_softmax", {"dim": None}, ("dim",))
Softmin = _activation("Softmin", "softmin", {"dim": None}, ("dim",))


class RReLU(Module):
    """Leaky ReLU with a random slope in [lower, upper] while training, their mean in eval mode."""
    __module__ = "lazygrad.nn"

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


class Softmax2d(Module):
    """Softmax over the channels of each location of (C, H, W) or (N, C, H, W) input."""
    __module__ = "lazygrad.nn"

    def forward(self, input: Tensor) -> Tensor:
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return F.softmax(input, -3)


class PReLU(Module):
    """Leaky ReLU whose slope (one, or one per channel) is learned."""
    __module__ = "lazygrad.nn"

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
