"""The on-disk cache of compiled kernels: a security boundary.

Everything in this directory is eventually ``dlopen``-ed into the process, so the
directory must be private to the current user. On the first use in each process
(per resolved path) the directory is checked: a real directory (``lstat``: not a
symlink), owned by the effective uid, not writable by group or others. A failed
check raises :class:`PermissionError` naming the path, the problem and the fix.
A pre-existing directory is never chmod-ed; only a directory this module has just
created is given mode 0700.

Layout (``<key>`` is a 64-hex-digit sha256 built by :func:`make_key`)::

    <dir>/<key[:2]>/<key>.so        the shared object (mode 0700)
    <dir>/<key[:2]>/<key>.sha256    "<sha256 of the .so bytes> <size>\\n" (mode 0600)
    <dir>/<key[:2]>/<key>.lock      flock(2) lock serialising builds of <key>
    <dir>/compilers/<hash>.json     small JSON records (the compiler identity)

An entry is used only if its sidecar parses and the ``.so`` has exactly the
recorded size and sha256; anything else (missing or corrupt sidecar, truncated
or modified ``.so``, unreadable file, symlink) is a miss and is rebuilt under the
lock. Writes go to a ``mkstemp`` file in the same directory, are fsync-ed and
then ``os.replace``-d into place, so a reader never sees a half-written file.
No pickles: the only structured data is JSON.

The location is read from the environment at call time: ``$LAZYGRAD_CACHE_DIR``,
else ``$XDG_CACHE_HOME/lazygrad``, else ``~/.cache/lazygrad``.

This module is a leaf of ``codegen``: it imports only the standard library and
``lazygrad.stats``.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shlex
import stat
import tempfile
import threading
from typing import Callable


__all__ = [
    "cache_dir",
    "ensure_cache_dir",
    "make_key",
    "entry_path",
    "lookup",
    "store",
    "get_or_build",
    "get_or_build_many",
    "read_record",
    "write_record",
    "cache_info",
    "clear_cache",
    "reset_state",
]

_KEY_RE = re.compile(r"^[0-9a-f]{64}$")
_SHARD_RE = re.compile(r"^[0-9a-f]{2}$")
_ENTRY_RE = re.compile(r"^([0-9a-f]{64})\.(so|sha256|lock)$")
_RECORD_RE = re.compile(r"^[0-9a-f]{64}\.json$")
_TMP_PREFIX = ".tmp-"
_RECORDS = "compilers"
_MAX_SIDECAR = 256
_MAX_RECORD = 1 << 16

_lock = threading.Lock()
_verified: set[str] = set()  # resolved paths checked (and created) in this process


# --------------------------------------------------------------------------- location



def counters():
    """lazygrad's counters, looked up when first counted: importing codegen on its own must not import
    lazygrad half-way through its own import."""
    from lazygrad.stats import COUNTERS
    return COUNTERS

def cache_dir() -> str:
    """The absolute path of the cache directory, from the environment *now*.

    Neither creates nor checks it; see :func:`ensure_cache_dir`.
    """
    env = os.environ.get("LAZYGRAD_CACHE_DIR")
    if env:
        return os.path.abspath(os.path.expanduser(env))
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore relative paths
        return os.path.join(os.path.abspath(xdg), "lazygrad")
    return os.path.join(os.path.expanduser("~"), ".cache", "lazygrad")


def reset_state() -> None:
    """Forget which directories this process has checked (for tests)."""
    with _lock:
        _verified.clear()


_FIX_HINT = "set LAZYGRAD_CACHE_DIR to a private directory (mode 0700, owned by you)"


def _check_dir(path: str) -> None:
    """Raise PermissionError unless ``path`` is a private directory of the current user."""
    q = shlex.quote(path)
    try:
        st = os.lstat(path)
    except OSError as e:
        raise PermissionError(
            f"lazygrad cache directory {path} cannot be inspected ({e.strerror}); refusing to use it. "
            f"Fix its permissions or {_FIX_HINT}."
        ) from e
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        raise PermissionError(
            f"lazygrad cache directory {path} is a symbolic link (to {target}); refusing to load "
            f"compiled code through it. Replace the link with a real directory (`rm {q} && mkdir -m 700 {q}`) "
            f"or set LAZYGRAD_CACHE_DIR to the real, private directory."
        )
    if not stat.S_ISDIR(st.st_mode):
        raise PermissionError(
            f"lazygrad cache directory {path} exists but is not a directory; refusing to use it. "
            f"Remove it or {_FIX_HINT}."
        )
    uid = os.geteuid()
    if st.st_uid != uid:
        raise PermissionError(
            f"lazygrad cache directory {path} is owned by uid {st.st_uid}, not by you (uid {uid}); "
            f"refusing to load compiled code from it. Run `chown {uid} {q} && chmod 700 {q}` "
            f"or {_FIX_HINT}."
        )
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o022:
        who = {0o020: "group", 0o002: "other users", 0o022: "group and other users"}[mode & 0o022]
        raise PermissionError(
            f"lazygrad cache directory {path} is writable by {who} (mode {mode:04o}); refusing to load "
            f"compiled code from it. Run `chmod 700 {q}` or {_FIX_HINT}."
        )


def ensure_cache_dir() -> str:
    """Create the cache directory if needed, check it once per process, return its path.

    Raises PermissionError if the directory is not private to the current user.
    """
    path = cache_dir()
    if path in _verified:
        return path
    with _lock:
        if path in _verified:
            return path
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)  # parents: default mode, only the final dir is private
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass  # pre-existing: checked below, never chmod-ed
        else:
            # We just created it: make the mode exactly 0700 whatever the umask (via an fd
            # opened without following symlinks, so nothing swapped in can be chmod-ed).
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                os.fchmod(fd, 0o700)
            finally:
                os.close(fd)
        _check_dir(path)
        _verified.add(path)
    return path


# --------------------------------------------------------------------------- keys & entries


def make_key(*parts: str | bytes) -> str:
    """A hex sha256 over the parts (length-prefixed, so part boundaries are unambiguous)."""
    h = hashlib.sha256(b"lazygrad-kernel-cache/1\0")
    for p in parts:
        b = p.encode("utf-8", "surrogatepass") if isinstance(p, str) else bytes(p)
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise ValueError(f"bad cache key {key!r}: expected 64 lowercase hex digits (see make_key)")


def _shard(root: str, key: str) -> str:
    return os.path.join(root, key[:2])


def entry_path(key: str) -> str:
    """Where the ``.so`` of ``key`` lives (whether or not it exists)."""
    _check_key(key)
    return os.path.join(_shard(cache_dir(), key), key + ".so")


def _read_nofollow(path: str, limit: int | None = None) -> bytes:
    """Read a regular file without following a symlink in its last component."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        if limit is not None and st.st_size > limit:
            raise OSError(errno.EFBIG, "file too large", path)
        chunks = []
        while True:
            b = os.read(fd, max(st.st_size, 1 << 16))
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _sidecar_text(data: bytes) -> bytes:
    return f"{hashlib.sha256(data).hexdigest()} {len(data)}\n".encode("ascii")


