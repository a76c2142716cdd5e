"""A real Synapse homeserver for tests: generated config, a free loopback port, shared-secret
registration and a few client-server calls (as a person) to drive the bot with.

One server per test session (per xdist worker): everything it writes lives in its own temporary
directory, and its port is picked by binding port 0. It is started with subprocess and waited
for on `GET /health`; `stop()` terminates it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

PYTHON_ENV = "PAPERBOT_TEST_SYNAPSE_PYTHON"
REPO = Path(__file__).resolve().parents[2]
DEFAULT_PYTHON = REPO / ".venv-synapse" / "bin" / "python"
START_TIMEOUT = 60.0
GENEROUS = {"per_second": 1000, "burst_count": 1000}


def synapse_python() -> Path:
    """The interpreter of the venv Synapse is installed in (PAPERBOT_TEST_SYNAPSE_PYTHON)."""
    return Path(os.environ.get(PYTHON_ENV) or DEFAULT_PYTHON)


def free_port() -> int:
    """A loopback port nobody listens on right now (bind port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def signing_key() -> str:
    """A fresh ed25519 signing key in Synapse's file format (algorithm, version, seed)."""
    seed = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return f"ed25519 a_test {seed}\n"


def homeserver_config(home: Path, port: int, secret: str) -> dict[str, Any]:
    """A minimal single-server config: client API only, SQLite, no federation or stats."""
    limits = {"rc_message": GENEROUS, "rc_registration": GENEROUS, "rc_joins":
              {"local": GENEROUS, "remote": GENEROUS}, "rc_invites": {"per_room": GENEROUS,
              "per_user": GENEROUS, "per_issuer": GENEROUS}, "rc_room_creation": GENEROUS,
              "rc_login": {"address": GENEROUS, "account": GENEROUS,
                           "failed_attempts": GENEROUS}}  # fmt: skip
    return {
        "server_name": "localhost",
        "pid_file": str(home / "homeserver.pid"),
        "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http",
                       "tls": False, "x_forwarded": False,
                       "resources": [{"names": ["client"], "compress": False}]}],
        "database": {"name": "sqlite3", "args": {"database": str(home / "homeserver.db")}},
        "log_config": str(home / "log.yaml"),
        "media_store_path": str(home / "media"),
        "signing_key_path": str(home / "signing.key"),
        "registration_shared_secret": secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "report_stats": False,
        "enable_metrics": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        **limits,
    }  # fmt: skip


def log_config(home: Path) -> dict[str, Any]:
    """Warnings and worse, to homeserver.log in the server's directory."""
    return {
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
        "handlers": {"file": {"class": "logging.FileHandler", "formatter": "plain",
                              "filename": str(home / "homeserver.log")}},
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }  # fmt: skip


@dataclass(frozen=True)
class Account:
    """A registered user and the access token to act as them."""

    user_id: str
    token: str
    password: str


class Synapse:
    """A running homeserver: its URL, and admin and client helpers over it."""

    def __init__(self, home: Path, python: Path) -> None:
        self.home = home
        self.python = python
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.secret = secrets.token_hex(16)
        self._process: subprocess.Popen[bytes] | None = None
        self.started_in = 0.0  # seconds from launch to a healthy server

    def start(self) -> Synapse:
        """Write the config, launch the server, and wait until /health answers."""
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "signing.key").write_text(signing_key())
        (self.home / "log.yaml").write_text(json.dumps(log_config(self.home)))  # YAML ⊃ JSON
        config = self.home / "homeserver.yaml"
        config.write_text(json.dumps(homeserver_config(self.home, self.port, self.secret)))
        launched = time.monotonic()
        self._process = subprocess.Popen(
            [str(self.python), "-m", "synapse.app.homeserver", "--config-path", str(config)],
            cwd=self.home, stdout=(self.home / "stdout.log").open("wb"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self._wait_healthy(launched + START_TIMEOUT)
        self.started_in = time.monotonic() - launched
        return self

    def _wait_healthy(self, deadline: float) -> None:
        assert self._process is not None
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise RuntimeError(f"synapse exited ({self._process.returncode}): "
                                       f"{self.log_tail()}")  # fmt: skip
                try:
                    if client.get(f"{self.url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)  # start-up polling only
        self.stop()
        raise RuntimeError(f"synapse not healthy within {START_TIMEOUT}s: {self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's output and log, for failure messages."""
        text = ""
        for name in ("stdout.log", "homeserver.log"):
            path = self.home / name
            if path.exists():
                text += "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        return text

    def stop(self) -> None:
        """Terminate the server (kill it if it does not exit within 10 s)."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)

    def register(self, name: str | None = None, *, admin: bool = False) -> Account:
        """A new user through the shared-secret admin API (HMAC-SHA1 over nonce and fields)."""
        name = name or f"u{uuid.uuid4().hex[:10]}"
        password = secrets.token_hex(8)
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        with httpx.Client(timeout=30.0) as client:
            nonce = client.get(endpoint).raise_for_status().json()["nonce"]
            fields = [nonce, name, password, "admin" if admin else "notadmin"]
            mac = hmac.new(self.secret.encode(), "\x00".join(fields).encode(), hashlib.sha1)
            body = {"nonce": nonce, "username": name, "password": password, "admin": admin,
                    "mac": mac.hexdigest()}  # fmt: skip
            answer = client.post(endpoint, json=body).raise_for_status().json()
        return Account(answer["user_id"], answer["access_token"], password)


def path_id(value: str) -> str:
    """A room, event or user id as a URL path segment."""
    return quote(value, safe="")
