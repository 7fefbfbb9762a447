from aws_cdk import App, Duration, Environment, Stack
from cdk_dns_failover import (
    GatewayZone,
    HealthCheckOptions,
    HealthCheckProtocol,
    WeightedEndpoint,
    WeightedFailoverGateway,
)

app = App()
stack = Stack(app, "Emdr", env=Environment(region="us-east-1"))

gateway = WeightedFailoverGateway(stack, "Emdr",
    zone=GatewayZone.from_hosted_zone_attributes(hosted_zone_id="Z0EXAMPLE1234567890", zone_name="example.com"),
    record_name="emdr",
    health_check=HealthCheckOptions(
        protocol=HealthCheckProtocol.HTTP,
        resource_path="/status",
        request_interval=Duration.seconds(30),
        failure_threshold=3,
    ),
    endpoints=[
        WeightedEndpoint(name="gw-isp-a", ip_address="203.0.113.10", weight=50),
        WeightedEndpoint(name="gw-isp-b", ip_address="198.51.100.20", weight=50),
    ],
)

# The created health checks are reachable from the gateway, with their CloudWatch metric.
metric = gateway.metric_health_check_status("gw-isp-a")

app.synth()
