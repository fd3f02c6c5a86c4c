"""Service configuration: embedded defaults that are safe, every field bounded and explained."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ServiceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    workspace: Path = Field(Path("workspace"), description="数据库与选票图像所在文件夹 / database and images")
    election: Path = Field(description="选举定义文件 / the election definition")
    host: str = Field("127.0.0.1", description="监听地址：默认只接受本机访问 / listen address (local only)")
    port: int = Field(8470, ge=1, le=65535)
    profile: str = Field("scanner", description="校准 / calibration profile: scanner, camera or a file")
    readers: int = Field(1, ge=1, le=8, description="识别进程数 / reading processes")
    hot_folder: Path | None = Field(None, description="扫描软件写入的文件夹 / folder scanner software writes into")
    scanner: str | None = Field(
        None, description="SANE 扫描仪（scanimage -L 的名称，或 'default'）/ SANE scanner device"
    )
    scanner_source: str | None = Field(None, description="扫描仪进纸方式，如 'ADF Duplex' / the scanner's --source")
    duplex: bool = Field(False, description="双面扫描：丢弃空白背面 / duplex: blank backs are dropped")
    camera: str | None = Field(None, description="摄像头编号或视频文件 / camera index (0, 1…) or a video file")
    box_url: str | None = Field(None, description="票箱串口 / ballot box: /dev/ttyACM0, socket://…, sim://")
    max_upload_mb: int = Field(40, ge=1, le=500, description="单个上传文件上限 / largest upload")

    @field_validator("host")
    @classmethod
    def _host(cls, v: str) -> str:
        if v != "localhost":
            ipaddress.ip_address(v)  # a clear error for a typo; names other than localhost are refused
        return v

    @property
    def local_only(self) -> bool:
        return self.host in ("127.0.0.1", "::1", "localhost")
