"""torch.distributed's availability check: lazygrad runs in one process and has no process groups, so
`is_available()` is False and code that asks first (`if dist.is_available() and dist.is_initialized()`)
takes its single-process path."""


def is_available() -> bool:
    return False
