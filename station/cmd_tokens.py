"""`ballot-station tokens --workspace DIR --reset ROLE`: issue a new token for a role
(the old one stops working). Tokens are stored hashed, so a lost one cannot be shown."""

from __future__ import annotations

import argparse
from pathlib import Path

from station.service.auth import TOKEN_ROLES, Role, reset_token
from station.store.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tokens", help="重新发放角色令牌 / issue a new role token")
    p.add_argument("--workspace", type=Path, default=Path("workspace"))
    p.add_argument("--reset", required=True, choices=[r.value for r in TOKEN_ROLES])
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = Store.open(args.workspace)
    try:
        token = reset_token(store, Role(args.reset))
        store.log("command-line", "system", "token_reset", {"role": args.reset}, "ballot-station tokens --reset")
    finally:
        store.close()
    print(f"新令牌 new token ({args.reset}): {token}")
    return 0
