// The EMDR gateway from Go: main.go synthesizes the template the README promises, and
// FailoverSimulation moves the answers when a gateway goes down.
package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-dns-failover/cdk-dns-failover-go/cdkdnsfailover"
)

const name = "emdr.example.com"

type resource struct {
	Type       string                 `json:"Type"`
	Properties map[string]interface{} `json:"Properties"`
}

// synthesize runs the app as `cdk synth` does (`go run .` with CDK_OUTDIR naming the cloud assembly)
// and returns the template's text.
func synthesize(t *testing.T) string {
	t.Helper()
	outdir := filepath.Join(t.TempDir(), "cdk.out")
	cmd := exec.Command("go", "run", ".")
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outdir)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run . failed: %v", err)
	}
	text, err := os.ReadFile(filepath.Join(outdir, "Emdr.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

func TestAppSynthesizesAndSimulates(t *testing.T) {
	text := synthesize(t)

	t.Run("two health checks and two weighted records", func(t *testing.T) {
		var template struct {
			Resources map[string]resource `json:"Resources"`
		}
		if err := json.Unmarshal([]byte(text), &template); err != nil {
			t.Fatal(err)
		}
		checkOfAddress := map[string]string{}
		var records []resource
		for logicalID, r := range template.Resources {
			switch r.Type {
			case "AWS::Route53::HealthCheck":
				config := r.Properties["HealthCheckConfig"].(map[string]interface{})
				got := map[string]interface{}{}
				for _, k := range []string{"Type", "Port", "ResourcePath", "RequestInterval", "FailureThreshold"} {
					got[k] = config[k]
				}
				want := map[string]interface{}{"Type": "HTTP", "Port": 80.0, "ResourcePath": "/status", "RequestInterval": 30.0, "FailureThreshold": 3.0}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("health check %s: got %v, want %v", logicalID, got, want)
				}
				checkOfAddress[config["IPAddress"].(string)] = logicalID
			case "AWS::Route53::RecordSet":
				records = append(records, r)
			}
		}
		if len(checkOfAddress) != 2 || len(records) != 2 {
			t.Fatalf("got %d health checks and %d record sets, want 2 and 2", len(checkOfAddress), len(records))
		}
		var setIdentifiers []string
		for _, r := range records {
			p := r.Properties
			if p["Name"] != "emdr.example.com." || p["Type"] != "A" || p["TTL"] != "60" || p["Weight"] != 50.0 || p["HostedZoneId"] != "Z0EXAMPLE1234567890" {
				t.Errorf("record %v: want emdr.example.com. A, TTL 60, weight 50 in Z0EXAMPLE1234567890", p)
			}
			address := p["ResourceRecords"].([]interface{})[0].(string)
			getAtt := p["HealthCheckId"].(map[string]interface{})["Fn::GetAtt"].([]interface{})
			if getAtt[0] != checkOfAddress[address] {
				t.Errorf("record %s (%s) is guarded by %v, want the check of its own address %s", p["SetIdentifier"], address, getAtt[0], checkOfAddress[address])
			}
			setIdentifiers = append(setIdentifiers, p["SetIdentifier"].(string))
		}
		sort.Strings(setIdentifiers)
		if !reflect.DeepEqual(setIdentifiers, []string{"gw-isp-a", "gw-isp-b"}) {
			t.Errorf("set identifiers %v", setIdentifiers)
		}
	})

	t.Run("simulation of the synthesized template", func(t *testing.T) {
		sim := cdkdnsfailover.FailoverSimulation_FromTemplateString(jsii.String(text))
		if *sim.Target() != "cloudformation" {
			t.Errorf("target %s", *sim.Target())
		}
		gateways := *sim.Gateways()
		if len(gateways) != 1 || *gateways[0].RecordName != name || *gateways[0].RoutingPolicy != "weighted" {
			t.Fatalf("gateways %v", gateways)
		}
		if share := *sim.ShareOf(jsii.String(name), jsii.String("A"), jsii.String("gw-isp-a"), nil); share != 0.5 {
			t.Errorf("share of gw-isp-a %v, want 0.5", share)
		}
		sim.MarkDown(jsii.String(name), jsii.String("A"), jsii.String("gw-isp-b"))
		if share := *sim.ShareOf(jsii.String(name), jsii.String("A"), jsii.String("gw-isp-a"), nil); share != 1 {
			t.Errorf("share of gw-isp-a with gw-isp-b down %v, want 1", share)
		}
	})
}

// The README's unit test, in Go.
func TestEmdrFailsOverAndAnswersWithBothWhenBothAreDown(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Emdr"), nil)
	gateway := cdkdnsfailover.NewWeightedFailoverGateway(stack, jsii.String("Emdr"), &cdkdnsfailover.WeightedFailoverGatewayProps{
		Zone: cdkdnsfailover.GatewayZone_FromHostedZoneAttributes(&cdkdnsfailover.GatewayZoneAttributes{
			HostedZoneId: jsii.String("Z0EXAMPLE1234567890"),
			ZoneName:     jsii.String("example.com"),
		}),
		RecordName: jsii.String("emdr"),
		HealthCheck: &cdkdnsfailover.HealthCheckOptions{
			ResourcePath:     jsii.String("/status"),
			RequestInterval:  awscdk.Duration_Seconds(jsii.Number(30)),
			FailureThreshold: jsii.Number(3),
		},
		Endpoints: &[]*cdkdnsfailover.WeightedEndpoint{
			{Name: jsii.String("gw-isp-a"), IpAddress: jsii.String("203.0.113.10"), Weight: jsii.Number(50)},
			{Name: jsii.String("gw-isp-b"), IpAddress: jsii.String("198.51.100.20"), Weight: jsii.Number(50)},
		},
	})
	metric := gateway.MetricHealthCheckStatus(jsii.String("gw-isp-a"), nil)
	if *metric.Namespace() != "AWS/Route53" || *metric.MetricName() != "HealthCheckStatus" {
		t.Errorf("metric %s %s", *metric.Namespace(), *metric.MetricName())
	}

	sim := cdkdnsfailover.FailoverSimulation_FromCdkStack(stack)
	if share := *sim.ShareOf(jsii.String(name), jsii.String("A"), jsii.String("gw-isp-a"), nil); share != 0.5 {
		t.Errorf("share of gw-isp-a %v, want 0.5", share)
	}

	// A dead gateway leaves the answers ...
	sim.MarkDown(jsii.String(name), jsii.String("A"), jsii.String("gw-isp-a"))
	answers := *sim.AnswerDistribution(jsii.String(name), jsii.String("A"), nil)
	want := []*cdkdnsfailover.AnswerProbability{{
		SetIdentifiers: jsii.Strings("gw-isp-b"),
		Values:         jsii.Strings("198.51.100.20"),
		Probability:    jsii.Number(1),
	}}
	if !reflect.DeepEqual(answers, want) {
		t.Errorf("answers with gw-isp-a down: %s", describe(answers))
	}

	// ... and with both down, Route 53's last resort answers with both again.
	sim.MarkAllDown(jsii.String(name), jsii.String("A"))
	if share := *sim.ShareOf(jsii.String(name), jsii.String("A"), jsii.String("gw-isp-a"), nil); share != 0.5 {
		t.Errorf("share of gw-isp-a with both down %v, want 0.5", share)
	}

	if lint := *sim.Lint(); len(lint) != 0 {
		t.Errorf("lint findings: %v", lint)
	}
	detect := (*sim.Timing())[0].DetectRefusing
	if *detect.TypicalSeconds != 90 || *detect.WorstSeconds != 120 {
		t.Errorf("detection of a refusing endpoint %v-%v s, want 90-120 s", *detect.TypicalSeconds, *detect.WorstSeconds)
	}
	if monthly := *sim.Cost().HealthChecksMonthly; monthly != 1.5 {
		t.Errorf("health checks cost %v a month, want 1.5", monthly)
	}
}

func TestAGatewayMissingFromTheTemplateFailsNamingTheKnownOnes(t *testing.T) {
	sim := cdkdnsfailover.FailoverSimulation_FromTemplateString(jsii.String(`{"Resources": {}}`))
	defer func() {
		err := recover()
		if err == nil || !strings.Contains(toString(err), "no gateway emdr.example.com A in this cloudformation artifact; its gateways are none") {
			t.Errorf("got %v", err)
		}
	}()
	sim.ShareOf(jsii.String(name), jsii.String("A"), jsii.String("gw-isp-a"), nil)
}

func toString(v interface{}) string {
	if err, ok := v.(error); ok {
		return err.Error()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func describe(answers []*cdkdnsfailover.AnswerProbability) string {
	b, _ := json.Marshal(answers)
	return string(b)
}
