"""Fixtures for the interop suite (helpers: support.py, gateway.py).

Every gateway started here is stopped at teardown, and teardown is a leak check: a stdio gateway must exit 0 when its
stdin closes, and no process the gateway started may outlive it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gateway import HttpGateway, RawStdioClient
from routing_support import FakeProvider, RoutingGateway, fake_provider_bin, routing_settings
from support import ServersDir, children_of, pid_alive, switchyard_bin, wait_until


@pytest.fixture
def anyio_backend():
    """The SDK tests run on anyio's asyncio backend (anyio's pytest plugin reads this)."""
    return "asyncio"


@pytest.fixture
def servers_dir(tmp_path: Path) -> ServersDir:
    return ServersDir(tmp_path / "servers.d")


@pytest.fixture
def stdio_gateway(servers_dir: ServersDir):
    """Factory: start `switchyard stdio` on `servers_dir`; every gateway started is stopped at teardown."""
    started: list[RawStdioClient] = []

    def start(*extra_args: str, env: dict[str, str] | None = None, initialize: bool = True) -> RawStdioClient:
        client = RawStdioClient(servers_dir.path, *extra_args, env=env)
        started.append(client)
        if initialize:
            client.initialize()
        return client

    yield start
    for client in started:
        running, kids = client.proc.poll() is None, children_of(client.proc.pid)
        code = client.close()
        assert not client.non_json, f"gateway wrote non-JSON lines on stdout: {client.non_json[:5]}"
        assert not running or code == 0, f"switchyard stdio exited {code} at EOF:\n{client.stderr.tail()}"
        wait_until(lambda: not any(pid_alive(k) for k in kids), 5, f"children {kids} outlived the gateway")


@pytest.fixture
def http_gateway(servers_dir: ServersDir):
    """Factory: start `switchyard serve` on a free port; stopped at teardown."""
    started: list[HttpGateway] = []

    def start(*extra_args: str, env: dict[str, str] | None = None) -> HttpGateway:
        gw = HttpGateway(servers_dir.path, *extra_args, env=env)
        started.append(gw)
        return gw

    yield start
    for gw in started:
        kids = children_of(gw.proc.pid)
        gw.close()
        wait_until(lambda: not any(pid_alive(k) for k in kids), 5, f"children {kids} outlived the gateway")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null",
                        "GIT_AUTHOR_DATE": "2025-01-02T03:04:05Z", "GIT_COMMITTER_DATE": "2025-01-02T03:04:05Z"})


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A small git repository: two commits and one untracked file, with a fixed identity and dates."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "Interop Test")
    _git(repo, "config", "user.email", "interop@example.invalid")
    (repo / "README.md").write_text("hello\n")
    _git(repo, "add", "README.md")
    _git(repo, "commit", "-q", "-m", "first commit")
    (repo / "README.md").write_text("hello\nworld\n")
    _git(repo, "commit", "-q", "-am", "second commit")
    (repo / "untracked.txt").write_text("new\n")
    return repo


# ---- routing core: fake-provider + switchyard serve with routing settings (routing_support.py) ---------------

def _stop_gateway(gw: HttpGateway) -> None:
    kids = children_of(gw.proc.pid)
    gw.close()
    wait_until(lambda: not any(pid_alive(k) for k in kids), 5, f"children {kids} outlived the gateway")


@pytest.fixture(scope="session")
def fake_provider():
    """One `fake-provider` for the session; tests keep apart by using unique model names (routing_support.unique)."""
    if not os.access(switchyard_bin(), os.X_OK) or not os.access(fake_provider_bin(), os.X_OK):
        pytest.skip(f"binaries not built: {switchyard_bin()}, {fake_provider_bin()}")
    fake = FakeProvider()
    yield fake
    fake.close()


@pytest.fixture
def routing_gateway(fake_provider, tmp_path: Path):
    """Factory: `switchyard serve` with routing settings on the fake (overrides replace top-level sections).
    `workdir` picks the directory of the settings file and database (reuse it to restart on the same database);
    `env` adds environment variables (e.g. `SWITCHYARD_ADMIN_KEY`)."""
    started: list[RoutingGateway] = []

    def start(workdir: Path | None = None, env: dict[str, str] | None = None, **overrides) -> RoutingGateway:
        gw = RoutingGateway(workdir or tmp_path / f"gw{len(started)}", routing_settings(fake_provider, **overrides),
                            env=env)
        started.append(gw)
        return gw

    yield start
    for gw in started:
        _stop_gateway(gw)


@pytest.fixture(scope="module")
def shared_gateway(fake_provider, tmp_path_factory):
    """One routed gateway per module, for the tests that only need the default settings."""
    gw = RoutingGateway(tmp_path_factory.mktemp("shared-gw"), routing_settings(fake_provider))
    yield gw
    _stop_gateway(gw)
