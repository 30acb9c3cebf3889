"""formgrader as staff open it, and a real browser to look at it.

:class:`JupyterLab` starts the README's command, ``jupyter lab`` in a course folder, as a real server:
nbgrader's server extension (enabled by the nbgrader package in .venv) serves formgrader at
``/formgrader`` and reads the folder's ``nbgrader_config.py`` and gradebook. It listens on 127.0.0.1
on a free port with a token of its own; HOME and the Jupyter config, data and runtime folders are
fresh, so the tester's own Jupyter set-up plays no part. :func:`headless_chromium` is Debian's
Chromium, driven by Selenium through Debian's chromedriver: nothing is downloaded, and the flags keep
the browser off the network. ``make suite-packages`` installs both packages.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from postgres_server import free_port
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

JUPYTER = Path(sys.executable).parent / "jupyter"  # the venv's, beside the Python running the tests
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
STARTUP_SECONDS = 60
# No traffic of Chromium's own, and no host but 127.0.0.1 resolves: a page's request elsewhere (the
# MathJax that nbconvert's page template asks a CDN for) fails at once instead of reaching the network.
OFFLINE_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


class BrowserMissing(Exception):
    """Chromium or chromedriver is not installed: the message says how to install it."""


@dataclass
class JupyterLab:
    """A running ``jupyter lab`` in a course folder; ``url`` is its root, without the token."""

    process: subprocess.Popen
    url: str
    token: str
    log: Path

    @classmethod
    def start(cls, course_dir: Path, scratch: Path) -> JupyterLab:
        """Start it in its own process group and wait until it answers with the token."""
        port, token = free_port(), secrets.token_hex(16)
        folders = {name: scratch / name.lower() for name in ("HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR")}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        log = scratch / "jupyter.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [str(JUPYTER), "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
                 "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"],
                cwd=course_dir, env={**os.environ, **{name: str(path) for name, path in folders.items()}},
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        server = cls(process, f"http://127.0.0.1:{port}", token, log)
        try:
            server.wait_until_answering()
        except BaseException:
            server.stop()
            raise
        return server

    def wait_until_answering(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        request = urllib.request.Request(f"{self.url}/api/status", headers={"Authorization": f"token {self.token}"})
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab stopped (exit {self.process.returncode}):\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(request, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not answer within {STARTUP_SECONDS} s:\n{self.log.read_text()}")
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server and anything it started (its whole process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def headless_chromium(profile: Path, width: int = 1400, height: int = 1600) -> webdriver.Chrome:
    """Debian's Chromium, headless, with a fresh profile in ``profile`` and no network of its own."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        raise BrowserMissing(f"{' and '.join(missing)} missing: run `make suite-packages`, which installs the Debian "
                             "packages chromium and chromium-driver, or `sudo apt-get install -y chromium chromium-driver`")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*OFFLINE_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
