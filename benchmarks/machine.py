"""What every benchmark records about the machine it ran on, and how it hands over its result."""

import json
import platform


def cpu_model():
    """The CPU's model name, as lscpu shows it (from /proc/cpuinfo), else what ``platform`` reports."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    except OSError:
        names = []
    return names[0] if names else platform.processor()


def report(result, out=None):
    """Print ``result`` as JSON, and write it to the file ``out`` (a Path) when one is given."""
    text = json.dumps(result, indent=1)
    print(text)
    if out:
        out.write_text(text + "\n")
