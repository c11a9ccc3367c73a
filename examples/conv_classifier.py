"""A small convolutional network learns to tell lines apart: 12x12 images holding one noisy horizontal,
vertical or diagonal stroke. Conv2d, BatchNorm2d, MaxPool2d and Linear layers from `lg.nn`, trained with
`lg.optim.Adam`; each convolution runs as a tiled matrix multiply over a strided view of its input.
"""
import lazygrad as lg
from lazygrad import nn, optim

device = "cuda" if lg.cuda.is_available() else "cpu"
lg.manual_seed(0)


def strokes(n: int) -> tuple[lg.Tensor, lg.Tensor]:
    """n images (n, 1, 12, 12) and their labels: 0 horizontal, 1 vertical, 2 diagonal."""
    labels = lg.randint(0, 3, (n,), device=device)
    where = lg.randint(2, 10, (n, 1, 1), device=device)  # the row, column or diagonal offset
    rows = lg.arange(12, device=device).view(1, 12, 1)
    cols = lg.arange(12, device=device).view(1, 1, 12)
    kind = labels.view(n, 1, 1)
    line = lg.where(kind == 0, rows == where, lg.where(kind == 1, cols == where, cols - rows == where - 6))
    images = line.float() + 0.3 * lg.randn(n, 12, 12, device=device)
    return images.unsqueeze(1), labels


model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
    nn.Flatten(), nn.Linear(16, 3),
).to(device)
optimizer = optim.Adam(model.parameters(), lr=0.02)
loss_fn = nn.CrossEntropyLoss()

for step in range(60):
    images, labels = strokes(64)
    optimizer.zero_grad()
    loss = loss_fn(model(images), labels)
    loss.backward()
    optimizer.step()
    if step % 20 == 0:
        print(f"step {step:2d}  loss {loss.item():.4f}")

model.eval()
images, labels = strokes(512)
with lg.no_grad():
    accuracy = (model(images).argmax(1) == labels).float().mean().item()
print(f"accuracy on {device}: {accuracy:.3f}")
