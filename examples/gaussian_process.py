"""Gaussian-process regression with hyperparameters fitted by gradient descent.

The negative log marginal likelihood of noisy samples of a function goes through a Cholesky factor and
two triangular solves: library calls (LAPACK) in the lazy graph, with the kernel matrix, the quadratic
form and the log-determinant around them fused into generated kernels. Its gradient with respect to the
length scale, the signal and the noise levels is torch's formula for each factorization, so the fit is
plain autograd:

    python examples/gaussian_process.py
"""
import math

import numpy as np

import lazygrad as lg

rng = np.random.default_rng(0)
x_train = np.sort(rng.uniform(-3, 3, 60))
y_train = np.sin(2 * x_train) + 0.3 * np.cos(5 * x_train) + rng.normal(0, 0.1, x_train.shape)
x = lg.tensor(x_train)
y = lg.tensor(y_train)


def kernel(a: lg.Tensor, b: lg.Tensor, log_length: lg.Tensor, log_signal: lg.Tensor) -> lg.Tensor:
    """The squared-exponential covariance of every pair of points."""
    distance = (a[:, None] - b[None, :]) / log_length.exp()
    return (2 * log_signal).exp() * (-0.5 * distance ** 2).exp()


def negative_log_likelihood(log_length, log_signal, log_noise) -> lg.Tensor:
    n = x.shape[0]
    covariance = kernel(x, x, log_length, log_signal) + (2 * log_noise).exp() * lg.eye(n, dtype=lg.float64)
    factor = lg.linalg.cholesky(covariance)
    weights = lg.cholesky_solve(y[:, None], factor)[:, 0]
    return 0.5 * (y * weights).sum() + factor.diagonal().log().sum() + 0.5 * n * math.log(2 * math.pi)


params = [lg.tensor(v, dtype=lg.float64, requires_grad=True) for v in (0.0, 0.0, -1.0)]
loss = negative_log_likelihood(*params)
kinds = [k.kind for k in lg.schedule(loss)]
print(f"one evaluation: {len(kinds)} kernels, {kinds.count('library call')} of them library calls "
      f"({', '.join(k.name for k in lg.schedule(loss) if k.kind == 'library call')})")

# Adam on the log-parameters (the gradient's scale varies by orders of magnitude between them)
rate, beta1, beta2 = 0.05, 0.9, 0.999
first = [lg.zeros((), dtype=lg.float64) for _ in params]
second = [lg.zeros((), dtype=lg.float64) for _ in params]
for it in range(1, 201):
    loss = negative_log_likelihood(*params)
    grads = lg.autograd.grad(loss, params)
    with lg.no_grad():
        for p, g, m, v in zip(params, grads, first, second):
            m.mul_(beta1).add_(g * (1 - beta1))
            v.mul_(beta2).add_(g * g * (1 - beta2))
            p -= rate * (m / (1 - beta1 ** it)) / ((v / (1 - beta2 ** it)).sqrt() + 1e-8)
    if it % 40 == 1:
        print(f"step {it:3d}: negative log likelihood {loss.item():8.3f}")

log_length, log_signal, log_noise = params
print(f"final negative log likelihood {negative_log_likelihood(*params).item():8.3f}")
print(f"fitted lengthscale {log_length.exp().item():.3f}, signal {log_signal.exp().item():.3f}, "
      f"noise {log_noise.exp().item():.3f} (the data's noise is 0.100)")

x_test = lg.linspace(-3, 3, 200, dtype=lg.float64)
with lg.no_grad():
    n = x.shape[0]
    covariance = kernel(x, x, log_length, log_signal) + (2 * log_noise).exp() * lg.eye(n, dtype=lg.float64)
    mean = kernel(x_test, x, log_length, log_signal) @ lg.linalg.solve(covariance, y)
truth = np.sin(2 * x_test.numpy()) + 0.3 * np.cos(5 * x_test.numpy())
print(f"posterior mean vs the noiseless function: RMSE {np.sqrt(np.mean((mean.numpy() - truth) ** 2)):.3f}")
