"""A very small Chrome DevTools Protocol client over ``--remote-debugging-pipe``.

Chromium reads commands from file descriptor 3 and writes replies and events to 4, each
message a JSON object ended by a NUL byte; no websocket library is needed. Tests use it
to open a page headless, collect console errors, exceptions and network requests,
evaluate a script in the page and take a screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["chromium_path", "Browser", "PageVisit"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageVisit:
    """What happened while a page was open."""

    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)  # CSP violations and other browser-side errors
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, the page itself included
    result: object = None
    screenshot: bytes = b""


class Browser:
    """One headless Chromium, driven through the pipe; use as a context manager."""

    def __init__(self, executable: str, timeout: float = 30.0) -> None:
        self._timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="paperlink-chromium-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire_pipes() -> None:
            """In the child, before exec: the pipe ends become the protocol's descriptors 3 and 4.

            Copied out of the way first, as either end may itself be 3 or 4; os.dup2 makes
            the copies inheritable, while everything else keeps close-on-exec.
            """
            reading, writing = os.dup(to_browser_read), os.dup(from_browser_write)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self._process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-sync",
                "--disable-background-networking",
                "--disable-component-update",
                "--mute-audio",
                f"--user-data-dir={self._profile.name}",
                "--window-size=1280,2000",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes,
            close_fds=False,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._send("Browser.close")
        except OSError:
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._profile.cleanup()

    # -- protocol ---------------------------------------------------------------------

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the debugging pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + self._timeout
        while True:
            message = self._read_message(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._events.append(message)

    def wait_for(self, method: str, session: str) -> dict:
        deadline = time.monotonic() + self._timeout
        for index, event in enumerate(self._events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self._events.pop(index)
        while True:
            message = self._read_message(deadline)
            if message.get("method") == method and message.get("sessionId") == session:
                return message
            self._events.append(message)

    # -- a visit ----------------------------------------------------------------------

    def visit(
        self,
        url: str,
        script: str,
        width: int = 1280,
        height: int = 2000,
        *,
        color_scheme: str | None = None,
        media: str | None = None,
        javascript: bool = True,
        clip: tuple[int, int] | None = None,  # (top, height) of the page to capture instead of the window
        before: str | None = None,
    ) -> PageVisit:
        """Open ``url``, wait for load, evaluate ``script`` (its value, or a promise's, comes back), screenshot.

        ``color_scheme`` ("dark", "light") and ``media`` ("print", "screen") are emulated;
        ``javascript=False`` opens the page with scripts off (its own included), and ``script``
        then runs from the protocol only; ``before`` is evaluated first (a library to inject).
        """
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable", session=session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        features = [{"name": "prefers-color-scheme", "value": color_scheme}] if color_scheme else []
        if features or media:
            self.call("Emulation.setEmulatedMedia", {"media": media or "", "features": features}, session)
        if not javascript:
            self.call("Emulation.setScriptExecutionDisabled", {"value": True}, session)
        self._events.clear()
        self.call("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        if not javascript:  # the protocol's own evaluation needs scripts back on; the page's have not run
            self.call("Emulation.setScriptExecutionDisabled", {"value": False}, session)
        if before:
            self.call("Runtime.evaluate", {"expression": before}, session)
        value = self.call(
            "Runtime.evaluate", {"expression": script, "returnByValue": True, "awaitPromise": True}, session
        )
        capture: dict = {"format": "png"}
        if clip is not None:  # a band of the whole page, below the window too
            top, tall = clip
            capture.update(
                captureBeyondViewport=True, clip={"x": 0, "y": top, "width": width, "height": tall, "scale": 1}
            )
        shot = self.call("Page.captureScreenshot", capture, session)
        visit = PageVisit(result=value.get("result", {}).get("value"), screenshot=base64.b64decode(shot["data"]))
        self._collect(visit, session)
        self.call("Target.closeTarget", {"targetId": target})
        return visit

    def _collect(self, visit: PageVisit, session: str) -> None:
        for event in self._events:
            if event.get("sessionId") != session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                visit.console_errors.append(json.dumps(params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                visit.exceptions.append(json.dumps(params.get("exceptionDetails", {})))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                visit.log_errors.append(params["entry"].get("text", ""))
            elif method == "Network.requestWillBeSent":
                visit.requests.append(params.get("request", {}).get("url", ""))
        self._events.clear()


def save_screenshot(data: bytes, name: str) -> Path:
    """Under ``$PAPERLINK_ARTIFACTS`` (CI uploads it), else ``test-artifacts/`` in the checkout."""
    folder = Path(os.environ.get("PAPERLINK_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path
