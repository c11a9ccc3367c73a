"""The CUDA back end: the same graphs rendered as CUDA, on any machine; run on a GPU when there is one."""
import lazygrad as lg

device = "cuda" if lg.cuda.is_available() else "cpu"
x = lg.randn(4096, 4096, device=device, requires_grad=True)
y = (x.softmax(-1) * 2).sum()

# the kernels the forward pass would run, as CUDA source: no GPU needed to read them
kernels = lg.schedule(y, target="cuda")
print(kernels[-2])

# a matrix multiply is tiled in shared memory
a, b = lg.randn(512, 256).realize(), lg.randn(256, 128).realize()
print([k.name for k in lg.schedule((a @ b).relu(), target="cuda")])

y.backward()
print(f"on {device}: max |grad| = {x.grad.abs().max().item():.2e}")  # d/dx of 2 * sum(softmax) is 0
