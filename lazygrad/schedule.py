"""Cut a graph into kernels: the fusion rules.

A node is *materialized* (stored to its own buffer by the kernel rooted at it) when:
1. it is a realization target;
2. it is a SCAN, SCATTER, SORT or EXTERN (they run as their own kernel) or a COPY (a store barrier),
   or the data a GATHER reads at computed positions, or what a SORT orders unless that is a view of
   memory (the sort reads each key many times), or what an EXTERN reads unless stored already (a
   library routine takes whole arrays in memory);
3. it is read through a VIEW that is not a plain reshape and contains an unmaterialized reduction
   (a reduction cannot be evaluated at a remapped index), or the VIEW expands it and it is
   expensive (recomputing it per broadcast element costs more than storing it, and the expanded
   work is more than a kernel launch costs);
4. it feeds a REDUCE/SCAN/SCATTER and contains another reduction (no nested reduction loops);
5. it is used by several kernels and is a reduction or expensive (computed once, stored);
6. it is a reduction whose loop shape differs from another reduction fused into the same kernel;
7. it lies MAX_FUSED_DEPTH ops above the stored values its kernel reads (a chain built in a Python loop,
   an unrolled series): one kernel's expression stays a depth the lowering walks and a compiler takes.
Rules 3, 4 and 7 are decided from the sources up, so a reduction stored below a node leaves the node
nothing to nest (the work above it fuses); the rules run until no node is added.
Targets computed together share a kernel when they walk the same loops and neither needs the other:
elementwise targets of one shape, reductions of one loop shape, and elementwise targets shaped like a
reduction's input, which are stored from inside its loop (a forward pass and its gradient, say).
Everything else fuses: elementwise ops into their consumer, elementwise inputs into a reduction,
elementwise work on a reduction's result (at its shape) into the reduction's kernel, and views
become index arithmetic.
"""
from __future__ import annotations

import itertools

from dataclasses import dataclass

from .graph import MAX_FUSED_DEPTH, Node, toposort
from .ops import SOURCES, TRANSCENDENTAL, Op

# Costs in units of one cheap op per element; a store plus a reload costs about as much as two
# vectorized transcendental functions on this kind of machine.
TRANSCENDENTAL_COST = 4
RAND_COST = 8
# a value needed by several kernels is stored once it costs this much to recompute
RECOMPUTE_LIMIT = 8
# a value read through an expanding VIEW is stored once it costs this much per element, and recomputing
# it over the expanded shape costs this much in all (less is cheaper than a kernel of its own)
EXPAND_LIMIT = 4
EXPAND_WORK_LIMIT = 1 << 16
# ops computed by their own kernel, and ops whose kernel has loops of its own (no nesting)
OWN_KERNEL = frozenset({Op.SCAN, Op.SCATTER, Op.SORT, Op.EXTERN})
KERNEL_LOOPS = frozenset({Op.REDUCE, Op.SCAN, Op.SCATTER, Op.SORT, Op.EXTERN})


@dataclass(eq=False)
class ScheduledKernel:
    """One kernel: the outputs it stores and the already-stored nodes it loads, in parameter order."""

    outputs: tuple[Node, ...]
    inputs: tuple[Node, ...]


def is_reshape(node: Node) -> bool:
    """A VIEW that only regroups dims: index arithmetic of the row-major order stays the identity."""
    return node.op is Op.VIEW and node.arg.is_contiguous and node.arg.numel == node.srcs[0].numel


def is_stored(node: Node) -> bool:
    return node.buffer is not None or node.op is Op.BUFFER


def stored_reshape(node: Node) -> bool:
    """A reshape of a stored node: its buffer as it is, read with other dims."""
    return is_reshape(node) and is_stored(node.srcs[0])


def _in_memory(node: Node) -> bool:
    """Stored, or a view of something stored: reading it is loads (index arithmetic), nothing to compute."""
    while node.op is Op.VIEW:
        node = node.srcs[0]
    return is_stored(node)


