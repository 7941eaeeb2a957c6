"""``python -m analysis list [NOTEBOOK ...]``: each notebook with its parameters, types and defaults."""

from __future__ import annotations

import argparse

from .discover import resolve_notebooks
from .parameters import inspect_parameters


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``list`` arguments to ``parser``."""
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="default: every notebook")


def run(args: argparse.Namespace) -> None:
    """Print every selected notebook's parameters (name, type, default, help); nothing to judge."""
    for nb in resolve_notebooks(args.notebooks):
        params = inspect_parameters(nb)
        print(f"{nb.stem}  ({len(params)} parameters)")
        width = max((len(n) for n in params), default=0)
        for name, meta in params.items():
            help_text = f"  # {meta['help']}" if meta["help"] else ""
            print(f"  {name:<{width}}  {meta['type']:<10} = {meta['default']}{help_text}")
        print()
