"""`ballot-station serve [--workspace DIR] [--host H] [--port P] …`: run the station."""

from __future__ import annotations

import argparse
from pathlib import Path

from station.service.config import ServiceConfig

ROLE_ZH = {"staff": "计票工作人员", "scrutineer": "监票人", "auditor": "审计人员"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动计票服务 / run the counting service")
    add_service_args(p)
    p.set_defaults(func=run)


def add_service_args(p: argparse.ArgumentParser, election_required: bool = True) -> None:
    p.add_argument("--election", type=Path, required=election_required, help="选举定义文件 / election definition")
    p.add_argument("--workspace", type=Path, default=Path("workspace"), help="工作目录 / workspace folder")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认仅本机）/ listen address (default: local only)")
    p.add_argument("--port", type=int, default=8470)
    p.add_argument("--profile", default="scanner", help="校准 / calibration: scanner, camera or a file")
    p.add_argument("--readers", type=int, default=1, help="识别进程数 / reading processes")
    p.add_argument("--hot-folder", type=Path, help="扫描软件写入的文件夹 / folder scanner software writes into")
    p.add_argument("--scanner", help="SANE 扫描仪（scanimage -L 的名称，或 default）/ SANE scanner device")
    p.add_argument("--scanner-source", help="进纸方式，如 'ADF Duplex' / the scanner's --source")
    p.add_argument("--duplex", action="store_true", help="双面扫描，丢弃空白背面 / duplex, blank backs dropped")
    p.add_argument("--camera", help="摄像头编号或视频文件 / camera index (0, 1…) or a video file")
    p.add_argument("--box", dest="box_url", help="票箱 / ballot box: /dev/ttyACM0, socket://host:port, sim://")


def config_from(args: argparse.Namespace, election: Path) -> ServiceConfig:
    return ServiceConfig(
        workspace=args.workspace,
        election=election,
        host=args.host,
        port=args.port,
        profile=args.profile,
        readers=args.readers,
        hot_folder=args.hot_folder,
        box_url=args.box_url,
        scanner=args.scanner,
        scanner_source=args.scanner_source,
        duplex=args.duplex,
        camera=args.camera,
    )


def banner(cfg: ServiceConfig, tokens: dict | None) -> str:
    base = f"http://{'localhost' if cfg.local_only else cfg.host}:{cfg.port}"
    lines = [
        "计票站已启动 / the ballot station is running",
        f"  工作目录 workspace: {cfg.workspace.resolve()}",
        f"  计票工作台 staff console:      {base}/web/staff.html",
        f"  监票人审核 scrutineer review:  {base}/web/review.html",
        f"  大屏幕 observers' screen:      {base}/web/observer.html",
        f"  审计 auditor's view:           {base}/web/audit.html",
        f"  接口文档 API docs:             {base}/docs",
    ]
    if tokens:
        lines.append("  令牌（只显示这一次，请妥善保管）/ tokens (shown only this once; keep them safe):")
        for role, tok in tokens.items():
            lines.append(f"    {ROLE_ZH[role.value]} {role.value}: {tok}")
    else:
        lines.append("  令牌已在首次启动时发放 / tokens were issued at the first start (ballot-station tokens --reset)")
    if not cfg.local_only:
        lines.append(
            f"  注意：监听 {cfg.host}，局域网内其他设备可以访问 / warning: listening on {cfg.host}, "
            "reachable from the network"
        )
    return "\n".join(lines)


def serve(cfg: ServiceConfig, on_started=None) -> int:
    import uvicorn

    from station.service.app import create_app
    from station.service.station import Station

    def started(station: Station) -> None:  # after Station.start(): the tokens exist now
        print(banner(cfg, station.new_tokens), flush=True)
        if on_started:
            on_started(station)

    app = create_app(Station(cfg), started)
    uvicorn.run(app, host=cfg.host, port=cfg.port, log_level="warning")
    return 0


def run(args: argparse.Namespace) -> int:
    if not args.election.is_file():
        from station.errors import StationError

        raise StationError(f"找不到选举定义文件：{args.election}", f"election file not found: {args.election}")
    return serve(config_from(args, args.election))
