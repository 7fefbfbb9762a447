package com.example.emdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkdnsfailover.AnswerProbability;
import io.github.cdkdnsfailover.FailoverSimulation;
import io.github.cdkdnsfailover.GatewayZone;
import io.github.cdkdnsfailover.GatewayZoneAttributes;
import io.github.cdkdnsfailover.HealthCheckOptions;
import io.github.cdkdnsfailover.SimulatedGateway;
import io.github.cdkdnsfailover.TimeWindow;
import io.github.cdkdnsfailover.WeightedEndpoint;
import io.github.cdkdnsfailover.WeightedFailoverGateway;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.cloudwatch.Metric;

/**
 * The EMDR gateway from Java: EmdrApp synthesizes the template the README promises, and
 * FailoverSimulation moves the answers when a gateway goes down.
 */
class EmdrAppTest {
    private static final String NAME = "emdr.example.com";

    @TempDir
    static Path workdir;

    private static String templateText;

    /** Runs EmdrApp as `cdk synth` does: its own JVM, with CDK_OUTDIR naming the cloud assembly. */
    @BeforeAll
    static void synthesize() throws Exception {
        Path outdir = workdir.resolve("cdk.out");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), EmdrApp.class.getName())
                .inheritIO();
        pb.environment().put("CDK_OUTDIR", outdir.toString());
        assertEquals(0, pb.start().waitFor(), "EmdrApp exit code");
        templateText = Files.readString(outdir.resolve("Emdr.template.json"));
    }

    @Test
    void appSynthesizesTwoHealthChecksAndTwoWeightedRecords() {
        Template template = Template.fromString(templateText);
        template.resourceCountIs("AWS::Route53::HealthCheck", 2);
        template.resourceCountIs("AWS::Route53::RecordSet", 2);

        Map<String, String> checkOfAddress = new HashMap<>();
        template.findResources("AWS::Route53::HealthCheck").forEach((logicalId, resource) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> props = (Map<String, Object>) resource.get("Properties");
            @SuppressWarnings("unchecked")
            Map<String, Object> config = (Map<String, Object>) props.get("HealthCheckConfig");
            checkOfAddress.put((String) config.get("IPAddress"), logicalId);
        });
        assertEquals(2, checkOfAddress.size());

        Map<String, String> addressOfEndpoint = Map.of("gw-isp-a", "203.0.113.10", "gw-isp-b", "198.51.100.20");
        addressOfEndpoint.forEach((endpoint, address) -> {
            template.hasResourceProperties("AWS::Route53::HealthCheck", Map.of("HealthCheckConfig", Map.of(
                    "Type", "HTTP", "IPAddress", address, "Port", 80, "ResourcePath", "/status",
                    "RequestInterval", 30, "FailureThreshold", 3)));
            template.hasResourceProperties("AWS::Route53::RecordSet", Map.of(
                    "Name", "emdr.example.com.", "Type", "A", "TTL", "60", "Weight", 50,
                    "HostedZoneId", "Z0EXAMPLE1234567890", "SetIdentifier", endpoint,
                    "ResourceRecords", List.of(address),
                    "HealthCheckId", Map.of("Fn::GetAtt", List.of(checkOfAddress.get(address), "HealthCheckId"))));
        });
    }

    @Test
    void simulationOfTheSynthesizedTemplate() {
        FailoverSimulation sim = FailoverSimulation.fromTemplateString(templateText);
        assertEquals("cloudformation", sim.getTarget());
        List<SimulatedGateway> gateways = sim.getGateways();
        assertEquals(1, gateways.size());
        assertEquals(NAME, gateways.get(0).getRecordName());
        assertEquals("weighted", gateways.get(0).getRoutingPolicy());
        assertEquals(List.of("gw-isp-a", "gw-isp-b"), gateways.get(0).getEndpointNames());

        assertEquals(0.5, sim.shareOf(NAME, "A", "gw-isp-a").doubleValue());
        sim.markDown(NAME, "A", "gw-isp-b");
        assertEquals(1.0, sim.shareOf(NAME, "A", "gw-isp-a").doubleValue());
        assertEquals(0.0, sim.shareOf(NAME, "A", "gw-isp-b").doubleValue());
    }

    /** The README's unit test, in Java. */
    @Test
    void emdrFailsOverAndAnswersWithBothWhenBothAreDown() {
        Stack stack = new Stack(new App(), "Emdr");
        WeightedFailoverGateway gateway = WeightedFailoverGateway.Builder.create(stack, "Emdr")
                .zone(GatewayZone.fromHostedZoneAttributes(GatewayZoneAttributes.builder()
                        .hostedZoneId("Z0EXAMPLE1234567890").zoneName("example.com").build()))
                .recordName("emdr")
                .healthCheck(HealthCheckOptions.builder()
                        .resourcePath("/status").requestInterval(Duration.seconds(30)).failureThreshold(3).build())
                .endpoints(List.of(
                        WeightedEndpoint.builder().name("gw-isp-a").ipAddress("203.0.113.10").weight(50).build(),
                        WeightedEndpoint.builder().name("gw-isp-b").ipAddress("198.51.100.20").weight(50).build()))
                .build();
        Metric metric = gateway.metricHealthCheckStatus("gw-isp-a");
        assertEquals("AWS/Route53", metric.getNamespace());
        assertEquals("HealthCheckStatus", metric.getMetricName());

        FailoverSimulation sim = FailoverSimulation.fromCdkStack(stack);
        assertEquals(0.5, sim.shareOf(NAME, "A", "gw-isp-a").doubleValue());

        // A dead gateway leaves the answers ...
        sim.markDown(NAME, "A", "gw-isp-a");
        List<AnswerProbability> answers = sim.answerDistribution(NAME, "A");
        assertEquals(1, answers.size());
        assertEquals(List.of("gw-isp-b"), answers.get(0).getSetIdentifiers());
        assertEquals(List.of("198.51.100.20"), answers.get(0).getValues());
        assertEquals(1.0, answers.get(0).getProbability().doubleValue());

        // ... and with both down, Route 53's last resort answers with both again.
        sim.markAllDown(NAME, "A");
        assertEquals(0.5, sim.shareOf(NAME, "A", "gw-isp-a").doubleValue());

        assertTrue(sim.lint().isEmpty(), () -> "lint findings: " + sim.lint());
        TimeWindow detect = sim.timing().get(0).getDetectRefusing();
        assertEquals(90.0, detect.getTypicalSeconds().doubleValue());
        assertEquals(120.0, detect.getWorstSeconds().doubleValue());
        assertEquals(1.5, sim.cost().getHealthChecksMonthly().doubleValue());
    }

    @Test
    void aGatewayMissingFromTheTemplateFailsNamingTheKnownOnes() {
        FailoverSimulation sim = FailoverSimulation.fromTemplateString("{\"Resources\": {}}");
        RuntimeException e = assertThrows(RuntimeException.class, () -> sim.shareOf(NAME, "A", "gw-isp-a"));
        assertTrue(e.getMessage().contains("no gateway emdr.example.com A in this cloudformation artifact; its gateways are none"), e.getMessage());
    }
}