def _valid_entry(so_path: str, sidecar_path: str) -> bool:
    """True iff the sidecar parses and the .so has exactly the recorded size and sha256."""
    try:
        side = _read_nofollow(sidecar_path, _MAX_SIDECAR).decode("ascii").split()
        if len(side) != 2 or not _KEY_RE.match(side[0]) or not side[1].isdigit():
            return False
        data = _read_nofollow(so_path, int(side[1]))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return len(data) == int(side[1]) and hashlib.sha256(data).hexdigest() == side[0]


def lookup(key: str) -> str | None:
    """The path of a valid entry for ``key``, or None. Counts nothing."""
    _check_key(key)
    shard = _shard(ensure_cache_dir(), key)
    so = os.path.join(shard, key + ".so")
    return so if _valid_entry(so, os.path.join(shard, key + ".sha256")) else None


def _ensure_shard(root: str, key: str) -> str:
    shard = _shard(root, key)
    try:
        os.mkdir(shard, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(shard)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise PermissionError(
            f"lazygrad cache shard {shard} is not a directory owned by you; refusing to use it. "
            f"Run `python -m lazygrad cache clear` or remove {shlex.quote(shard)}."
        )
    return shard


def _atomic_write(directory: str, final: str, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=directory)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def store(key: str, data: bytes) -> str:
    """Atomically write the entry for ``key`` (sidecar first, then the .so); return the .so path.

    Safe without the key's lock (each file is replaced atomically and readers verify the pair),
    but :func:`get_or_build` holds the lock so that the work is done once.
    """
    _check_key(key)
    data = bytes(data)
    shard = _ensure_shard(ensure_cache_dir(), key)
    so = os.path.join(shard, key + ".so")
    _atomic_write(shard, os.path.join(shard, key + ".sha256"), _sidecar_text(data), 0o600)
    _atomic_write(shard, so, data, 0o700)
    _fsync_dir(shard)
    return so


class _KeyLock:
    """An exclusive flock(2) on ``<shard>/<key>.lock``; released by the kernel if we die."""

    def __init__(self, shard: str, key: str):
        self.path = os.path.join(shard, key + ".lock")
        self.fd = -1

    def __enter__(self) -> "_KeyLock":
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX)
                    break
                except InterruptedError:  # pragma: no cover - PEP 475 retries already
                    continue
        except BaseException:
            os.close(self.fd)
            self.fd = -1
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.fd >= 0:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = -1


