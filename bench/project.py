"""The bench project: a copy of the checkout's adapters, WSDLs and stylesheets, plus a routed CRM archive.

The archive (adapters/crm_archive.toml) serves GetCustomer from the same WSDL and stylesheets as the CRM,
routed by a body field: customers whose number starts with 9 live in the archive. It needs the gateway's
`route` key; prepare_project(dest, routing=False) leaves it out for a gateway without content-based routing.
"""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from collections.abc import Mapping
from pathlib import Path

#: The checkout: what the bench project is copied from.
CHECKOUT = Path(__file__).resolve().parent.parent
COPIED = ("adapters", "wsdl", "xslt", "clients.toml")
ARCHIVE = "crm_archive"
#: Evaluated on the canonical request element; `cn` is the canonical namespace.
ARCHIVE_ROUTE = "starts-with(cn:customerId, '9')"
#: What the canned upstream answers with is not checked, but the gateway insists on credentials being set.
DUMMY_USERNAME = "bench"
DUMMY_PASSWORD = "bench-password-not-checked"


def prepare_project(dest: Path, *, routing: bool = True, source: Path = CHECKOUT) -> Path:
    """Copy the project into dest (created, or emptied of earlier copies) and add the archive when routing."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        origin, target = source / name, dest / name
        if target.is_dir():
            shutil.rmtree(target)
        if origin.is_dir():
            shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, target)
    if routing:
        (dest / "adapters" / f"{ARCHIVE}.toml").write_text(archive_adapter(dest / "adapters" / "crm.toml"))
    return dest


def archive_adapter(crm_file: Path) -> str:
    """crm_archive.toml: the CRM's WSDL, namespaces, fault rules and GetCustomer stylesheets, with a route."""
    crm = tomllib.loads(crm_file.read_text())
    operation = crm["operations"]["GetCustomer"]
    lines = [
        "# The CRM's archive: customers numbered 9... were moved here. Same interface as the CRM.",
        "[system]",
        f'name = "{ARCHIVE}"',
        'description = "Archived customers of the ERP customer master (same interface as crm)"',
        f"wsdl = {json.dumps(crm['system']['wsdl'])}",
        "",
        "[credentials]",
        'type = "wsse-username-token"',
        'password_type = "digest"',
        f'username_env = "SOAPBRIDGE_{ARCHIVE.upper()}_USERNAME"',
        f'password_env = "SOAPBRIDGE_{ARCHIVE.upper()}_PASSWORD"',
        "",
        "[namespaces]",
        *(f"{prefix} = {json.dumps(uri)}" for prefix, uri in crm.get("namespaces", {}).items()),
    ]
    for rule in crm.get("faults", []):
        lines += ["", "[[faults]]", *(f"{key} = {json.dumps(value)}" for key, value in rule.items())]
    lines += [
        "",
        "[operations.GetCustomer]",
        f"route = {json.dumps(ARCHIVE_ROUTE)}",
        *(f"{key} = {json.dumps(operation[key])}" for key in ("upstream", "request", "response")),
    ]
    return "\n".join(lines) + "\n"


def adapter_files(project: Path) -> dict[str, dict[str, object]]:
    """Each adapter file of the project, read, by system name."""
    files = sorted((project / "adapters").glob("*.toml"))
    return {path.stem: tomllib.loads(path.read_text()) for path in files}


def gateway_env(project: Path, upstream_url: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a benchmark gateway: base (os.environ) without its SOAPBRIDGE_* variables, plus
    the project, authentication off, every legacy system at the canned upstream, and dummy credentials."""
    env = without_ours(os.environ if base is None else base)
    env |= {"SOAPBRIDGE_HOME": str(project), "SOAPBRIDGE_AUTH": "off"}
    for system, adapter in adapter_files(project).items():
        if _table(adapter, "system").get("wsdl"):
            env[f"SOAPBRIDGE_{system.upper()}_URL"] = f"{upstream_url.rstrip('/')}/{system}"
    return env | credential_env(project)


def credential_env(project: Path) -> dict[str, str]:
    """The dummy account of every adapter that names one, under the variables its file names: every side sends
    the same WS-Security token (the canned upstream does not check it, but it is part of each request's work).
    Also a dummy value for each [parameters] entry read from the environment (the weather feed's licence)."""
    env = {}
    for adapter in adapter_files(project).values():
        credentials = _table(adapter, "credentials")
        for key, value in (("username_env", DUMMY_USERNAME), ("password_env", DUMMY_PASSWORD)):
            if isinstance(credentials.get(key), str):
                env[str(credentials[key])] = value
        for name, parameter in _table(adapter, "parameters").items():
            if isinstance(parameter, dict) and isinstance(parameter.get("env"), str):
                env[parameter["env"]] = f"bench-{name}"
    return env


def reference_env(project: Path, upstream_url: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of the reference proxy or the naive peer: base without SOAPBRIDGE_*, plus
    BENCH_UPSTREAM, the project and the adapters' dummy accounts (the same the gateway gets)."""
    env = without_ours(os.environ if base is None else base)
    ours = {"SOAPBRIDGE_HOME": str(project), "BENCH_UPSTREAM": upstream_url.rstrip("/")}
    return env | ours | credential_env(project)


def without_ours(base: Mapping[str, str]) -> dict[str, str]:
    """base without soapbridge's own SOAPBRIDGE_* variables: a benchmark process gets only the ones set for it."""
    return {key: value for key, value in base.items() if not key.startswith("SOAPBRIDGE_")}


def _table(adapter: Mapping[str, object], key: str) -> dict[str, object]:
    value = adapter.get(key)
    return value if isinstance(value, dict) else {}
