"""Warnings given through wrapper functions (autograd's named composites, autocast's casting ops): a
function that warns at its caller (stacklevel=2) would point at the wrapper; the wrapper records the
warnings and gives them again at its own caller, as if it were not there."""
from __future__ import annotations

import os
import sys
import warnings

_REGISTRIES: dict[str, dict] = {}  # per file, what "default"/"once" filters have shown
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_at_caller(message: str, category: type = UserWarning) -> None:
    """A warning pointed at the first frame outside lazygrad, however many of its wrappers stand between."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def warn_if_discarding_imaginary(from_complex: bool, to_real: bool) -> None:
    """torch's warning when a conversion keeps only the real part (to a real or integer dtype; a conversion to
    bool tests both parts, so it does not warn)."""
    if from_complex and to_real:
        warn_at_caller("Casting complex values to real discards the imaginary part")


def reissue(caught: list, wrapper_file: str) -> None:
    """Warnings a wrapped function gave, again: those it aimed at its caller (the wrapper's frame, in
    wrapper_file) now point at the wrapper's caller, as without the wrapper; the others where they were."""
    for w in caught:
        if w.filename == wrapper_file:
            warnings.warn(w.message, w.category, stacklevel=3)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno,
                                   registry=_REGISTRIES.setdefault(w.filename, {}), source=w.source)
