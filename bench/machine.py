"""What the figures were measured on: the machine, and the versions of everything on the hot path."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import psutil
from lxml import etree

from . import wrk

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict[str, object]:
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
    }


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    try:
        text = cpuinfo.read_text()
    except OSError:
        return platform.processor() or "unknown"
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "Hardware"):
            return value.strip()
    return platform.processor() or "unknown"


def versions() -> dict[str, str]:
    found = {
        "python": platform.python_version(),
        "lxml": etree.__version__,
        "libxml2": _dotted(etree.LIBXML_VERSION),
        "libxslt": _dotted(etree.LIBXSLT_VERSION),
    }
    for package in ("zeep", "spyne", "gunicorn", "urllib3"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    found["wrk"] = wrk.version()
    found["soapbridge"] = commit()
    return found


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


def commit() -> str:
    """The checkout's commit, with '+changes' when the working tree differs from it."""

    def git(*arguments: str) -> str:
        done = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short=12", "HEAD")
    if not head:
        return "unknown (not a git checkout)"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")
