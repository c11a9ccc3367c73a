"""torch.utils.dlpack: DLPack capsules to and from tensors (lazygrad/interop.py holds both directions)."""
from ..interop import dlpack as to_dlpack
from ..interop import from_dlpack

__all__ = ["from_dlpack", "to_dlpack"]
