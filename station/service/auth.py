"""Roles and tokens. Observers need none (they only read). Every write needs the token of
a role allowed to make it; tokens are made at first start, shown once, stored hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import StrEnum

from station.store.store import Store


class Role(StrEnum):
    OBSERVER = "observer"
    STAFF = "staff"
    SCRUTINEER = "scrutineer"
    AUDITOR = "auditor"


TOKEN_ROLES = (Role.STAFF, Role.SCRUTINEER, Role.AUDITOR)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ensure_tokens(store: Store) -> dict[Role, str] | None:
    """Create the role tokens on the first start. Returns them (to show once) or None."""
    if store.token_hashes():
        return None
    tokens = {role: f"{role.value}-{secrets.token_urlsafe(18)}" for role in TOKEN_ROLES}
    for role, tok in tokens.items():
        store.set_token_hash(role.value, _digest(tok))
    return tokens


def reset_token(store: Store, role: Role) -> str:
    tok = f"{role.value}-{secrets.token_urlsafe(18)}"
    store.set_token_hash(role.value, _digest(tok))
    return tok


def role_of(store: Store, token: str | None) -> Role:
    """The role a token grants; no token or an unknown one is an observer."""
    if not token:
        return Role.OBSERVER
    d = _digest(token)
    for role, h in store.token_hashes().items():
        if hmac.compare_digest(h, d):
            return Role(role)
    return Role.OBSERVER
