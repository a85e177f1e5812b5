// Package runner drives a load test on the Fargate task of the
// `<prefix>-loadtest` stack: it reads the stack outputs, starts the tasks
// with ECS RunTask, prints a live view from DescribeTasks and CloudWatch
// GetMetricData, and stops every task it started when the test is
// interrupted. The SDK clients are injected through the interfaces below,
// which *cloudformation.Client, *ecs.Client and *cloudwatch.Client satisfy.
package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"

	"github.com/sagesize/sagesize/loadplan"
)

// CloudFormationAPI is the part of *cloudformation.Client the runner uses.
type CloudFormationAPI interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

// ECSAPI is the part of *ecs.Client the runner uses.
type ECSAPI interface {
	RunTask(ctx context.Context, in *ecs.RunTaskInput, optFns ...func(*ecs.Options)) (*ecs.RunTaskOutput, error)
	DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	StopTask(ctx context.Context, in *ecs.StopTaskInput, optFns ...func(*ecs.Options)) (*ecs.StopTaskOutput, error)
}

// CloudWatchAPI is the part of *cloudwatch.Client the runner uses.
type CloudWatchAPI interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// Stack is what the load-test stack's outputs say about where tasks run.
type Stack struct {
	Name           string
	Cluster        string
	TaskDefinition string
	Subnets        []string
	SecurityGroup  string
	AssignPublicIP string // ENABLED or DISABLED
	ContainerName  string
	LogGroup       string
}

// ErrStackNotDeployed is returned (wrapped) by ReadStack when the stack
// does not exist.
var ErrStackNotDeployed = errors.New("stack not deployed")

// ReadStack reads the outputs of the load-test stack name, waiting at most
// timeout (DefaultCallTimeout when 0) for CloudFormation to answer.
func ReadStack(ctx context.Context, api CloudFormationAPI, name string, timeout time.Duration) (*Stack, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(timeout, DefaultCallTimeout))
	defer cancel()
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist") {
		return nil, fmt.Errorf("stack %s: %w: deploy it first with cdk deploy --all (%w)", name, ErrStackNotDeployed, err)
	}
	if err != nil {
		return nil, fmt.Errorf("describe stack %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return nil, fmt.Errorf("stack %s: %w: deploy it first with cdk deploy --all", name, ErrStackNotDeployed)
	}
	outs := map[string]string{}
	for _, o := range out.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	s := &Stack{Name: name, Cluster: outs[loadplan.OutputCluster], TaskDefinition: outs[loadplan.OutputTaskDefinition],
		SecurityGroup: outs[loadplan.OutputSecurityGroup], AssignPublicIP: outs[loadplan.OutputAssignPublicIP],
		ContainerName: outs[loadplan.OutputContainerName], LogGroup: outs[loadplan.OutputLogGroup]}
	for _, sn := range strings.Split(outs[loadplan.OutputSubnets], ",") {
		if sn = strings.TrimSpace(sn); sn != "" {
			s.Subnets = append(s.Subnets, sn)
		}
	}
	var missing []string
	for _, k := range []string{loadplan.OutputCluster, loadplan.OutputTaskDefinition, loadplan.OutputSubnets, loadplan.OutputSecurityGroup, loadplan.OutputContainerName} {
		if outs[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("stack %s (status %s) lacks the output(s) %s: redeploy it with this version of sagesize (cdk deploy --all)",
			name, out.Stacks[0].StackStatus, strings.Join(missing, ", "))
	}
	if s.AssignPublicIP == "" {
		s.AssignPublicIP = "DISABLED"
	}
	return s, nil
}
