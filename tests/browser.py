"""What the browser tests, the latency benchmark and the screenshot script share: Debian's
Chromium, the flags it runs headless with here, and the command that starts `digitnet explore`."""

import sys

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def explore_command(*arguments):
    """The command line that runs `digitnet explore` in its own process, as a person does, on a free port."""
    return [
        sys.executable,
        "-c",
        "from digitnet.cli import entry_point; entry_point()",
        "explore",
        "--no-browser",
        "--port",
        "0",
        *map(str, arguments),
    ]
