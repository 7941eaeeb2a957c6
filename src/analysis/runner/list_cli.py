"""``python -m analysis list``: each notebook with its parameters, types and defaults."""

from __future__ import annotations

import argparse

from .runner import inspect_parameters, resolve_notebooks


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="default: every notebook")


def run(args: argparse.Namespace) -> int:
    for nb in resolve_notebooks(args.notebooks):
        params = inspect_parameters(nb)
        print(f"{nb.stem}  ({len(params)} parameters)")
        width = max((len(n) for n in params), default=0)
        for name, meta in params.items():
            help_text = f"  # {meta['help']}" if meta["help"] else ""
            print(f"  {name:<{width}}  {meta['type']:<10} = {meta['default']}{help_text}")
        print()
    return None
