"""The EMDR gateway from Python: app.py synthesizes the template the README promises, and
FailoverSimulation moves the answers when a gateway goes down."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import App, Duration, Stack
from cdk_dns_failover import (
    AnswerProbability,
    FailoverSimulation,
    GatewayZone,
    HealthCheckOptions,
    WeightedEndpoint,
    WeightedFailoverGateway,
)

APP = Path(__file__).resolve().parent.parent / "app.py"
NAME = "emdr.example.com"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """Runs app.py as `cdk synth` does: `python app.py` with CDK_OUTDIR naming the cloud assembly."""
    outdir = tmp_path_factory.mktemp("app") / "cdk.out"
    subprocess.run([sys.executable, str(APP)], env={**os.environ, "CDK_OUTDIR": str(outdir)}, check=True)
    return (outdir / "Emdr.template.json").read_text()


def resources_of(template, resource_type):
    return [r for r in template["Resources"].values() if r["Type"] == resource_type]


def test_app_synthesizes_two_health_checks_and_two_weighted_records(synthesized):
    template = json.loads(synthesized)
    checks = resources_of(template, "AWS::Route53::HealthCheck")
    records = resources_of(template, "AWS::Route53::RecordSet")
    assert len(checks) == 2 and len(records) == 2
    for check in checks:
        config = check["Properties"]["HealthCheckConfig"]
        assert {k: config[k] for k in ("Type", "Port", "ResourcePath", "RequestInterval", "FailureThreshold")} == {
            "Type": "HTTP", "Port": 80, "ResourcePath": "/status", "RequestInterval": 30, "FailureThreshold": 3,
        }
    assert sorted(c["Properties"]["HealthCheckConfig"]["IPAddress"] for c in checks) == ["198.51.100.20", "203.0.113.10"]
    check_ids = {logical_id for logical_id, r in template["Resources"].items() if r["Type"] == "AWS::Route53::HealthCheck"}
    for record in records:
        p = record["Properties"]
        assert (p["Name"], p["Type"], p["TTL"], p["Weight"]) == ("emdr.example.com.", "A", "60", 50)
        assert p["HostedZoneId"] == "Z0EXAMPLE1234567890"
        assert p["HealthCheckId"]["Fn::GetAtt"][0] in check_ids
    assert sorted(r["Properties"]["SetIdentifier"] for r in records) == ["gw-isp-a", "gw-isp-b"]


def test_simulation_of_the_synthesized_template(synthesized):
    sim = FailoverSimulation.from_template_string(synthesized)
    assert sim.target == "cloudformation"
    assert [(g.record_name, g.record_type, g.routing_policy, g.endpoint_names) for g in sim.gateways] == [
        (NAME, "A", "weighted", ["gw-isp-a", "gw-isp-b"]),
    ]
    assert sim.share_of(NAME, "A", "gw-isp-a") == 0.5
    sim.mark_down(NAME, "A", "gw-isp-b")
    assert sim.share_of(NAME, "A", "gw-isp-a") == 1
    assert sim.share_of(NAME, "A", "gw-isp-b") == 0


def test_emdr_fails_over_and_answers_with_both_when_both_are_down():
    """The README's unit test, in Python."""
    stack = Stack(App(), "Emdr")
    gateway = WeightedFailoverGateway(stack, "Emdr",
        zone=GatewayZone.from_hosted_zone_attributes(hosted_zone_id="Z0EXAMPLE1234567890", zone_name="example.com"),
        record_name="emdr",
        health_check=HealthCheckOptions(resource_path="/status", request_interval=Duration.seconds(30), failure_threshold=3),
        endpoints=[
            WeightedEndpoint(name="gw-isp-a", ip_address="203.0.113.10", weight=50),
            WeightedEndpoint(name="gw-isp-b", ip_address="198.51.100.20", weight=50),
        ],
    )

    metric = gateway.metric_health_check_status("gw-isp-a")
    assert (metric.namespace, metric.metric_name) == ("AWS/Route53", "HealthCheckStatus")

    sim = FailoverSimulation.from_cdk_stack(stack)
    assert sim.share_of(NAME, "A", "gw-isp-a") == 0.5

    # A dead gateway leaves the answers ...
    sim.mark_down(NAME, "A", "gw-isp-a")
    assert sim.answer_distribution(NAME, "A") == [
        AnswerProbability(set_identifiers=["gw-isp-b"], values=["198.51.100.20"], probability=1),
    ]

    # ... and with both down, Route 53's last resort answers with both again.
    sim.mark_all_down(NAME, "A")
    assert sim.share_of(NAME, "A", "gw-isp-a") == 0.5

    assert sim.lint() == []
    detect = sim.timing()[0].detect_refusing
    assert (detect.typical_seconds, detect.worst_seconds) == (90, 120)
    assert sim.cost().health_checks_monthly == 1.5


def test_a_gateway_missing_from_the_template_fails_naming_the_known_ones():
    sim = FailoverSimulation.from_template_string(json.dumps({"Resources": {}}))
    with pytest.raises(Exception, match=r"no gateway emdr\.example\.com A in this cloudformation artifact; its gateways are none"):
        sim.share_of(NAME, "A", "gw-isp-a")
