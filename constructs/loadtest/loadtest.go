// Package loadtest provides the load-test infrastructure: an ECS cluster
// and a Fargate task definition that runs the loadgen container against
// SageMaker endpoints, with a task role allowed only to invoke the named
// endpoints, publish to the load-test namespace and read the named payload
// objects. `sagesize run` starts its tasks.
package loadtest

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/internal/nagsuppress"
	"github.com/sagesize/sagesize/loadplan"
)

// ContainerName is the loadgen container's name in the task definition.
const ContainerName = "loadgen"

// nonRootUID is distroless's "nonroot" user, which the image runs as.
const nonRootUID = "65532"

// Props configures the load-test infrastructure. Values come from a
// validated config.
type Props struct {
	// Endpoints are the SageMaker endpoint names the tasks may invoke.
	Endpoints []string
	// Payloads are the s3://bucket/key objects the tasks may read.
	Payloads []string
	// Namespace is the only CloudWatch namespace the tasks may publish to.
	Namespace string
	// Image is the loadgen container image (an asset built from the
	// Dockerfile, or a registry image).
	Image awsecs.ContainerImage
	// CPU (units) and MemoryMiB of a task; Architecture arm64 or x86_64.
	CPU, MemoryMiB int
	Architecture   string
	// VpcID and SubnetIDs name an existing VPC; empty creates one.
	VpcID     string
	SubnetIDs []string
	// AssignPublicIP for tasks in an existing VPC (a created VPC has only
	// public subnets, so its tasks always get public IPs).
	AssignPublicIP bool
	// ContainerInsights turns on Container Insights.
	ContainerInsights bool
	// LogRetentionDays of the task and flow log groups.
	LogRetentionDays int
}

// LoadTest is the created infrastructure.
type LoadTest struct {
	constructs.Construct
	Cluster        awsecs.CfnCluster
	TaskDefinition awsecs.FargateTaskDefinition
	SecurityGroup  awsec2.CfnSecurityGroup
	LogGroup       awslogs.LogGroup
	TaskRole       awsiam.Role
	// Subnets are the subnet ids tasks run in; AssignPublicIP says whether
	// they need public IPs to reach AWS.
	Subnets        []string
	AssignPublicIP bool
}

// New creates the cluster, task definition, roles, log group and security
// group (and a VPC when none is named).
func New(scope constructs.Construct, id *string, p *Props) *LoadTest {
	l := &LoadTest{Construct: constructs.NewConstruct(scope, id)}
	retention := awslogs.RetentionDays(retentionName(p.LogRetentionDays))
	logKey := l.newLogKey()
	vpcID := p.VpcID
	l.Subnets, l.AssignPublicIP = p.SubnetIDs, p.AssignPublicIP
	if vpcID == "" {
		// A created VPC has only public subnets, so its tasks need public IPs.
		vpcID, l.Subnets = l.newVpc(retention, logKey)
		l.AssignPublicIP = true
	}
	l.SecurityGroup = l.newSecurityGroup(vpcID)
	l.Cluster = l.newCluster(p.ContainerInsights)
	l.TaskRole = l.newTaskRole(p)
	l.TaskDefinition = l.newTaskDefinition(p, l.TaskRole)
	l.LogGroup = awslogs.NewLogGroup(l.Construct, jsii.String("Logs"), &awslogs.LogGroupProps{Retention: retention, EncryptionKey: logKey})
	l.addContainer(p)
	l.suppressTaskDefinitionFindings()
	return l
}

// newLogKey creates the key that encrypts the task and flow logs, which
// CloudWatch Logs in this region may use for log groups of this account.
func (l *LoadTest) newLogKey() awskms.Key {
	logKey := awskms.NewKey(l.Construct, jsii.String("LogKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the sagesize load-test log groups"),
		EnableKeyRotation: jsii.Bool(true),
	})
	logKey.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchLogs"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(awscdk.Fn_Sub(jsii.String("logs.${AWS::Region}.amazonaws.com"), nil), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"), // in a key policy "*" means this key
		Conditions: &map[string]any{"ArnLike": map[string]any{
			"kms:EncryptionContext:aws:logs:arn": awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"), nil),
		}},
	}), jsii.Bool(false))
	return logKey
}

