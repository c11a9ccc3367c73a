"""What torch refuses of inference tensors (those whose memory inference_mode allocated) outside that mode:
writing them in place, making them require grad, and saving them for a backward formula."""
from __future__ import annotations

from .grad_mode import STATE

_WRITE = ("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a "
          "normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.")
_SAVED = ("Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in "
          "computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and use "
          "it in autograd, or use `lazygrad.no_grad()` instead of `lazygrad.inference_mode()`.")
_REQUIRES_GRAD = "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."


def check_write(storage) -> None:
    if storage.inference and not STATE.inference:
        raise RuntimeError(_WRITE)


def check_requires_grad(storage) -> None:
    if storage.inference and not STATE.inference:
        raise RuntimeError(_REQUIRES_GRAD)


def check_saved(tensors) -> None:
    """tensors: the ones a node being recorded keeps for its formula."""
    if any(t._storage.inference for t in tensors):
        raise RuntimeError(_SAVED)
