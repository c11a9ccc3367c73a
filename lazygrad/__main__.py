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


def _split_out(args: list[str]) -> tuple[str | None, list[str]]:
    """`--out DIR` (or `--out=DIR`) may come anywhere after the script; everything else is the script's."""
    out, rest, i = None, [], 0
    while i < len(args):
        if args[i] == "--out" and i + 1 < len(args):
            out, i = args[i + 1], i + 2
            continue
        if args[i].startswith("--out="):
            out = args[i].split("=", 1)[1]
        else:
            rest.append(args[i])
        i += 1
    return out, rest


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m lazygrad")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("cache", help="inspect or clear the compiled-kernel cache")
    c.add_argument("action", choices=["info", "clear"])
    sub.add_parser("dump", help="dump SCRIPT [ARGS] --out DIR: run a script and write every kernel it compiles",
                   add_help=False)
    if argv[:1] == ["dump"]:
        out, rest = _split_out(argv[1:])
        if out is None or not rest:
            parser.error("usage: python -m lazygrad dump SCRIPT [ARGS] --out DIR")
        return _dump(rest[0], rest[1:], out)
    ns = parser.parse_args(argv)
    return _cache(ns.action)


if __name__ == "__main__":
    sys.exit(main())
