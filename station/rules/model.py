"""The base of every rules model: typed, frozen, no unknown fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContestHead(Model):
    """What every contest result starts with; `valid` and `invalid` count ballots for this contest."""

    contest: str
    post: str
    valid: int
    invalid: int
