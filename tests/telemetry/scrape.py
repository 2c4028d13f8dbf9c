"""Reading GET /metrics the way Prometheus does: parsed samples, not regexes on the text."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from prometheus_client.parser import text_string_to_metric_families

from soapbridge.namespaces import CANONICAL, SOAP11_ENV, SOAP12_ENV

#: The label every sample carries, naming the instance; Scrape keeps it apart from the others.
INSTANCE = "soapbridge_instance"


@dataclass(frozen=True)
class Scrape:
    """Every sample of one scrape, by name and labels (the instance label left out), and the instances named."""

    samples: dict[tuple[str, frozenset[tuple[str, str]]], float]
    instances: frozenset[str]

    def value(self, name: str, **labels: str) -> float:
        """The sample with exactly these labels; 0 when the series does not exist (yet)."""
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def total(self, name: str, **labels: str) -> float:
        """The sum of every series of name whose labels include these."""
        wanted = set(labels.items())
        return sum(value for (sample, got), value in self.samples.items() if sample == name and wanted <= got)


def scrape(base: str) -> Scrape:
    response = requests.get(f"{base}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert response.headers["Cache-Control"] == "no-store"
    found = [sample for family in text_string_to_metric_families(response.text) for sample in family.samples]
    samples = {
        (sample.name, frozenset((k, v) for k, v in sample.labels.items() if k != INSTANCE)): sample.value
        for sample in found
    }
    assert all(INSTANCE in sample.labels for sample in found), "a sample without the instance label"
    return Scrape(samples, frozenset(sample.labels[INSTANCE] for sample in found))


def soap(base: str, version: str, body: str, operation: str, prolog: str = "") -> requests.Response:
    """POST body in a SOAP envelope of version "11" or "12" to its endpoint; prolog goes before the envelope."""
    action = f"{CANONICAL}/{operation}"
    namespace = SOAP11_ENV if version == "11" else SOAP12_ENV
    data = f'{prolog}<e:Envelope xmlns:e="{namespace}"><e:Body>{body}</e:Body></e:Envelope>'.encode()
    if version == "11":
        headers = {"Content-Type": "text/xml", "SOAPAction": f'"{action}"'}
    else:
        headers = {"Content-Type": f'application/soap+xml; action="{action}"'}
    return requests.post(f"{base}/soap{version}", data=data, headers=headers, timeout=30)
