"""What a view remembers of how it was made (torch's creation meta), and torch's refusals of writing it.

A view made where autograd does not record (under no_grad or inference_mode) remembers the mode; once recording
again, writing it in place, or reading the history of one whose base was written since, is ambiguous (should
the write be differentiated?), so torch refuses both. So it does for a view that is one of several outputs (a
split's, an unbind's) or that a custom Function returned, whose node could not be rebuilt around the write."""
from __future__ import annotations

from .grad_mode import STATE

# where a view was made: the mode's name in the message, the block to move both into, and what "normal" is
_MODES = {"no_grad": ("no_grad mode", "no_grad", "with grad mode enabled"),
          "inference": ("inference mode", "inference_mode", "in normal mode")}

_MULTI_OUTPUT = ("This view is the output of a function that returns multiple views. Such functions do not allow the "
                 "output views to be modified inplace. You should replace the inplace operation by an out-of-place "
                 "one.")
_IN_FUNCTION = ("This view was created inside a custom Function (or because an input was returned as-is) and the "
                "autograd logic to handle view+inplace would override the custom backward associated with the custom "
                "Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning "
                "the output of the custom Function.")


def _not_recording() -> str | None:
    """The mode the user is in when it does not record (an op being recorded turns recording off inside)."""
    if STATE.enabled or STATE.recorded_op:
        return None
    return "inference" if STATE.inference else "no_grad"


def created_in(t) -> str | None:
    """What a view of t made now remembers: the mode not recording (for a view of a floating tensor), else
    what t remembers (a view of such a view carries it on)."""
    if STATE.enabled or STATE.recorded_op or t.dtype.kind not in "fc" or t._storage.inference:
        return t._created_in
    return _not_recording()


def mark_multi_output(views: tuple, base) -> tuple:
    """views, made together by one op (split, unbind): each remembers it, unless made where autograd does not
    record (that is remembered instead) or viewing what inference_mode viewed."""
    if base.dtype.kind in "fc" and not base._storage.inference and base._created_in != "inference":
        meta = _not_recording() or "multi_output"
        for v in views:
            v._created_in = meta
    return views


def rebase_refusal(view, indirect: bool = False) -> str | None:
    """torch's message refusing a write to view (indirect: to its base or another view of it, found when view's
    history is read), or None when the write may be recorded."""
    node = view._grad_fn
    written = "its base or another view of its base has been" if indirect else "is being"
    meta = view._created_in
    if meta is None:
        from .custom import is_function_node
        if node is not None and view._base is not None and is_function_node(node):
            return f"Output {view._output_nr} of {node.name().removesuffix('Backward')} is a view and {written} " \
                   f"modified inplace. {_IN_FUNCTION}"
        return None
    if meta == "multi_output" and node is not None:
        return f"Output {view._output_nr} of {node.name().removesuffix('Backward0')} is a view and {written} " \
               f"modified inplace. {_MULTI_OUTPUT}"
    mode, block, normal = _MODES["inference" if meta == "inference" else "no_grad"]
    prefix = (f"Output {view._output_nr} of {node.name().removesuffix('Backward0')} is a view of a view which was "
              "created in" if node is not None else "A view was created in")
    tail = _MULTI_OUTPUT if meta == "multi_output" else (
        "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving "
        f"both the view and the inplace either both inside the {block} block (if you don't want the inplace to be "
        "tracked) or both outside (if you want the inplace to be tracked).")
    return f"{prefix} {mode} and {written} modified inplace {normal}. {tail}"
