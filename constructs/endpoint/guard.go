package endpoint

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// GuardProps describes the cost guard of a sizing endpoint.
type GuardProps struct {
	// EndpointName is the endpoint to guard; Variants are its production
	// variants.
	EndpointName string
	Variants     []Variant
	// Deadline is when the endpoint is deleted (UTC, whole seconds).
	Deadline time.Time
	// IdleAlarmName names the alarm that fires after IdlePeriod without an
	// invocation; TopicArn is the SNS topic it notifies.
	IdleAlarmName string
	TopicArn      string
}

// IdlePeriod is how long the sizing endpoint may serve no request before
// its idle alarm notifies.
const IdlePeriod = time.Hour

// Guard is a sizing endpoint's cost guard.
type Guard struct {
	constructs.Construct
	// Schedule deletes the endpoint at the deadline; Role is what it runs as.
	Schedule awsscheduler.CfnSchedule
	Role     awsiam.Role
	// IdleAlarm fires when no variant served a request for IdlePeriod.
	IdleAlarm awscloudwatch.CfnAlarm
}

// At is the EventBridge Scheduler one-time expression of t, in UTC.
func At(t time.Time) string { return "at(" + t.UTC().Format("2006-01-02T15:04:05") + ")" }

// NewGuard creates the cost guard: a one-time EventBridge Scheduler
// schedule that deletes the endpoint at the deadline through the universal
// target sagemaker:DeleteEndpoint, with a role that may delete only this
// endpoint; and an idle alarm that notifies the topic.
//
// The schedule runs without anyone's laptop or credentials; it deletes the
// endpoint only, so that `cdk destroy` still removes the rest.
func NewGuard(scope constructs.Construct, id *string, p *GuardProps) *Guard {
	g := &Guard{Construct: constructs.NewConstruct(scope, id)}
	g.Role = g.newRole(p.EndpointName)
	input, _ := json.Marshal(map[string]string{"EndpointName": p.EndpointName}) // a map of strings always marshals
	g.Schedule = awsscheduler.NewCfnSchedule(g.Construct, jsii.String("Deadline"), &awsscheduler.CfnScheduleProps{
		Description:                jsii.String(fmt.Sprintf("sagesize: delete sizing endpoint %s at its deadline", p.EndpointName)),
		ScheduleExpression:         jsii.String(At(p.Deadline)),
		ScheduleExpressionTimezone: jsii.String("UTC"),
		FlexibleTimeWindow:         &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
		State:                      jsii.String("ENABLED"),
		Target: &awsscheduler.CfnSchedule_TargetProperty{
			Arn:     awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:scheduler:::aws-sdk:sagemaker:deleteEndpoint"), nil),
			RoleArn: g.Role.RoleArn(),
			Input:   jsii.String(string(input)),
		},
	})
	g.IdleAlarm = newIdleAlarm(g.Construct, p)
	return g
}

// newRole creates the schedule's role: trusted by EventBridge Scheduler for
// this account's default schedule group, allowed only DeleteEndpoint on
// the endpoint.
func (g *Guard) newRole(endpointName string) awsiam.Role {
	role := awsiam.NewRole(g.Construct, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
			"ArnLike":      map[string]any{"aws:SourceArn": awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/default"), nil)},
		}}),
		Description: jsii.String("sagesize cost guard: delete sizing endpoint " + endpointName + " at its deadline"),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("DeleteTheSizingEndpoint"),
		Actions: jsii.Strings("sagemaker:DeleteEndpoint"),
		// SageMaker stores endpoint names in lower case in ARNs.
		Resources: &[]*string{awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:endpoint/"+strings.ToLower(endpointName)), nil)},
	}))
	return role
}

// newIdleAlarm creates the alarm that notifies p.TopicArn when the
// endpoint's variants together served fewer than one request in
// IdlePeriod, or published nothing at all (missing data breaches).
func newIdleAlarm(scope constructs.Construct, p *GuardProps) awscloudwatch.CfnAlarm {
	queries := make([]any, 0, len(p.Variants)+1)
	for i, v := range p.Variants {
		queries = append(queries, &awscloudwatch.CfnAlarm_MetricDataQueryProperty{
			Id: jsii.String(fmt.Sprintf("m%d", i)), ReturnData: jsii.Bool(false),
			MetricStat: &awscloudwatch.CfnAlarm_MetricStatProperty{
				Metric: &awscloudwatch.CfnAlarm_MetricProperty{
					Namespace: jsii.String("AWS/SageMaker"), MetricName: jsii.String("Invocations"),
					Dimensions: &[]any{
						&awscloudwatch.CfnAlarm_DimensionProperty{Name: jsii.String("EndpointName"), Value: jsii.String(p.EndpointName)},
						&awscloudwatch.CfnAlarm_DimensionProperty{Name: jsii.String("VariantName"), Value: jsii.String(v.Name)},
					},
				},
				Period: jsii.Number(IdlePeriod.Seconds()), Stat: jsii.String("Sum"),
			},
		})
	}
	queries = append(queries, &awscloudwatch.CfnAlarm_MetricDataQueryProperty{
		Id: jsii.String("invocations"), Expression: jsii.String("SUM(METRICS())"),
		Label: jsii.String("Invocations, all variants"), ReturnData: jsii.Bool(true),
	})
	return awscloudwatch.NewCfnAlarm(scope, jsii.String("IdleAlarm"), &awscloudwatch.CfnAlarmProps{
		AlarmName: jsii.String(p.IdleAlarmName),
		AlarmDescription: jsii.String(fmt.Sprintf("Sizing endpoint %s served no request for %v and bills by the hour: run the test or `cdk destroy` the sizing stack.",
			p.EndpointName, IdlePeriod)),
		Metrics:            &queries,
		ComparisonOperator: jsii.String("LessThanThreshold"),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		DatapointsToAlarm:  jsii.Number(1),
		TreatMissingData:   jsii.String("breaching"),
		AlarmActions:       &[]any{p.TopicArn},
	})
}

// CostPerHour is what the variants cost per hour: each instance type's
// catalogue price times its instance count, summed.
func CostPerHour(variants []Variant) float64 {
	var sum float64
	for _, v := range variants {
		sum += v.Instance.PricePerHour * float64(v.Count)
	}
	return sum
}
