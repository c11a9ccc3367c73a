"""Storage, views and in-place updates: torch's semantics, still lazy, still fused."""
import numpy as np

import lazygrad as lg

# a view shares its base's storage: writes through either are seen by both
x = lg.arange(12.0).reshape(3, 4)
col = x[:, 1]
col += 100                          # lazy: a where() over the storage, nothing runs yet
x.t()[0] = -1                       # a write through a transposed view
print(x)
print(col.storage_offset(), col.stride(), x.storage().data_ptr() == col.storage().data_ptr())

# an update loop stays in one buffer and compiles one kernel
p, g = lg.zeros(1000), lg.full((1000,), 0.5)
p.realize()
ptr = p.data_ptr()
lg.reset_stats()
with lg.no_grad():
    for _ in range(10_000):
        p -= 0.01 * g
print(p[:3], "same buffer:", p.data_ptr() == ptr, lg.stats())

# NumPy shares the memory both ways
a = np.zeros(4, np.float32)
t = lg.from_numpy(a)
t[1:3] += 7                         # written through at once: NumPy sees it
a[0] = 1                            # and lazygrad sees NumPy's writes
print(a, t)

# autograd follows writes through views (torch's CopySlices)
w = lg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
y = w * 2
y[1:3] = w[:2] ** 2
print(y.grad_fn, y)
y.sum().backward()
print(w.grad)