// newVpc creates a VPC of public subnets in two AZs, with no NAT gateway and
// a flow log of rejected traffic, and returns its id and subnet ids.
func (l *LoadTest) newVpc(retention awslogs.RetentionDays, logKey awskms.IKey) (vpcID string, subnets []string) {
	vpc := awsec2.NewVpc(l.Construct, jsii.String("Vpc"), &awsec2.VpcProps{
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(0), // public subnets only: no NAT gateway to pay for
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
			Name: jsii.String("loadgen"), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24),
		}},
		RestrictDefaultSecurityGroup: jsii.Bool(true),
	})
	flowLogs := awslogs.NewLogGroup(l.Construct, jsii.String("FlowLogs"), &awslogs.LogGroupProps{Retention: retention, EncryptionKey: logKey})
	vpc.AddFlowLog(jsii.String("FlowLog"), &awsec2.FlowLogOptions{
		Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(flowLogs, nil),
		TrafficType: awsec2.FlowLogTrafficType_REJECT,
	})
	for _, s := range *vpc.PublicSubnets() {
		subnets = append(subnets, *s.SubnetId())
	}
	return *vpc.VpcId(), subnets
}

// newSecurityGroup creates the tasks' security group in vpcID: no inbound
// rules; outbound only HTTPS (SageMaker Runtime, CloudWatch, S3, ECR and
// CloudWatch Logs are all reached over 443).
func (l *LoadTest) newSecurityGroup(vpcID string) awsec2.CfnSecurityGroup {
	return awsec2.NewCfnSecurityGroup(l.Construct, jsii.String("SecurityGroup"), &awsec2.CfnSecurityGroupProps{
		GroupDescription: jsii.String("sagesize loadgen tasks: no inbound, HTTPS outbound"),
		VpcId:            jsii.String(vpcID),
		SecurityGroupEgress: &[]any{&awsec2.CfnSecurityGroup_EgressProperty{
			IpProtocol: jsii.String("tcp"), FromPort: jsii.Number(443), ToPort: jsii.Number(443),
			CidrIp: jsii.String("0.0.0.0/0"), Description: jsii.String("HTTPS to AWS APIs"),
		}},
	})
}

// newCluster creates the ECS cluster, with Container Insights when
// insights is set (and the cdk-nag finding suppressed when it is not).
func (l *LoadTest) newCluster(insights bool) awsecs.CfnCluster {
	setting := "disabled"
	if insights {
		setting = "enabled"
	}
	cluster := awsecs.NewCfnCluster(l.Construct, jsii.String("Cluster"), &awsecs.CfnClusterProps{
		ClusterSettings: &[]any{&awsecs.CfnCluster_ClusterSettingsProperty{Name: jsii.String("containerInsights"), Value: jsii.String(setting)}},
	})
	if !insights {
		nagsuppress.On(cluster, nagsuppress.Rule{
			ID:     "AwsSolutions-ECS4",
			Reason: "Container Insights is opt-in (loadTest.containerInsights): load-test tasks are short-lived and loadgen publishes its own client metrics",
		})
	}
	return cluster
}

// newTaskRole creates the task role, allowed only to invoke p's endpoints,
// publish to p's namespace and read p's payload objects.
func (l *LoadTest) newTaskRole(p *Props) awsiam.Role {
	role := awsiam.NewRole(l.Construct, jsii.String("TaskRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ecs-tasks.amazonaws.com"), nil),
		Description: jsii.String("sagesize loadgen: invoke the configured endpoints, publish load-test metrics, read payloads"),
	})
	arns := endpointArns(awscdk.Stack_Of(l.Construct), p.Endpoints)
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("InvokeConfiguredEndpoints"), Actions: jsii.Strings("sagemaker:InvokeEndpoint"), Resources: &arns,
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("PublishLoadTestMetrics"), Actions: jsii.Strings("cloudwatch:PutMetricData"), Resources: jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"cloudwatch:namespace": p.Namespace}},
	}))
	if len(p.Payloads) > 0 {
		objects := payloadArns(p.Payloads)
		role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ReadPayloads"), Actions: jsii.Strings("s3:GetObject"), Resources: &objects,
		}))
	}
	nagsuppress.On(role.Node().FindChild(jsii.String("DefaultPolicy")), nagsuppress.Rule{
		ID:        "AwsSolutions-IAM5",
		Reason:    "cloudwatch:PutMetricData supports no resource-level permissions; the statement is limited to the load-test namespace by the cloudwatch:namespace condition",
		AppliesTo: []string{"Resource::*"},
	})
	return role
}

// endpointArns returns the ARNs of the named SageMaker endpoints in stack's
// account and region.
func endpointArns(stack awscdk.Stack, endpoints []string) []*string {
	arns := make([]*string, len(endpoints))
	for i, e := range endpoints {
		// SageMaker stores endpoint names in lower case in ARNs.
		arns[i] = stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("sagemaker"), Resource: jsii.String("endpoint"), ResourceName: jsii.String(strings.ToLower(e))})
	}
	return arns
}

