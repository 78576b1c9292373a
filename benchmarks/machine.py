"""What every benchmark records about the machine it ran on."""

import platform


def cpu_model():
    """The CPU's model name, as lscpu shows it (from /proc/cpuinfo), else what ``platform`` reports."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    except OSError:
        names = []
    return names[0] if names else platform.processor()
