"""torch.nn.parallel: DataParallel (nn.DataParallel) and its functional form, and DistributedDataParallel,
which needs a process group lazygrad does not have."""
from ..modules.data_parallel import DataParallel
from .data_parallel import data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
