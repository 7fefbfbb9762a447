package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-dns-failover/cdk-dns-failover-go/cdkdnsfailover"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Emdr"), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: jsii.String("us-east-1")},
	})

	gateway := cdkdnsfailover.NewWeightedFailoverGateway(stack, jsii.String("Emdr"), &cdkdnsfailover.WeightedFailoverGatewayProps{
		Zone: cdkdnsfailover.GatewayZone_FromHostedZoneAttributes(&cdkdnsfailover.GatewayZoneAttributes{
			HostedZoneId: jsii.String("Z0EXAMPLE1234567890"),
			ZoneName:     jsii.String("example.com"),
		}),
		RecordName: jsii.String("emdr"),
		HealthCheck: &cdkdnsfailover.HealthCheckOptions{
			Protocol:         cdkdnsfailover.HealthCheckProtocol_HTTP,
			ResourcePath:     jsii.String("/status"),
			RequestInterval:  awscdk.Duration_Seconds(jsii.Number(30)),
			FailureThreshold: jsii.Number(3),
		},
		Endpoints: &[]*cdkdnsfailover.WeightedEndpoint{
			{Name: jsii.String("gw-isp-a"), IpAddress: jsii.String("203.0.113.10"), Weight: jsii.Number(50)},
			{Name: jsii.String("gw-isp-b"), IpAddress: jsii.String("198.51.100.20"), Weight: jsii.Number(50)},
		},
	})

	// The created health checks are reachable from the gateway, with their CloudWatch metric.
	metric := gateway.MetricHealthCheckStatus(jsii.String("gw-isp-a"), nil)
	_ = metric

	app.Synth(nil)
}