def unrealized_order(targets: list[Node]) -> list[Node]:
    """Topological order of the unrealized part of the graph, stored nodes as leaves (graph.toposort's
    order; written out, as every realization walks its whole graph this way)."""
    order, seen = [], set()
    for root in targets:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(() if is_stored(root) else root.srcs))]
        while stack:
            node, pending = stack[-1]
            for src in pending:
                if id(src) not in seen:
                    seen.add(id(src))
                    stack.append((src, iter(() if src.buffer is not None or src.op is Op.BUFFER else src.srcs)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _rules_from_below(order: list[Node], materialized: set[int], reads: dict[int, tuple]) -> tuple[set[int], dict]:
    """Rules 3, 4 and 7 and the expand rule, decided from the sources up, so that each decision sees what
    is stored below it (a reduction stored below leaves nothing to nest). Returns the nodes these rules
    add and each node's per-element cost of recomputing its subgraph, as its consumers see it (stored
    and materialized nodes are free)."""
    added: set[int] = set()
    cost: dict[int, int] = {}
    has_reduce: dict[int, bool] = {}  # a reduction in the unstored subgraph, reachable without a real VIEW
    depth: dict[int, int] = {}  # ops between the node and the stored values it reads
    for n in order:
        nid = id(n)
        if is_stored(n) or n.op in SOURCES:
            c, reduces, d = (RAND_COST if n.op is Op.RAND and not is_stored(n) else 0), False, 0
        else:
            own = TRANSCENDENTAL_COST if n.op in TRANSCENDENTAL else 0 if n.op is Op.VIEW else 1
            c = own + sum(cost[id(s)] for s in n.srcs)
            d = 1 + max(depth[id(s)] for s in n.srcs)
            if n.op in KERNEL_LOOPS:
                reduces = True
            elif n.op is Op.VIEW and not is_reshape(n):
                reduces = False  # rule 3 stores what a real VIEW reads, if needed
            else:
                reduces = any(has_reduce[id(s)] for s in n.srcs)
        if nid not in materialized and nid in reads:
            real_view, expanded, looped = reads[nid]
            expensive = c >= EXPAND_LIMIT and expanded * c >= EXPAND_WORK_LIMIT
            if (real_view or looped) and reduces or expanded and expensive:  # rules 3, 4, expand
                added.add(nid)
        if nid not in materialized and d >= MAX_FUSED_DEPTH:  # rule 7
            added.add(nid)
        stored = nid in materialized or nid in added
        cost[nid], has_reduce[nid], depth[nid] = (0, False, 0) if stored else (c, reduces, d)
    return added, cost


def _reduce_signature(node: Node) -> tuple:
    return (node.srcs[0].shape, node.arg[1])


def _loop_space(root: Node, elsewhere: frozenset[int] = frozenset()) -> tuple:
    """What loops a target's kernel walks: ('reduce', input shape, axes, root shape) or ('elementwise', shape).
    Nodes in `elsewhere` are computed by other kernels: read from memory, they bring no loops."""
    stack, seen = [root], set()
    while stack:
        n = stack.pop()
        if id(n) in seen or is_stored(n) or (id(n) in elsewhere and n is not root):
            continue
        seen.add(id(n))
        if n.op is Op.REDUCE:
            return ("reduce", n.srcs[0].shape, n.arg[1], root.shape)
        if n.op in OWN_KERNEL or (n.op is Op.VIEW and not is_reshape(n)):
            continue
        stack.extend(n.srcs[1:] if n.op is Op.GATHER else n.srcs)
    return ("elementwise", root.shape)


def _group_targets(targets: list[Node], order: list[Node]) -> dict[int, int]:
    """Group id of each target: targets sharing loops, with no dependency between them, share one."""
    pending = [t for t in targets if not is_stored(t) and t.op not in OWN_KERNEL]
    if len(pending) <= 1:
        return {id(t): 0 for t in pending}
    needs = _targets_below(pending, order, lambda n: () if is_stored(n) else n.srcs)
    # what a target reads at its own index only (through elementwise ops): fine inside one kernel
    same_index = _targets_below(pending, order, _same_index_srcs)
    groups: list[list[Node]] = []
    group_of: dict[int, int] = {}
    spaces = {id(t): _loop_space(t) for t in pending}
    for t in pending:
        space = spaces[id(t)]
        for gid, members in enumerate(groups):
            if any((id(t) in needs[id(m)] and id(t) not in same_index[id(m)]) or
                   (id(m) in needs[id(t)] and id(m) not in same_index[id(t)]) for m in members):
                continue
            if _compatible(space, [spaces[id(m)] for m in members]):
                members.append(t)
                group_of[id(t)] = gid
                break
        else:
            group_of[id(t)] = len(groups)
            groups.append([t])
    return group_of


def _split_groups(pending: list[Node], group_of: dict[int, int], materialized: set[int],
                  needs: dict[int, set[int]]) -> dict[int, int] | None:
    """Regroup the targets once the materialized nodes are known; None when every group stands. Two
    targets share a kernel only while their loops still agree with the nodes stored elsewhere cut out (a
    reduction that went to a kernel of its own no longer lends its loops to the group), and while neither
    reads, through a kernel outside the group, what the other writes (that kernel would have to run both
    before and after theirs)."""
    members: dict[int, list[Node]] = {}
    for t in pending:
        members.setdefault(group_of[id(t)], []).append(t)
    regrouped, split = {}, False
    for ts in members.values():
        ids = {id(t) for t in ts}
        elsewhere = frozenset(materialized - ids)
        parts: list[tuple[list[tuple], set[int], set[int]]] = []  # spaces, members, targets they wait for
        for t in ts:
            space, waits = _loop_space(t, elsewhere), _waits_for(t, elsewhere, needs) & ids
            part = next((p for p in parts if _compatible(space, p[0]) and not waits & p[1]
                         and id(t) not in p[2]), None)
            if part is None:
                parts.append(([space], {id(t)}, set(waits)))
            else:
                part[0].append(space)
                part[1].add(id(t))
                part[2].update(waits)
        split |= len(parts) > 1
        for _, part_members, _ in parts:
            gid = len(set(regrouped.values()))
            regrouped.update((m, gid) for m in part_members)
    return regrouped if split else None


def _waits_for(root: Node, elsewhere: frozenset[int], needs: dict[int, set[int]]) -> set[int]:
    """The targets that the kernels computing root's inputs (the nodes in `elsewhere` it reads) depend on."""
    stack, seen, found = list(root.srcs), set(), set()
    while stack:
        n = stack.pop()
        if id(n) in seen or is_stored(n):
            continue
        seen.add(id(n))
        if id(n) in elsewhere:
            found |= needs[id(n)]
        else:
            stack.extend(n.srcs)
    return found


def _targets_below(targets: list[Node], order: list[Node], children) -> dict[int, set[int]]:
    """For each node, the targets (itself included) reachable from it through `children`: one walk
    over the graph in `order` (the graph's topological order, which any subset of its edges keeps)."""
    wanted = {id(t) for t in targets}
    below: dict[int, set[int]] = {}
    empty: set[int] = set()
    for n in order:
        found = {id(n)} if id(n) in wanted else empty
        for c in children(n):
            if below[id(c)]:  # (sets are never changed once made, so a node may share its child's)
                found = found | below[id(c)] if found else below[id(c)]
        below[id(n)] = found
    return below


def _same_index_srcs(n: Node):
    if is_stored(n) or n.op in KERNEL_LOOPS or (n.op is Op.VIEW and not is_reshape(n)):
        return ()
    return n.srcs[1:] if n.op is Op.GATHER else n.srcs


def inputs_read_elsewhere(item: ScheduledKernel) -> frozenset[int]:
    """The positions (in item.inputs) of the stored values this kernel reads anywhere but at the position
    its outputs store to (through a reduction, a real view, a gather's data...): an output may be stored
    into the buffer of any other input, read only through elementwise ops and reshapes."""
    inputs = {id(n): i for i, n in enumerate(item.inputs)}
    stack = [(o, True) for o in item.outputs]
    seen, elsewhere = set(), set()
    while stack:
        n, aligned = stack.pop()
        if (id(n), aligned) in seen:
            continue
        seen.add((id(n), aligned))
        if id(n) in inputs or is_stored(n):
            if not aligned and id(n) in inputs:
                elsewhere.add(inputs[id(n)])
            continue
        aligned = (aligned and n.op not in (Op.REDUCE, Op.SCAN, Op.SORT, Op.EXTERN)
                   and (n.op is not Op.VIEW or is_reshape(n)))
        # a gather reads its data, a scatter its index and values, at other positions
        stack.extend((s, aligned and (k, n.op) not in ((0, Op.GATHER), (1, Op.SCATTER), (2, Op.SCATTER)))
                     for k, s in enumerate(n.srcs))
    return frozenset(elsewhere)


def _compatible(space: tuple, others: list[tuple]) -> bool:
    reduces = {o for o in others + [space] if o[0] == "reduce"}
    if len(reduces) > 1:
        return False
    if reduces:
        (_, in_shape, _, _), = reduces
        return all(o[0] == "reduce" or o[1] == in_shape for o in others + [space])
    return all(o == space for o in others)


def _choose_materialized(order: list[Node], targets: list[Node], group_of: dict[int, int]) -> set[int]:
    materialized = {id(t) for t in targets if not is_stored(t)}
    materialized |= {id(n) for n in order if (n.op in OWN_KERNEL or n.op is Op.COPY) and not is_stored(n)}
    materialized |= {id(n.srcs[0]) for n in order if n.op is Op.GATHER and not is_stored(n) and
                     not is_stored(n.srcs[0])}
    materialized |= {id(n.srcs[0]) for n in order if n.op is Op.SORT and not is_stored(n) and
                     not _in_memory(n.srcs[0])}
    materialized |= {id(s) for n in order if n.op is Op.EXTERN and not is_stored(n) for s in n.srcs
                     if not is_stored(s) and not stored_reshape(s)}
    consumers: dict[int, list[Node]] = {id(n): [] for n in order}
    for n in order:
        if not is_stored(n):
            for s in n.srcs:
                consumers[id(s)].append(n)
    # random numbers read more than once are generated once (rule 5, decided first so costs see it)
    materialized |= {id(n) for n in order if n.op is Op.RAND and not is_stored(n) and len(consumers[id(n)]) > 1}
    walk = [(n, consumers[id(n)]) for n in reversed(order)
            if not is_stored(n) and (n.op not in SOURCES or n.op is Op.RAND)]
    # how each node is read (fixed while the rules run): through a real VIEW, through an expanding
    # VIEW (as how many elements at most; 0 when not), by a kernel with loops of its own
    reads = {id(n): (any(c.op is Op.VIEW and not is_reshape(c) for c in cs),
                     max((c.numel for c in cs if c.op is Op.VIEW and c.numel > n.numel), default=0),
                     any(c.op in KERNEL_LOOPS for c in cs)) for n, cs in walk}
    while True:
        below, cost = _rules_from_below(order, materialized, reads)
        materialized |= below
        roots: dict[int, set[int]] = {}
        added = set()
        for n, cs in walk:  # from the targets down: which kernels read each node
            nid = id(n)
            if nid in materialized:
                roots[nid] = {nid}
                continue
            kernels = set().union(*(roots[id(c)] for c in cs)) if cs else set()
            if (len(kernels) > 1 and len({group_of.get(k, k) for k in kernels}) > 1
                    and (n.op is Op.REDUCE or cost[nid] >= RECOMPUTE_LIMIT)):  # rule 5
                added.add(nid)
            roots[nid] = {nid} if nid in added else kernels
        added |= _mixed_reductions(order, roots, materialized | added, group_of)  # rule 6
        if not added:  # (what the rules from below added, they saw already)
            return materialized
        materialized |= added


def _mixed_reductions(order: list[Node], roots: dict[int, set[int]], materialized: set[int],
                      group_of: dict[int, int]) -> set[int]:
    """Rule 6: the reductions a kernel would nest beside one of another signature get kernels of their own.
    A kernel is a group of targets: a reduction that is one of them sets the group's loops first."""
    first: dict[int, tuple] = {}
    for n in order:
        if n.op is Op.REDUCE and id(n) in group_of and not is_stored(n):
            first.setdefault(group_of[id(n)], _reduce_signature(n))
    extra = set()
    for n in reversed(order):
        if n.op is not Op.REDUCE or id(n) in materialized or id(n) not in roots:
            continue
        for r in roots[id(n)]:
            sig = first.setdefault(group_of.get(r, ("kernel", r)), _reduce_signature(n))
            if sig != _reduce_signature(n):
                extra.add(id(n))
    return extra


def create_schedule(targets: list[Node]) -> list[ScheduledKernel]:
    """Kernels that compute every target, in an order where each kernel's inputs already exist."""
    order = unrealized_order(targets)
    group_of = _group_targets(targets, order)
    pending = [t for t in targets if id(t) in group_of]
    needs = _targets_below(pending, order, lambda n: () if is_stored(n) else n.srcs)
    while True:
        materialized = _choose_materialized(order, targets, group_of)
        regrouped = _split_groups(pending, group_of, materialized, needs)
        if regrouped is not None:
            group_of = regrouped
            continue
        kernels = _in_dependency_order(_kernels(order, group_of, materialized))
        tangled = _run_too_late(kernels)
        if not tangled:
            return kernels
        # two groups wait on each other through a third kernel: the later group's targets go apart
        fresh = itertools.count(max(group_of.values()) + 1)
        group_of = {**group_of, **{id(o): next(fresh) for k in tangled for o in k.outputs if id(o) in group_of}}


def _kernels(order: list[Node], group_of: dict[int, int], materialized: set[int]) -> list[ScheduledKernel]:
    """One kernel per group of targets (and per other materialized node), with the stored or materialized
    nodes it reads as inputs."""
    members: dict[int, list[Node]] = {}
    for n in order:
        if id(n) in materialized:
            members.setdefault(group_of.get(id(n), -1 - len(members)), []).append(n)
    kernels = []
    for outputs in members.values():  # in the order of each group's first member: dependencies come first
        inputs, seen = [], {id(o) for o in outputs}
        stack = list(outputs)
        while stack:
            m = stack.pop()
            for s in m.srcs:
                if id(s) in seen:
                    continue
                seen.add(id(s))
                if is_stored(s) or id(s) in materialized:
                    inputs.append(s)
                elif s.op not in SOURCES:
                    stack.append(s)
        # reductions first: the lowering takes the loop structure from them
        outputs.sort(key=lambda o: _loop_space(o)[0] != "reduce")
        kernels.append(ScheduledKernel(tuple(outputs), tuple(inputs)))
    return kernels


def _run_too_late(kernels: list[ScheduledKernel]) -> list[ScheduledKernel]:
    """The kernels of several outputs that some kernel before them reads (a cycle between kernels, which no
    order can run: the grouping must give way)."""
    producer = {id(o): k for k in kernels for o in k.outputs}
    position = {id(k): i for i, k in enumerate(kernels)}
    late = {id(producer[id(i)]): producer[id(i)] for k in kernels for i in k.inputs
            if id(i) in producer and position[id(producer[id(i)])] >= position[id(k)]}
    tangled = [k for k in late.values() if len(k.outputs) > 1]
    if late and not tangled:
        raise RuntimeError("lazygrad: internal error: the kernels of a schedule depend on each other in a cycle")
    return tangled


def _in_dependency_order(kernels: list[ScheduledKernel]) -> list[ScheduledKernel]:
    """Each kernel after the kernels whose outputs it reads."""
    producer = {id(o): k for k in kernels for o in k.outputs}
    return toposort(kernels, lambda k: [producer[id(i)] for i in k.inputs if id(i) in producer])

