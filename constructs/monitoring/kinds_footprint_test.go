package monitoring

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// Every kind's plan is built as measured: the template holds as many
// resources as the footprint counts (alarms, composite, dashboard) and the
// planned body, and the footprint's template bytes cover what the
// resources take (compact JSON) without doubling it, so that sharding,
// which packs stacks by footprints, stays within CloudFormation's limits
// for every kind.
func TestAddEndpoint_FootprintOfEveryKind(t *testing.T) {
	eval := Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3}
	sls := serverlessProps()
	enhanced := componentProps(t)
	enhanced.EndpointName, enhanced.EnhancedPeriod = "enh", 10*time.Second // no name is a prefix of another
	kinds := map[string]*EndpointMonitorProps{
		"serverless": sls, "async": asyncProps(t), "multiModel": multiModelProps(t),
		"inferenceComponents": componentProps(t), "enhanced": enhanced,
	}
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("Kinds"), nil)
	f := NewFacade(stack, jsii.String("Monitoring"), &FacadeProps{Prefix: "kinds"})
	monitors := map[string]*EndpointMonitor{}
	for kind, props := range kinds {
		props.Evaluation = eval
		monitors[kind] = addEndpoint(t, f, "Ep-"+kind, props)
	}
	resources := (*assertions.Template_FromStack(stack, nil).ToJSON())["Resources"].(map[string]any)
	for kind, m := range monitors {
		name := m.DashboardName()
		n, bytes, body := 0, 0, ""
		for _, r := range resources {
			p := r.(map[string]any)["Properties"].(map[string]any)
			a, _ := p["AlarmName"].(string)
			mine := strings.HasPrefix(a, name+"-") || p["DashboardName"] == name
			if !mine {
				continue
			}
			n++
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			bytes += len(b)
			if p["DashboardName"] == name {
				body = subTemplate(p["DashboardBody"])
			}
		}
		fp := m.plan.Footprint()
		if n != fp.Resources {
			t.Errorf("%s: %d resources in the template; the footprint counted %d", kind, n, fp.Resources)
		}
		if body != m.plan.body {
			t.Errorf("%s: the template's dashboard body is not the planned one", kind)
		}
		if fp.TemplateBytes < bytes || fp.TemplateBytes > 2*bytes {
			t.Errorf("%s: footprint %d template bytes; the resources take %d (compact JSON)", kind, fp.TemplateBytes, bytes)
		}
		t.Logf("%s: %d resources, footprint %d bytes, resources %d bytes (compact)", kind, n, fp.TemplateBytes, bytes)
	}
}
