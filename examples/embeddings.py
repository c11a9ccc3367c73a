"""Learn word embeddings for a toy sentiment task: a sentence is a bag of token ids, its score the
mean of its tokens' embeddings times a weight vector. Looking rows up in the table is a gather (one
load per row element) and its gradient a scatter-add into the table, so a step costs what the
sentences cost, whatever the vocabulary's size.

    python examples/embeddings.py [--device cuda]
"""
from __future__ import annotations

import argparse

import numpy as np

import lazygrad as lg

VOCAB, DIM, LENGTH, BATCH = 5000, 16, 12, 64


def sentences(rng, n: int):
    """Token ids and labels: tokens below 100 are 'good', 100-199 'bad', the rest neutral; a sentence
    is positive when it holds more good tokens than bad ones."""
    tokens = rng.integers(200, VOCAB, (n, LENGTH))
    marked = rng.integers(0, 200, (n, 4))
    tokens[:, :4] = marked
    labels = ((marked < 100).sum(1) > (marked >= 100).sum(1)).astype(np.int64)
    return tokens, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    lg.manual_seed(0)
    table = (lg.randn(VOCAB, DIM, device=args.device) * 0.1).requires_grad_()
    weight = lg.zeros(DIM, 2, device=args.device, requires_grad=True)
    params = [table, weight]
    for step in range(args.steps):
        tokens, labels = sentences(rng, BATCH)
        tokens, labels = lg.tensor(tokens, device=args.device), lg.tensor(labels, device=args.device)
        logits = table[tokens].mean(1) @ weight  # (BATCH, LENGTH, DIM) rows gathered, averaged
        loss = -logits.log_softmax(-1)[lg.arange(BATCH, device=args.device), labels].mean()
        loss.backward()
        with lg.no_grad():
            for p in params:
                p -= 2.0 * p.grad
                p.grad = None
        if step % 100 == 0:
            print(f"step {step:3d}  loss {loss.item():.4f}")
    tokens, labels = sentences(rng, 1000)
    with lg.no_grad():
        guess = (table[lg.tensor(tokens, device=args.device)].mean(1) @ weight).argmax(1)
    accuracy = (guess.cpu().numpy() == labels).mean()
    print(f"accuracy on 1000 new sentences: {accuracy:.3f}")
    loss = -(table[lg.tensor(tokens[:8], device=args.device)].mean(1) @ weight).log_softmax(-1)[:, 0].mean()
    (grad,) = lg.autograd.grad(loss, table)
    print("the table's gradient, as kernels:", [k.name for k in lg.schedule(grad)])


if __name__ == "__main__":
    main()
