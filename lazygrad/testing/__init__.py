"""torch.testing's helpers: assert_close checks results against expected ones (tensors, NumPy arrays, numbers
and containers of them) with torch's tolerances and messages; make_tensor draws a random tensor for a test."""
from .comparison import assert_allclose, assert_close
from .creation import make_tensor

__all__ = ["assert_allclose", "assert_close", "make_tensor"]
