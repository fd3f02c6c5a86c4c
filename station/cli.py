"""`ballot-station`: one console script, one module per subcommand.

Each command module has `register(subparsers)`; adding a command is adding its module
to COMMANDS. Errors a user can act on (StationError) are printed in Chinese and English
with a non-zero exit, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from station.errors import StationError

COMMANDS = [
    "station.cmd_definition",  # check, schema
    "station.cmd_ballots",  # ballots
    "station.cmd_tally",  # tally
    "station.cmd_demo",  # demo
    "station.cmd_read",  # read
    "station.cmd_serve",  # serve
    "station.cmd_tokens",  # tokens
    "station.cmd_box",  # box status|count|text|signal|watch|emulate
]

EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ballot-station",
        description="计票站：纸质选票扫描计票 / paper-ballot scanning and counting station",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return run_guarded(args.func, args)


def run_guarded(func: Callable[[argparse.Namespace], int | None], args: argparse.Namespace) -> int:
    """Run a command: an error a user can act on is a bilingual message and exit 2, never a traceback."""
    try:
        return int(func(args) or 0)
    except StationError as err:
        print(f"错误：{err.zh}\nError: {err.en}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
