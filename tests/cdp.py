"""A small Chrome DevTools Protocol client over the standard library, for the browser tests.

Headless Chromium starts with ``--remote-debugging-port=0`` and prints the browser's WebSocket
address; :class:`Browser` speaks the WebSocket framing (RFC 6455: masked client frames, plain
server frames) over a socket, opens one page, and sends commands, keeping every event it reads
on the way. It watches the page as it goes: every request's URL (``Network.requestWillBeSent``)
and every script error or console error (``Runtime.exceptionThrown``, ``Log.entryAdded``), so a
test can check that nothing left 127.0.0.1 and that the page logged no error.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import struct
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

__all__ = ["Browser"]


class _Socket:
    def __init__(self, url: str) -> None:
        parts = urlparse(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}"
                           "\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.decode(errors="replace"))
        self.buffer = head.split(b"\r\n\r\n", 1)[1]

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def send(self, text: str) -> None:
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                                bytes([0x80 | 126]) + struct.pack(">H", n) if n < 1 << 16 else
                                bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def receive(self) -> str:
        message = b""
        while True:
            first, second = self._read(2)
            n = second & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            if first & 0x0F in (0x1, 0x0):
                message += payload
                if first & 0x80:
                    return message.decode()

    def close(self) -> None:
        self.sock.close()


class Browser:
    """Headless Chromium with one page (see the module docstring)."""

    def __init__(self, chromium: str, profile: Path) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        self.log = profile / "chromium.log"
        with self.log.open("w") as log:  # a file, so that Chromium never blocks on a full pipe
            self.proc = subprocess.Popen(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--remote-debugging-port=0", f"--user-data-dir={profile / 'data'}",
                 "--window-size=1280,900",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "about:blank"],
                stdout=subprocess.DEVNULL, stderr=log)
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline and self.proc.poll() is None:
            found = re.search(r"DevTools listening on (ws://\S+)", self.log.read_text())
            url = found.group(1) if found else None
            time.sleep(0.05)
        if url is None:
            self.close()
            raise RuntimeError("chromium printed no DevTools address")
        self.ws = _Socket(url)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.command("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.command("Target.attachToTarget", targetId=target,
                                    flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log", "DOM"):
            self.command(f"{domain}.enable", session=True)

    def command(self, method: str, *, session: bool = False, **params: Any) -> Any:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.receive())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def go(self, url: str) -> None:
        """Open ``url`` and wait until its scripts have loaded."""
        self.command("Page.navigate", session=True, url=url)
        self.wait_for("document.readyState === 'complete' && location.href.startsWith("
                      + json.dumps(url.split("?")[0]) + ")")

    def js(self, expression: str) -> Any:
        """The value of ``expression`` in the page (promises awaited)."""
        result = self.command("Runtime.evaluate", session=True, expression=expression,
                              returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float = 60.0) -> Any:
        """Poll ``expression`` until it is truthy; its value."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")

    def set_files(self, selector: str, paths: list[Path]) -> None:
        root = self.command("DOM.getDocument", session=True)["root"]["nodeId"]
        node = self.command("DOM.querySelector", session=True, nodeId=root,
                            selector=selector)["nodeId"]
        self.command("DOM.setFileInputFiles", session=True, nodeId=node,
                     files=[str(p) for p in paths])

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]

    def errors(self) -> list[str]:
        out = [json.dumps(e["params"]["exceptionDetails"])[:300] for e in self.events
               if e.get("method") == "Runtime.exceptionThrown"]
        out += [f'{e["params"]["entry"].get("text", "")} ({e["params"]["entry"].get("url", "")})'
                for e in self.events
                if e.get("method") == "Log.entryAdded"
                and e["params"]["entry"].get("level") == "error"]
        return out

    def close(self) -> None:
        if hasattr(self, "ws"):
            self.ws.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)
