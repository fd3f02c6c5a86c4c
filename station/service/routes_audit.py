"""Auditors: verify every stored image against its hash and the action log's chain."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from station.service.deps import Auditor, StationDep
from station.store.verify import verify

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.post("/verify", summary="核验全部图像与日志链 / verify every image and the log chain")
def run_verify(station: StationDep, actor: Auditor) -> dict[str, Any]:
    rep = verify(station.store)
    station.log(
        actor,
        "audit_verify",
        {
            "ok": rep.ok,
            "images": rep.images_checked,
            "bad": len(rep.images_bad),
            "log_entries": rep.log_entries,
            "broken_at": rep.log_broken_at,
        },
    )
    return {
        "ok": rep.ok,
        "images_checked": rep.images_checked,
        "images_bad": [{"sha256": s, "problem": p} for s, p in rep.images_bad],
        "log_entries": rep.log_entries,
        "log_broken_at": rep.log_broken_at,
        "log_problem": rep.log_problem,
        "zh": "全部图像与日志核验无误" if rep.ok else "发现问题：图像被改动或缺失，或日志链断裂",
        "en": "every image and the log chain verify"
        if rep.ok
        else "problems: altered or missing images, or a broken log",
    }
