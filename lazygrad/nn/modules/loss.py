"""Loss layers: each calls its nn.functional loss with the settings (and weight buffers) it was made with."""
from __future__ import annotations

import warnings

from ...tensor import Tensor
from .. import functional as F
from .module import Module

_LEGACY = ("size_average", "reduce")


def legacy_reduction(size_average: bool | None, reduce: bool | None) -> str:
    """The `reduction` that torch's deprecated size_average/reduce pair means (with torch's warning)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
                  stacklevel=3)
    return reduction


class _Loss(Module):
    """A loss layer of the table below: `settings` are __init__'s arguments in torch's order (tensors among
    them become buffers), `inputs` what forward takes."""
    function: str
    settings: tuple[tuple[str, object], ...]
    inputs: tuple[str, ...] = ("input", "target")
    keyword_only: bool = False

    def __init__(self, *args, **kwargs):
        super().__init__()
        names = [name for name, _ in self.settings]
        if args and self.keyword_only:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} "
                            "were given")
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}.__init__() takes from 1 to {len(names) + 1} positional "
                            f"arguments but {len(args) + 1} were given")
        values = {**dict(self.settings), **dict(zip(names, args))}
        for key, value in kwargs.items():
            if key not in values:
                raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument '{key}'")
            values[key] = value
        if any(values.get(k) is not None for k in _LEGACY):
            values["reduction"] = legacy_reduction(values.get("size_average"), values.get("reduce"))
        for key, value in values.items():
            if key in _LEGACY:
                continue
            if isinstance(value, Tensor) or key in ("weight", "pos_weight"):
                self.register_buffer(key, value)
            else:
                setattr(self, key, value)

    def forward(self, *inputs: Tensor) -> Tensor:
        if len(inputs) != len(self.inputs):
            raise TypeError(f"{type(self).__name__}.forward() takes {len(self.inputs) + 1} positional arguments but "
                            f"{len(inputs) + 1} were given")
        settings = {name: getattr(self, name) for name, _ in self.settings if name not in _LEGACY}
        return getattr(F, self.function)(*inputs, **settings)


_REDUCTION = (("size_average", None), ("reduce", None), ("reduction", "mean"))
_WEIGHTED = (("weight", None), *_REDUCTION)
_PAIR = ("input1", "input2", "target")
_TRIPLET = ("anchor", "positive", "negative")

# name: (function, settings, inputs, keyword-only)
_LOSSES = {
    "L1Loss": ("l1_loss", _REDUCTION, None, False),
    "MSELoss": ("mse_loss", _REDUCTION, None, False),
    "CrossEntropyLoss": ("cross_entropy", (("weight", None), ("size_average", None), ("ignore_index", -100),
                                           ("reduce", None), ("reduction", "mean"), ("label_smoothing", 0.0)),
                         None, False),
    "NLLLoss": ("nll_loss", (("weight", None), ("size_average", None), ("ignore_index", -100), ("reduce", None),
                             ("reduction", "mean")), None, False),
    "CTCLoss": ("ctc_loss", (("blank", 0), ("reduction", "mean"), ("zero_infinity", False)),
                ("log_probs", "targets", "input_lengths", "target_lengths"), False),
    "PoissonNLLLoss": ("poisson_nll_loss", (("log_input", True), ("full", False), ("size_average", None),
                                            ("eps", 1e-8), ("reduce", None), ("reduction", "mean")),
                       ("log_input", "target"), False),
    "GaussianNLLLoss": ("gaussian_nll_loss", (("full", False), ("eps", 1e-6), ("reduction", "mean")),
                        ("input", "target", "var"), True),
    "KLDivLoss": ("kl_div", (*_REDUCTION, ("log_target", False)), None, False),
    "BCELoss": ("binary_cross_entropy", _WEIGHTED, None, False),
    "BCEWithLogitsLoss": ("binary_cross_entropy_with_logits", (*_WEIGHTED, ("pos_weight", None)), None, False),
    "MarginRankingLoss": ("margin_ranking_loss", (("margin", 0.0), *_REDUCTION), _PAIR, False),
    "HingeEmbeddingLoss": ("hinge_embedding_loss", (("margin", 1.0), *_REDUCTION), None, False),
    "MultiLabelMarginLoss": ("multilabel_margin_loss", _REDUCTION, None, False),
    "HuberLoss": ("huber_loss", (("reduction", "mean"), ("delta", 1.0)), None, False),
    "SmoothL1Loss": ("smooth_l1_loss", (*_REDUCTION, ("beta", 1.0)), None, False),
    "SoftMarginLoss": ("soft_margin_loss", _REDUCTION, None, False),
    "MultiLabelSoftMarginLoss": ("multilabel_soft_margin_loss", _WEIGHTED, None, False),
    "CosineEmbeddingLoss": ("cosine_embedding_loss", (("margin", 0.0), *_REDUCTION), _PAIR, False),
    "MultiMarginLoss": ("multi_margin_loss", (("p", 1), ("margin", 1.0), *_WEIGHTED), None, False),
    "TripletMarginLoss": ("triplet_margin_loss", (("margin", 1.0), ("p", 2.0), ("eps", 1e-6), ("swap", False),
                                                  *_REDUCTION), _TRIPLET, False),
    "TripletMarginWithDistanceLoss": ("triplet_margin_with_distance_loss",
                                      (("distance_function", None), ("margin", 1.0), ("swap", False),
                                       ("reduction", "mean")), _TRIPLET, True),
}

globals().update({
    name: type(name, (_Loss,), {"function": function, "settings": settings, "inputs": inputs or _Loss.inputs,
                                "keyword_only": keyword_only, "__module__": "lazygrad.nn",
                                "__doc__": f"F.{function} as a layer."})
    for name, (function, settings, inputs, keyword_only) in _LOSSES.items()})


class NLLLoss2d(globals()["NLLLoss"]):
    """NLLLoss under its old name for 2-D targets, deprecated (torch says so when one is made)."""

    __module__ = "lazygrad.nn"

    def __init__(self, *args, **kwargs) -> None:
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement and see "
                      "https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.", FutureWarning,
                      stacklevel=2)
        super().__init__(*args, **kwargs)


__all__ = [*_LOSSES, "NLLLoss2d"]
