"""report.html in a real browser: headless Chromium loads it, decodes every image, logs no error.

Chromium is driven through its DevTools protocol over a pipe (``--remote-debugging-pipe``:
JSON messages ending in a NUL byte on file descriptors 3 and 4), so nothing beyond the
browser is needed. Screenshots at 1400 px wide (the top, and one suite) are saved next to
the report for a person to look at.
"""

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium (.ci/run installs the Debian package)")


class Browser:
    """A headless Chromium and one page, spoken to in DevTools protocol messages."""

    def __init__(self):
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def wire_pipes():  # in the child: the protocol's descriptors are 3 (in) and 4 (out)
            os.dup2(commands_read, 3)
            os.dup2(replies_write, 4)

        self._process = subprocess.Popen(
            [
                BROWSER,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                "--no-first-run",
                "--hide-scrollbars",
                "about:blank",
            ],
            # close_fds would close 3 and 4 after wire_pipes made them.
            close_fds=False,
            preexec_fn=wire_pipes,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._next_id = 0
        self.events = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)

    def _message(self):
        while b"\0" not in self._buffer:
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise RuntimeError("the browser closed its protocol pipe")
            self._buffer += chunk
        text, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(text)

    def call(self, method, session=False, **params):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method):
        while not any(event.get("method") == method for event in self.events):
            self.events.append(self._message())

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate", session=True, expression=expression, awaitPromise=True, returnByValue=True
        )
        return result["result"].get("value")

    def screenshot(self, path):
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", session=True, format="png")["data"]))

    def errors(self):
        found = []
        for event in self.events:
            params = event.get("params", {})
            if event.get("method") == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text"))
            elif event.get("method") == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(params.get("args"))
            elif event.get("method") == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(params["entry"].get("text"))
        return found

    def close(self):
        self._process.kill()
        self._process.wait()
        os.close(self._commands)
        os.close(self._replies)


@pytest.fixture(scope="module")
def opened(pipebench, tmp_path_factory):
    """A real run (the committed small one), reported, then opened at 1400 x 1000 px."""
    run_dir = tmp_path_factory.mktemp("browser") / "run"
    shutil.copytree(DATA / "run_small", run_dir)
    code, _, err = pipebench("report", str(run_dir))
    assert code == 0, err
    browser = Browser()
    browser.call(
        "Emulation.setDeviceMetricsOverride", session=True, width=1400, height=1000, deviceScaleFactor=1, mobile=False
    )
    browser.call("Page.navigate", session=True, url=(run_dir / "report.html").as_uri())
    browser.wait_for("Page.loadEventFired")
    yield browser, run_dir
    browser.close()


def test_every_image_decodes_to_a_real_picture(opened):
    browser, _ = opened
    sizes = browser.evaluate(
        "Promise.all(Array.from(document.images).map(i => i.decode().then(() => i.naturalWidth, () => 0)))"
    )
    assert len(sizes) == 5 and min(sizes) > 400


def test_the_page_logs_no_error_and_reads_top_down(opened):
    browser, _ = opened
    assert browser.errors() == []
    headings = browser.evaluate("Array.from(document.querySelectorAll('h2')).map(h => h.textContent)")
    assert headings[:4] == ["Findings", "Environment", "stages", "windows"]
    assert browser.evaluate("document.querySelector('td.v-faster') !== null")


def test_screenshots_of_the_top_and_of_a_suite_are_saved_next_to_the_report(opened):
    browser, run_dir = opened
    top = run_dir / "report-screenshot-top.png"
    browser.screenshot(top)
    browser.evaluate("document.getElementById('windows').scrollIntoView(); true")
    suite = run_dir / "report-screenshot-windows.png"
    browser.screenshot(suite)
    for path in (top, suite):
        assert path.read_bytes().startswith(b"\x89PNG") and path.stat().st_size > 20_000
    assert top.read_bytes() != suite.read_bytes()
