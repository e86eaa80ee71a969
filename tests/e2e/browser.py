"""Headless Chromium driven through the DevTools protocol, with the standard
library only: the protocol runs over a pipe (--remote-debugging-pipe), the
browser reading commands from its descriptor 3 and writing replies and
events to its descriptor 4, each message a JSON object ended by a NUL byte.
No WebSocket, no chromedriver."""

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import time
import unittest


def chromium_or_skip():
    """The chromium executable. Where it is missing the test is skipped, saying
    why, except under CI (CI set in the environment, as CI services and
    .ci/run do), which installs it (.ci/install-deps): there the test fails."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser:
        return browser
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        raise AssertionError("CI is set and chromium is not installed: .ci/install-deps installs it "
                             "(apt-get install chromium)")
    raise unittest.SkipTest("chromium is not installed (apt-get install chromium, or .ci/install-deps); "
                            "CI runs this test")


class DevToolsError(AssertionError):
    pass


class Chromium:
    """One headless browser with one page. `call` sends a command to the page
    and returns its result; every event received is kept in `events`."""

    def __init__(self, executable, workdir, timeout=30):
        self.timeout = timeout
        self.events = []
        self.next_id = 0
        self.buffer = b""
        self.stderr_path = os.path.join(workdir, "chromium-stderr.txt")
        profile = os.path.join(workdir, "chromium-profile")
        os.makedirs(profile, exist_ok=True)
        commands_read, self.commands = os.pipe()
        self.replies, replies_write = os.pipe()

        def descriptors_3_and_4():
            # Through descriptors above 4 first: a pipe end may itself be 3 or 4.
            commands = fcntl.fcntl(commands_read, fcntl.F_DUPFD_CLOEXEC, 10)
            replies = fcntl.fcntl(replies_write, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(commands, 3)
            os.dup2(replies, 4)

        with open(self.stderr_path, "wb") as stderr:
            # Root needs --no-sandbox; a profile of its own keeps the user's alone.
            self.process = subprocess.Popen(
                [executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                 f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
                 "--disable-extensions", "--disable-component-update", "--disable-sync", "--mute-audio",
                 "--hide-scrollbars", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                # close_fds would close 3 and 4 after preexec_fn; Python's
                # own descriptors are close-on-exec anyway.
                preexec_fn=descriptors_3_and_4, close_fds=False, start_new_session=True)
        os.close(commands_read)
        os.close(replies_write)
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"}, session=None)
            self.session = self.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                                     session=None)["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                self.call(f"{domain}.enable")
        except BaseException:
            self.close()
            raise

    def stderr(self):
        with open(self.stderr_path, errors="replace") as f:
            return f.read()[-4000:]

    def _send(self, method, params, session):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self.commands, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise DevToolsError(f"chromium exited ({self.process.poll()}); its stderr:\n{self.stderr()}") from None
        return self.next_id

    def _receive(self, deadline):
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            ready = select.select([self.replies], [], [], max(remaining, 0))[0] if remaining > 0 else []
            if not ready:
                raise DevToolsError(f"chromium did not answer in {self.timeout} s; its stderr:\n{self.stderr()}")
            chunk = os.read(self.replies, 1 << 16)
            if not chunk:
                raise DevToolsError(f"chromium closed the DevTools pipe; its stderr:\n{self.stderr()}")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=""):
        """The result of `method`, on the page unless `session` is None (the browser)."""
        sent = self._send(method, params, self.session if session == "" else session)
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") == sent:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error']}")
                return message["result"]
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event):
        """Reads messages until the page sends `event` (or has sent it)."""
        deadline = time.monotonic() + self.timeout
        while not any(e["method"] == event for e in self.events):
            message = self._receive(deadline)
            if "method" in message:
                self.events.append(message)

    def open(self, url, width, height, scale=1.0):
        """Loads `url` in a viewport of width x height CSS pixels, `scale` device pixels each."""
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False})
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression):
        """The JSON value of a JavaScript expression in the page (awaited if a promise)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector):
        """A real mouse click (press and release) at the middle of the element."""
        x, y = self.evaluate(f"""(() => {{
            const e = document.querySelector({json.dumps(selector)});
            e.scrollIntoView({{block: "center"}});
            const r = e.getBoundingClientRect();
            return [r.x + r.width / 2, r.y + r.height / 2];
        }})()""")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def type(self, text):
        """Text typed into the focused element, as the keyboard would (input events)."""
        self.call("Input.insertText", {"text": text})

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"})["data"]))

    def console_errors(self):
        """What the page reported as wrong: console.error and console.assert
        calls, uncaught exceptions, and error entries of the browser's log
        (failed loads, blocked content), each as one line."""
        errors = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                errors.append(f"console.{params['type']}: {args}")
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                errors.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".rstrip())
        return errors

    def close(self):
        if self.process.poll() is None:
            try:
                self._send("Browser.close", None, None)
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        # Its renderer and helper processes are in its session, which is
        # gone by now unless the browser did not close.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        for fd in (self.commands, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass
