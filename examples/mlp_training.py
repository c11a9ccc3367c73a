"""Training a small classifier with lazygrad: an MLP learns three clusters of 2-D points by SGD.

Every step builds the forward graph, differentiates it symbolically and updates the weights in
place; the kernels are compiled once (the first step) and reused from the cache after that.
Runs on a GPU when there is one.
"""
import lazygrad as lg

device = "cuda" if lg.cuda.is_available() else "cpu"
lg.manual_seed(0)

# three Gaussian clusters, 200 points each, labels 0, 1, 2
centers = lg.tensor([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]], device=device)
labels = lg.arange(600, device=device) // 200
points = centers[labels] + lg.randn(600, 2, device=device)  # the clusters overlap a little

sizes = [2, 64, 64, 3]
params = []
for fan_in, fan_out in zip(sizes, sizes[1:]):
    params.append((lg.randn(fan_in, fan_out, device=device) / fan_in ** 0.5).requires_grad_())
    params.append(lg.zeros(fan_out, device=device, requires_grad=True))


def logits(x):
    for i in range(0, len(params), 2):
        x = x @ params[i] + params[i + 1]
        if i + 2 < len(params):
            x = x.relu()
    return x


for step in range(301):
    loss = -logits(points).log_softmax(-1)[lg.arange(600, device=device), labels].mean()
    loss.backward()
    with lg.no_grad():
        for p in params:
            p -= 0.1 * p.grad
            p.grad = None
    if step % 100 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}")

accuracy = (logits(points).argmax(-1) == labels).float().mean().item()
print(f"accuracy on {device}: {accuracy:.3f}")
print(lg.stats())
