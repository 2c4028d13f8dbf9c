"""Only what pyproject.toml cannot say: the wheel carries the demo project (adapters/, wsdl/, xslt/,
clients.toml) as package data under soapbridge/project/, so that `soapbridge init` works without a checkout.
They stay at the repository's root, where a project keeps them; an editable install reads them there."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PROJECT = ("adapters", "wsdl", "xslt", "flows", "clients.toml")


class BuildWithProject(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "soapbridge" / "project"
        shutil.rmtree(target, ignore_errors=True)
        for part in PROJECT:
            source = Path(part)
            if source.is_dir():
                shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / part)


setup(cmdclass={"build_py": BuildWithProject})
