"""The settings object: built once from the environment, then passed down explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

#: Where the shipped adapters, WSDLs and stylesheets live when running from a checkout.
_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Everything the gateway needs to know before it loads a single file."""

    #: The folder that holds adapters/, wsdl/ and xslt/ (SOAPBRIDGE_HOME, else the checkout).
    root: Path
    #: The environment the adapters read endpoints and credentials from.
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def adapters_dir(self) -> Path:
        return self.root / "adapters"

    @property
    def wsdl_dir(self) -> Path:
        return self.root / "wsdl"

    @property
    def canonical_xsd(self) -> Path:
        return self.wsdl_dir / "canonical" / "soapbridge-v1.xsd"

    def resolve(self, relative: str) -> Path:
        """A project-relative path from a configuration file, made absolute."""
        return (self.root / relative).resolve()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        root = Path(env["SOAPBRIDGE_HOME"]) if env.get("SOAPBRIDGE_HOME") else _default_root()
        if not (root / "adapters").is_dir():
            raise ConfigError(
                f"{root} has no adapters/ folder; set SOAPBRIDGE_HOME to the folder holding adapters/, wsdl/ and xslt/",
                key="SOAPBRIDGE_HOME",
            )
        return cls(root=root.resolve(), env=env)


def _default_root() -> Path:
    cwd = Path.cwd()
    return cwd if (cwd / "adapters").is_dir() else _CHECKOUT_ROOT
