"""torch.nn.parallel: DataParallel (one process, the batch split over devices) and DistributedDataParallel,
which needs a process group lazygrad does not have."""
from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
