"""torch.utils.swap_tensors: two tensor objects exchange everything they hold (class, attributes, storage, view and
autograd state), so each keeps its identity with the other's content. nn.Module converts its parameters so when
lazygrad.__future__ asks (the objects an optimizer holds stay the objects it holds)."""
from __future__ import annotations

import copyreg
import weakref

from ..tensor import Tensor

POISONED = ("Trying to execute AccumulateGrad node that was poisoned by swap_tensors this can happen when you try to "
            "run backward on a tensor that was swapped. For a module m with "
            "`torch.__future__.set_swap_module_params_on_conversion(True)` you should not change the device or dtype "
            "of the module (e.g. `m.cpu()` or `m.half()`) between running forward and backward. To resolve this, "
            "please only change the device/dtype before running forward (or after both forward and backward).")


def swap_tensors(t1: Tensor, t2: Tensor) -> None:
    """Swap the contents of t1 and t2 in place. A graph already made through either one refuses to run its
    backward into it (its gradient would reach the other content), as torch's does."""
    if weakref.getweakrefs(t1):
        raise RuntimeError("Cannot swap t1 because it has weakref associated with it")
    if weakref.getweakrefs(t2):
        raise RuntimeError("Cannot swap t2 because it has weakref associated with it")
    slots = set(copyreg._slotnames(t1.__class__))
    if slots != set(copyreg._slotnames(t2.__class__)):
        raise RuntimeError("Cannot swap t1 and t2 if they have different slots")
    for t in (t1, t2):
        if t._accum is not None:
            t._accum.register_prehook(_poisoned)
    t1.__class__, t2.__class__ = t2.__class__, t1.__class__
    t1.__dict__, t2.__dict__ = t2.__dict__, t1.__dict__
    for slot in slots:
        held = [(t, getattr(t, slot)) for t in (t1, t2) if hasattr(t, slot)]
        for t, _ in held:
            delattr(t, slot)
        for t, value in held:
            setattr(t2 if t is t1 else t1, slot, value)


def _poisoned(grad_outputs):
    raise RuntimeError(POISONED)
