"""Command line: `python -m lazygrad cache info|clear` and `python -m lazygrad dump SCRIPT [ARGS] --out DIR`."""
from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
from pathlib import Path


def _cache(action: str) -> int:
    from codegen import cache
    if action == "info":
        info = cache.cache_info()
        for key in ("path", "entries", "bytes"):
            print(f"{key:8} {info.get(key)}")
        if info.get("problem"):
            print(f"problem  {info['problem']}")
            return 1
        return 0
    removed = cache.clear_cache()
    print(f"removed {removed} compiled kernel{'s' if removed != 1 else ''} from {cache.cache_dir()}")
    return 0


def _dump(script: str, args: list[str], out: str) -> int:
    """Run a script with every compiled kernel's source written to `out`, plus an index.json."""
    out_dir = Path(out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    os.environ["LAZYGRAD_DUMP_DIR"] = str(out_dir)
    sys.argv = [script, *args]
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        sources = sorted(p.name for p in out_dir.glob("*.c"))
        (out_dir / "index.json").write_text(json.dumps({"script": script, "kernels": sources}, indent=2) + "\n")
        print(f"lazygrad: wrote {len(sources)} kernel source{'s' if len(sources) != 1 else ''} to {out_dir}",
              file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lazygrad")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("cache", help="inspect or clear the compiled-kernel cache")
    c.add_argument("action", choices=["info", "clear"])
    d = sub.add_parser("dump", help="run a script and write the source of every kernel it compiles")
    d.add_argument("script")
    d.add_argument("--out", required=True)
    d.add_argument("args", nargs=argparse.REMAINDER)
    ns = parser.parse_args(argv)
    if ns.command == "cache":
        return _cache(ns.action)
    return _dump(ns.script, [a for a in ns.args if a != "--"], ns.out)


if __name__ == "__main__":
    sys.exit(main())