def get_or_build(key: str, build: Callable[[], bytes]) -> str:
    """The path of a valid ``.so`` for ``key``: from disk if present, else ``build()`` and store.

    Concurrent callers (threads or processes) building the same key serialise on a per-key
    flock: one builds, the others wait and then load its result. A corrupt or truncated entry
    is rebuilt, never returned. Increments ``COUNTERS.disk_cache_hits`` when the entry is
    taken from disk without building; ``build`` (the compiler) counts its own work.
    """
    _check_key(key)
    root = ensure_cache_dir()
    shard = _shard(root, key)
    so = os.path.join(shard, key + ".so")
    side = os.path.join(shard, key + ".sha256")
    if _valid_entry(so, side):
        counters().disk_cache_hits += 1
        return so
    shard = _ensure_shard(root, key)
    with _KeyLock(shard, key):
        if _valid_entry(so, side):  # someone built it while we waited
            counters().disk_cache_hits += 1
            return so
        data = build()
        return store(key, data)


def get_or_build_many(keys: list[str], build: Callable[[list[int]], bytes]) -> list[str]:
    """:func:`get_or_build` for entries that one build makes together: ``build(indices)`` returns one
    shared object holding what the missing keys (by index, each key once) stand for, and it is stored
    as each of their entries. The returned path of every key built here is the first one's, so the
    caller loads that object once. Locks are taken in key order: two processes building overlapping
    sets wait for each other instead of deadlocking, and each key is still built once."""
    for key in keys:
        _check_key(key)
    root = ensure_cache_dir()
    paths: list[str | None] = [None] * len(keys)

    def take_valid(indices: list[int]) -> list[int]:
        missing, seen = [], set()
        for i in indices:
            shard = _shard(root, keys[i])
            so = os.path.join(shard, keys[i] + ".so")
            if _valid_entry(so, os.path.join(shard, keys[i] + ".sha256")):
                counters().disk_cache_hits += 1
                paths[i] = so
            elif keys[i] not in seen:
                seen.add(keys[i])
                missing.append(i)
        return missing

    missing = take_valid(list(range(len(keys))))
    if missing:
        with contextlib.ExitStack() as locks:
            for key in sorted({keys[i] for i in missing}):
                locks.enter_context(_KeyLock(_ensure_shard(root, key), key))
            missing = take_valid(missing)  # some may have been built while we waited
            if missing:
                data = build(missing)
                first = [store(keys[i], data) for i in missing][0]
                for i in missing:
                    paths[i] = first
    by_key = {k: p for k, p in zip(keys, paths) if p is not None}
    return [by_key[k] for k in keys]


