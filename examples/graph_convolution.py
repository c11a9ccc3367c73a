"""Node classification on a graph with sparse tensors.

A graph of 600 nodes in three communities (edges are ten times likelier inside a community than across)
is held as a sparse COO adjacency matrix, normalized as a graph convolutional network normalizes it:
D^-1/2 (A + I) D^-1/2, with the degrees summed by lg.sparse.sum and the scaling done on the entries. Each
node's features are a weak, noisy hint of its community. A two-layer GCN (sparse @ dense products, each one
fused kernel, differentiated like any other op) learns the communities from 30 labelled nodes; a node-id
embedding with sparse gradients, trained by SparseAdam, adds a learned vector per node:

    python examples/graph_convolution.py
"""
import numpy as np

import lazygrad as lg

NODES, COMMUNITIES, FEATURES = 600, 3, 16
rng = np.random.default_rng(0)
lg.manual_seed(0)

community = rng.integers(0, COMMUNITIES, NODES)
same = community[:, None] == community[None, :]
linked = np.triu(rng.random((NODES, NODES)) < np.where(same, 0.05, 0.005), 1)
rows, cols = np.nonzero(linked | linked.T)
print(f"graph: {NODES} nodes, {len(rows) // 2} edges")

# A + I as a sparse tensor, then each entry (i, j) scaled by 1 / sqrt(degree_i * degree_j)
loops = np.arange(NODES)
indices = lg.tensor(np.stack([np.concatenate([rows, loops]), np.concatenate([cols, loops])]))
adjacency = lg.sparse_coo_tensor(indices, lg.ones(indices.shape[1]), (NODES, NODES)).coalesce()
degree = lg.sparse.sum(adjacency, 1).to_dense()
i, j = adjacency.indices()
norm = adjacency * lg.sparse_coo_tensor(adjacency.indices(), (degree[i] * degree[j]).rsqrt(), adjacency.shape)
print(f"normalized adjacency: {norm._nnz()} entries, layout {norm.layout}, CSR row starts "
      f"{norm.to_sparse_csr().crow_indices()[:4].tolist()}...")

hint = np.eye(COMMUNITIES)[community] @ rng.normal(0, 1, (COMMUNITIES, FEATURES))
features = lg.tensor((0.3 * hint + rng.normal(0, 1, (NODES, FEATURES))).astype(np.float32))
labels = lg.tensor(community)
train = lg.tensor(np.concatenate([np.flatnonzero(community == c)[:10] for c in range(COMMUNITIES)]))


class GCN(lg.nn.Module):
    def __init__(self):
        super().__init__()
        self.first = lg.nn.Linear(FEATURES, 32)
        self.second = lg.nn.Linear(32, COMMUNITIES)
        self.node_vectors = lg.nn.Embedding(NODES, 32, sparse=True)

    def forward(self, a, x):
        h = (lg.sparse.mm(a, self.first(x)) + self.node_vectors(lg.arange(NODES))).relu()
        return lg.sparse.mm(a, self.second(h))


model = GCN()
dense_params = [p for name, p in model.named_parameters() if not name.startswith("node_vectors")]
optimizers = [lg.optim.Adam(dense_params, lr=0.02, weight_decay=5e-4),
              lg.optim.SparseAdam(model.node_vectors.parameters(), lr=0.02)]
for step in range(60):
    for opt in optimizers:
        opt.zero_grad()
    logits = model(norm, features)
    loss = lg.nn.functional.cross_entropy(logits[train], labels[train])
    loss.backward()
    for opt in optimizers:
        opt.step()
    if step % 20 == 0:
        print(f"step {step:2d}  loss {loss.item():.4f}  node_vectors.grad: {model.node_vectors.weight.grad.layout}")

with lg.no_grad():
    predicted = model(norm, features).argmax(1)
held_out = np.setdiff1d(np.arange(NODES), train.numpy())
accuracy = (predicted.numpy()[held_out] == community[held_out]).mean()
# for scale: the features alone, each node given the community whose labelled nodes' mean is nearest
x, labelled = features.numpy(), train.numpy()
means = np.stack([x[labelled[community[labelled] == c]].mean(0) for c in range(COMMUNITIES)])
nearest = ((x[held_out, None, :] - means) ** 2).sum(-1).argmin(1)
print(f"accuracy on {len(held_out)} unlabelled nodes: {accuracy:.1%} (the features alone, nearest community "
      f"mean: {(nearest == community[held_out]).mean():.1%})")