// payloadArns returns the ARNs of the s3://bucket/key payload objects.
func payloadArns(payloads []string) []*string {
	objects := make([]*string, len(payloads))
	for i, u := range payloads {
		objects[i] = awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:s3:::"+strings.TrimPrefix(u, "s3://")), nil)
	}
	return objects
}

// newTaskDefinition creates the Fargate task definition of p's size and
// architecture, whose tasks run as role.
func (l *LoadTest) newTaskDefinition(p *Props, role awsiam.IRole) awsecs.FargateTaskDefinition {
	arch := awsecs.CpuArchitecture_ARM64()
	if p.Architecture == "x86_64" {
		arch = awsecs.CpuArchitecture_X86_64()
	}
	return awsecs.NewFargateTaskDefinition(l.Construct, jsii.String("TaskDefinition"), &awsecs.FargateTaskDefinitionProps{
		Cpu:             jsii.Number(p.CPU),
		MemoryLimitMiB:  jsii.Number(p.MemoryMiB),
		RuntimePlatform: &awsecs.RuntimePlatform{CpuArchitecture: arch, OperatingSystemFamily: awsecs.OperatingSystemFamily_LINUX()},
		TaskRole:        role,
	})
}

// addContainer adds the loadgen container to l.TaskDefinition: non-root,
// read-only root file system, logging to l.LogGroup, and configured
// through its environment to publish to p's namespace.
func (l *LoadTest) addContainer(p *Props) {
	l.TaskDefinition.AddContainer(jsii.String(ContainerName), &awsecs.ContainerDefinitionOptions{
		ContainerName:          jsii.String(ContainerName),
		Image:                  p.Image,
		Essential:              jsii.Bool(true),
		MemoryLimitMiB:         jsii.Number(p.MemoryMiB), // a hard limit: the task's memory
		ReadonlyRootFilesystem: jsii.Bool(true),
		User:                   jsii.String(nonRootUID),
		// loadgen's grace (15 s) plus a last publish fits in 30 s.
		StopTimeout: awscdk.Duration_Seconds(jsii.Number(30)),
		Logging:     awsecs.LogDrivers_AwsLogs(&awsecs.AwsLogDriverProps{LogGroup: l.LogGroup, StreamPrefix: jsii.String("loadgen")}),
		Environment: &map[string]*string{
			loadplan.EnvCloudWatch: jsii.String("true"),
			loadplan.EnvNamespace:  jsii.String(p.Namespace),
			loadplan.EnvRegion:     awscdk.Aws_REGION(),
			loadplan.EnvProgress:   jsii.String("off"),
		},
	})
}

// suppressTaskDefinitionFindings records why the cdk-nag findings on the
// task definition and its execution role's policy are accepted.
func (l *LoadTest) suppressTaskDefinitionFindings() {
	nagsuppress.On(l.TaskDefinition, nagsuppress.Rule{
		ID:     "AwsSolutions-ECS2",
		Reason: "the environment holds only non-secret settings (namespace, region, switches); the runner adds the test plan per task",
	})
	if execPolicy := l.TaskDefinition.ExecutionRole().Node().TryFindChild(jsii.String("DefaultPolicy")); execPolicy != nil {
		nagsuppress.On(execPolicy, nagsuppress.Rule{
			ID:        "AwsSolutions-IAM5",
			Reason:    "the execution role's ecr:GetAuthorizationToken takes no resource; the CDK scopes every other ECR and Logs action to the image repository and the log group",
			AppliesTo: []string{"Resource::*"},
		})
	}
}

// retentionName maps days to the CDK's RetentionDays enum value names.
func retentionName(days int) string {
	names := map[int]string{1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH",
		60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS", 150: "FIVE_MONTHS", 180: "SIX_MONTHS", 365: "ONE_YEAR",
		400: "THIRTEEN_MONTHS", 545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS", 1096: "THREE_YEARS", 1827: "FIVE_YEARS",
		2192: "SIX_YEARS", 2557: "SEVEN_YEARS", 2922: "EIGHT_YEARS", 3288: "NINE_YEARS", 3653: "TEN_YEARS"}
	if n, ok := names[days]; ok {
		return n
	}
	panic(fmt.Sprintf("loadtest: %d is not a CloudWatch Logs retention; config not validated", days))
}
