"""Gateway hosts of their own: a network namespace each (`ip netns add`), joined to this machine by a
veth pair with its own addresses (10.231.N.2 in the host, 10.231.N.1 on our side). The shared parts
(Redis, PostgreSQL, Rasa, the back end, the fake WeChat API) listen on loopback here, so a small
TCP relay on our side of each pair (10.231.N.1:port -> 127.0.0.1:port) lets the hosts reach them, as
a LAN would. Traffic stays inside these namespaces and loopback. Needs root."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import requests

from scripts import stack


def netns_available() -> str | None:
    """None when namespaces can be made here, else why not."""
    if os.geteuid() != 0:
        return "not root"
    name = f"probe{uuid.uuid4().hex[:6]}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if made.returncode != 0:
        return made.stderr.strip() or "ip netns add failed"
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    return None


class Relay:
    """TCP relays listen_host:port -> 127.0.0.1:port, in a thread with its own event loop."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.servers = []
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def add(self, listen_host: str, port: int) -> None:
        async def pipe(reader, writer):
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        async def handle(reader, writer):
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                writer.close()
                return
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

        async def start():
            return await asyncio.start_server(handle, listen_host, port, reuse_address=True)

        self.servers.append(asyncio.run_coroutine_threadsafe(start(), self.loop).result(10))

    def stop(self) -> None:
        for server in self.servers:
            self.loop.call_soon_threadsafe(server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)


class GatewayHost:
    def __init__(self, index: int, workdir: Path):
        tag = uuid.uuid4().hex[:4]
        self.ns = f"ugw{index}{tag}"
        self.outer, self.inner = f"uo{index}{tag}", f"ui{index}{tag}"
        self.our_addr, self.addr = f"10.231.{index}.1", f"10.231.{index}.2"
        self.port = 8000
        self.url = f"http://{self.addr}:{self.port}"
        self.log_path = workdir / f"gateway-host{index}.log"
        self.proc: subprocess.Popen | None = None

    def create(self) -> "GatewayHost":
        for cmd in (
            ["ip", "netns", "add", self.ns],
            ["ip", "link", "add", self.outer, "type", "veth", "peer", "name", self.inner],
            ["ip", "link", "set", self.inner, "netns", self.ns],
            ["ip", "addr", "add", f"{self.our_addr}/24", "dev", self.outer],
            ["ip", "link", "set", self.outer, "up"],
            ["ip", "netns", "exec", self.ns, "ip", "addr", "add", f"{self.addr}/24", "dev", self.inner],
            ["ip", "netns", "exec", self.ns, "ip", "link", "set", self.inner, "up"],
            ["ip", "netns", "exec", self.ns, "ip", "link", "set", "lo", "up"],
        ):
            subprocess.run(cmd, check=True, capture_output=True)
        return self

    def start_gateway(self, env: dict, workers: int = 2) -> None:
        cmd = ["ip", "netns", "exec", self.ns] + stack.gateway_command(self.port, workers, 16, "0.0.0.0")
        since = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.proc = subprocess.Popen(cmd, cwd=stack.ROOT, env=env, stdout=open(self.log_path, "ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        stack.wait_for_workers(self.log_path, workers, since, 600, proc=self.proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/none", timeout=2).status_code == 404:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise TimeoutError(f"gateway host {self.ns} does not answer")

    def kill(self) -> None:
        """The host goes away: its gateway (master and workers) killed at once."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def destroy(self) -> None:
        self.kill()
        subprocess.run(["ip", "link", "del", self.outer], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)