# --------------------------------------------------------------------------- small records


def _record_path(root: str, name: str) -> str:
    return os.path.join(root, _RECORDS, hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest() + ".json")


def read_record(name: str) -> dict | None:
    """A small JSON object stored under ``name`` (any string), or None if absent/corrupt."""
    path = _record_path(ensure_cache_dir(), name)
    try:
        obj = json.loads(_read_nofollow(path, _MAX_RECORD).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(obj, dict) or obj.get("_name") != name:
        return None
    obj.pop("_name")
    return obj


def write_record(name: str, obj: dict) -> None:
    """Atomically store a small JSON object under ``name``."""
    root = ensure_cache_dir()
    d = os.path.join(root, _RECORDS)
    try:
        os.mkdir(d, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(d)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise PermissionError(f"lazygrad cache subdirectory {d} is not a directory owned by you")
    data = json.dumps({**obj, "_name": name}, sort_keys=True).encode("utf-8")
    _atomic_write(d, _record_path(root, name), data, 0o600)


# --------------------------------------------------------------------------- info / clear


def _scan(root: str):
    """Yield (path, kind, size) for files this module manages: kind in so/sha256/lock/tmp/record."""
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        return
    for name in sorted(names):
        sub = os.path.join(root, name)
        if _SHARD_RE.match(name) or name == _RECORDS:
            try:
                st = os.lstat(sub)
            except OSError:
                continue
            if not stat.S_ISDIR(st.st_mode):  # symlinks are never followed
                continue
            for fname in sorted(os.listdir(sub)):
                p = os.path.join(sub, fname)
                try:
                    fst = os.lstat(p)
                except OSError:
                    continue
                if not stat.S_ISREG(fst.st_mode):
                    continue
                if fname.startswith(_TMP_PREFIX):
                    kind = "tmp"
                elif name == _RECORDS:
                    if not _RECORD_RE.match(fname):
                        continue
                    kind = "record"
                else:
                    m = _ENTRY_RE.match(fname)
                    if not m or m.group(1)[:2] != name:
                        continue
                    kind = m.group(2)
                yield p, kind, fst.st_size


def cache_info() -> dict:
    """``{"path", "exists", "entries", "bytes", "problem"}``. Never creates the directory.

    ``entries`` counts ``.so`` files; ``bytes`` is the size of every file the cache manages.
    ``problem`` is None, or the PermissionError message if the directory would be refused.
    """
    path = cache_dir()
    info = {"path": path, "exists": os.path.lexists(path), "entries": 0, "bytes": 0, "problem": None}
    if not info["exists"]:
        return info
    try:
        _check_dir(path)
    except PermissionError as e:
        info["problem"] = str(e)
        return info
    for _, kind, size in _scan(path):
        info["bytes"] += size
        if kind == "so":
            info["entries"] += 1
    return info


def clear_cache() -> int:
    """Remove every cache entry (and sidecars, locks, temp files, records); return the entry count.

    Refuses (PermissionError) a directory that fails the safety check, since deleting through
    a symlink or in a directory others can write is not safe either. Not meant to run while
    other processes are compiling: a build that races with it may be done twice (never loaded
    corrupt: entries are still verified before use).
    """
    path = cache_dir()
    if not os.path.lexists(path):
        return 0
    _check_dir(path)
    removed = 0
    subdirs = set()
    for p, kind, _ in list(_scan(path)):
        try:
            os.unlink(p)
        except FileNotFoundError:
            continue
        subdirs.add(os.path.dirname(p))
        if kind == "so":
            removed += 1
    for d in subdirs:
        try:
            os.rmdir(d)
        except OSError:
            pass  # not empty (foreign files): leave it
    return removed
