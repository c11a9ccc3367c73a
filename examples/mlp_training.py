"""Training a small classifier with lazygrad: an MLP learns three clusters of 2-D points.

The model, loss and optimizer are written as in torch (`lg.nn`, `lg.optim`). Every step builds the
forward graph, differentiates it symbolically and updates the weights in place; the kernels are
compiled in the first step and come from the cache after that. Runs on a GPU when there is one.
"""
import lazygrad as lg
from lazygrad import nn, optim

device = "cuda" if lg.cuda.is_available() else "cpu"
lg.manual_seed(0)

# three Gaussian clusters, 200 points each, labels 0, 1, 2
centers = lg.tensor([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]], device=device)
labels = lg.arange(600, device=device) // 200
points = centers[labels] + lg.randn(600, 2, device=device)  # the clusters overlap a little

model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3)).to(device)
loss_fn = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.5)
print(model)

for step in range(301):
    optimizer.zero_grad()
    loss = loss_fn(model(points), labels)
    loss.backward()
    optimizer.step()
    scheduler.step()
    if step % 100 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}  lr {scheduler.get_last_lr()[0]:.3f}")

model.eval()
with lg.no_grad():
    accuracy = (model(points).argmax(-1) == labels).float().mean().item()
print(f"accuracy on {device}: {accuracy:.3f}")
print(lg.stats())
