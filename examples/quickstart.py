"""A first look at lazygrad: build lazily, inspect the fused kernel, realize, read values."""
import lazygrad as lg

x = lg.arange(12, dtype=lg.float32).reshape(3, 4)
y = ((x * 1.5 + 2).exp().tanh() * x - 0.5).abs().sqrt()  # nothing has run yet

print(lg.schedule(y))  # the kernel a realization would run, with its C source
y.realize()
print(y)
print(y.sum(dim=1, keepdim=True), y.numpy().dtype)

# views share storage, reductions fuse with their elementwise inputs
m = lg.randn(4, 5)
softmax = (m - m.amax(1, keepdim=True)).exp()
softmax = softmax / softmax.sum(1, keepdim=True)
print(softmax.sum(1))
print(lg.stats())

# gradients are lazy graphs too: they fuse with the forward pass when read
w = lg.tensor([0.5, -1.0, 2.0], requires_grad=True)
loss = (w.tanh() * w).sum()
loss.backward()
print(loss, w.grad)
