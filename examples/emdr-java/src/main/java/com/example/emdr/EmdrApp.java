package com.example.emdr;

import io.github.cdkdnsfailover.GatewayZone;
import io.github.cdkdnsfailover.GatewayZoneAttributes;
import io.github.cdkdnsfailover.HealthCheckOptions;
import io.github.cdkdnsfailover.HealthCheckProtocol;
import io.github.cdkdnsfailover.WeightedEndpoint;
import io.github.cdkdnsfailover.WeightedFailoverGateway;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.cloudwatch.Metric;

public final class EmdrApp {
    public static void main(final String[] args) {
        App app = new App();
        Stack stack = new Stack(app, "Emdr", StackProps.builder()
                .env(Environment.builder().region("us-east-1").build())
                .build());

        WeightedFailoverGateway gateway = WeightedFailoverGateway.Builder.create(stack, "Emdr")
                .zone(GatewayZone.fromHostedZoneAttributes(GatewayZoneAttributes.builder()
                        .hostedZoneId("Z0EXAMPLE1234567890")
                        .zoneName("example.com")
                        .build()))
                .recordName("emdr")
                .healthCheck(HealthCheckOptions.builder()
                        .protocol(HealthCheckProtocol.HTTP)
                        .resourcePath("/status")
                        .requestInterval(Duration.seconds(30))
                        .failureThreshold(3)
                        .build())
                .endpoints(List.of(
                        WeightedEndpoint.builder().name("gw-isp-a").ipAddress("203.0.113.10").weight(50).build(),
                        WeightedEndpoint.builder().name("gw-isp-b").ipAddress("198.51.100.20").weight(50).build()))
                .build();

        // The created health checks are reachable from the gateway, with their CloudWatch metric.
        Metric metric = gateway.metricHealthCheckStatus("gw-isp-a");

        app.synth();
    }
}
