"""Per-sample gradients with lazygrad.func, the way torch.func computes them: `functional_call` runs a model
on a dict of parameters, `grad` differentiates the loss with respect to that dict, and `vmap` maps it over
the batch. Each sample's gradient is clipped to norm 1 before the average is applied (the step of
differentially private SGD), which an ordinary backward pass, summing over the batch, cannot do.
"""
import lazygrad as lg
from lazygrad import nn
from lazygrad.func import functional_call, grad, vmap

lg.manual_seed(0)
points = lg.randn(48, 4)
labels = (points @ lg.tensor([1.0, -2.0, 0.5, 1.5]) > 0).long()  # a linear rule to learn
model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
params = {name: p.detach() for name, p in model.named_parameters()}


def loss_of(params, point, label):
    """The loss on one sample, as a function of the parameters."""
    logits = functional_call(model, params, (point.unsqueeze(0),))
    return nn.functional.cross_entropy(logits, label.unsqueeze(0))


per_sample = vmap(grad(loss_of), in_dims=(None, 0, 0))

# the per-sample gradients average to the gradient of the mean loss
grads = per_sample(params, points, labels)
model.zero_grad()
nn.functional.cross_entropy(model(points), labels).backward()
gap = max((grads[name].mean(0) - p.grad).abs().max().item() for name, p in model.named_parameters())
print(f"mean of per-sample gradients vs backward(): max difference {gap:.2e}")

for step in range(21):
    grads = per_sample(params, points, labels)
    norms = sum(g.flatten(1).square().sum(1) for g in grads.values()).sqrt()  # each sample's gradient norm
    scale = 1.0 / norms.clamp(min=1.0)
    for name, g in grads.items():
        clipped = g * scale.reshape(-1, *[1] * (g.ndim - 1))
        params[name] = params[name] - 1.0 * clipped.mean(0)
    if step % 10 == 0:
        loss = nn.functional.cross_entropy(functional_call(model, params, (points,)), labels)
        print(f"step {step:2d}  loss {loss.item():.4f}  largest per-sample norm {norms.max().item():.3f}")

with lg.no_grad():
    predicted = functional_call(model, params, (points,)).argmax(-1)
print(f"accuracy on the training points: {(predicted == labels).float().mean().item():.3f}")
