// Package loadtest provides the load-test infrastructure: an ECS cluster
// and a Fargate task definition that runs the loadgen container against
// SageMaker endpoints, with a task role allowed only to invoke the named
// endpoints, publish to the load-test namespace and read the named payload
// objects. `sagesize run` starts its tasks.
package loadtest

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/internal/keypolicy"
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
	// ImageURI is the registry URI of Image when it is a registry image;
	// a private ECR image (see ParseECRImage) gets pull permission on the
	// execution role.
	ImageURI string
	// CPU (units) and MemoryMiB of a task; Architecture arm64 or x86_64.
	CPU, MemoryMiB int
	Architecture   string
	// VpcID and SubnetIDs name an existing VPC; empty creates one.
	VpcID     string
	SubnetIDs []string
	// AssignPublicIP for tasks in an existing VPC (a created VPC has public
	// subnets, whose tasks always get public IPs, unless PrivateSubnets).
	AssignPublicIP bool
	// PrivateSubnets makes a created VPC's subnets isolated, with VPC
	// endpoints for every AWS API the tasks call.
	PrivateSubnets bool
	// ContainerInsights turns on Container Insights.
	ContainerInsights bool
	// LogRetentionDays of the task and flow log groups.
	LogRetentionDays int
	// Grace and Drain are loadgen's stop periods (LOADGEN_GRACE,
	// LOADGEN_DRAIN); StopTimeout, the container's stop timeout, holds
	// both (loadplan.StopTimeout).
	Grace, Drain, StopTimeout time.Duration
	// Ephemeral marks a per-release stack: its log groups are deleted with
	// it and its log key is scheduled for deletion after 7 days, rather
	// than retained.
	Ephemeral bool
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
	logKey := l.newLogKey(p.Ephemeral)
	vpcID := p.VpcID
	l.Subnets, l.AssignPublicIP = p.SubnetIDs, p.AssignPublicIP
	var vpc awsec2.Vpc
	if vpcID == "" {
		vpc = l.newVpc(p, retention, logKey)
		vpcID, l.Subnets = *vpc.VpcId(), subnetIDs(vpc, p.PrivateSubnets)
		// Public subnets reach AWS only through public IPs; isolated ones
		// through the VPC endpoints.
		l.AssignPublicIP = !p.PrivateSubnets
	}
	l.SecurityGroup = l.newSecurityGroup(vpcID)
	if vpc != nil && p.PrivateSubnets {
		l.addEndpoints(vpc)
	}
	l.Cluster = l.newCluster(p.ContainerInsights)
	l.TaskRole = l.newTaskRole(p)
	l.TaskDefinition = l.newTaskDefinition(p, l.TaskRole)
	l.LogGroup = awslogs.NewLogGroup(l.Construct, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention: retention, EncryptionKey: logKey, RemovalPolicy: removal(p.Ephemeral),
	})
	l.addContainer(p)
	l.grantImagePull(p.ImageURI)
	l.suppressTaskDefinitionFindings()
	return l
}

// removal is the removal policy of the stack's logs and log key: destroyed
// with a per-release (ephemeral) stack, retained otherwise.
func removal(ephemeral bool) awscdk.RemovalPolicy {
	if ephemeral {
		return awscdk.RemovalPolicy_DESTROY
	}
	return awscdk.RemovalPolicy_RETAIN
}

// ecsTasks is the ECS tasks service principal, limited to this account
// (aws:SourceAccount) and, when sourceArn, to ECS resources of this account
// and region (aws:SourceArn).
func ecsTasks(sourceArn bool) awsiam.IPrincipal {
	cond := map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()}}
	if sourceArn {
		cond["ArnLike"] = map[string]any{"aws:SourceArn": awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*"), nil)}
	}
	return awsiam.NewServicePrincipal(jsii.String("ecs-tasks.amazonaws.com"), &awsiam.ServicePrincipalOpts{Conditions: &cond})
}

// newLogKey creates the key that encrypts the task and flow logs, which
// CloudWatch Logs in this region may use for log groups of this account.
func (l *LoadTest) newLogKey(ephemeral bool) awskms.Key {
	props := &awskms.KeyProps{
		Description:       jsii.String("Encrypts the sagesize load-test log groups"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     removal(ephemeral),
	}
	if ephemeral {
		props.PendingWindow = awscdk.Duration_Days(jsii.Number(7)) // the shortest KMS allows
	}
	logKey := awskms.NewKey(l.Construct, jsii.String("LogKey"), props)
	logKey.AddToResourcePolicy(awsiam.PolicyStatement_FromJson(keypolicy.DenyGrantsNotForAWSResources()), jsii.Bool(false))
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

// newVpc creates a VPC in two AZs with no NAT gateway and a flow log of
// rejected traffic: public subnets, or isolated ones when p.PrivateSubnets.
func (l *LoadTest) newVpc(p *Props, retention awslogs.RetentionDays, logKey awskms.IKey) awsec2.Vpc {
	subnetType := awsec2.SubnetType_PUBLIC
	if p.PrivateSubnets {
		subnetType = awsec2.SubnetType_PRIVATE_ISOLATED
	}
	vpc := awsec2.NewVpc(l.Construct, jsii.String("Vpc"), &awsec2.VpcProps{
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(0), // no NAT gateway to pay for
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
			Name: jsii.String("loadgen"), SubnetType: subnetType, CidrMask: jsii.Number(24),
		}},
		RestrictDefaultSecurityGroup: jsii.Bool(true),
	})
	flowLogs := awslogs.NewLogGroup(l.Construct, jsii.String("FlowLogs"), &awslogs.LogGroupProps{
		Retention: retention, EncryptionKey: logKey, RemovalPolicy: removal(p.Ephemeral),
	})
	// The flow-log role, trusted only by this account's flow logs.
	role := awsiam.NewRole(l.Construct, jsii.String("FlowLogRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("vpc-flow-logs.amazonaws.com"), &awsiam.ServicePrincipalOpts{Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
			"ArnLike":      map[string]any{"aws:SourceArn": awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*"), nil)},
		}}),
		Description: jsii.String("sagesize load-test VPC flow log: write rejected traffic to its log group"),
	})
	vpc.AddFlowLog(jsii.String("FlowLog"), &awsec2.FlowLogOptions{
		Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(flowLogs, role),
		TrafficType: awsec2.FlowLogTrafficType_REJECT,
	})
	return vpc
}

// subnetIDs are the ids of vpc's public or, when private, isolated subnets.
func subnetIDs(vpc awsec2.Vpc, private bool) []string {
	subnets := vpc.PublicSubnets()
	if private {
		subnets = vpc.IsolatedSubnets()
	}
	var ids []string
	for _, s := range *subnets {
		ids = append(ids, *s.SubnetId())
	}
	return ids
}

// interfaceEndpoints are the AWS APIs a task in an isolated subnet calls,
// each through an interface VPC endpoint: InvokeEndpoint, PutMetricData,
// the awslogs driver, and the image pull (ECR's API and registry; its layers
// come from S3, through the gateway endpoint).
var interfaceEndpoints = []struct{ id, service string }{
	{"SageMakerRuntime", "sagemaker.runtime"},
	{"CloudWatch", "monitoring"},
	{"Logs", "logs"},
	{"EcrApi", "ecr.api"},
	{"EcrDkr", "ecr.dkr"},
}

// addEndpoints adds to vpc the interface endpoints of interfaceEndpoints,
// with private DNS, in the isolated subnets, behind a security group that
// admits HTTPS from the tasks' security group only; and an S3 gateway
// endpoint on the isolated subnets' route tables.
func (l *LoadTest) addEndpoints(vpc awsec2.Vpc) {
	sg := awsec2.NewCfnSecurityGroup(l.Construct, jsii.String("EndpointSecurityGroup"), &awsec2.CfnSecurityGroupProps{
		GroupDescription: jsii.String("sagesize VPC endpoints: HTTPS from the loadgen tasks only"),
		VpcId:            vpc.VpcId(),
		SecurityGroupIngress: &[]any{&awsec2.CfnSecurityGroup_IngressProperty{
			IpProtocol: jsii.String("tcp"), FromPort: jsii.Number(443), ToPort: jsii.Number(443),
			SourceSecurityGroupId: l.SecurityGroup.AttrGroupId(), Description: jsii.String("HTTPS from the loadgen tasks"),
		}},
		// No outbound rule needed: an endpoint only answers.
		SecurityGroupEgress: &[]any{&awsec2.CfnSecurityGroup_EgressProperty{
			IpProtocol: jsii.String("icmp"), FromPort: jsii.Number(252), ToPort: jsii.Number(86),
			CidrIp: jsii.String("255.255.255.255/32"), Description: jsii.String("Disallow all traffic"),
		}},
	})
	subnets := subnetIDs(vpc, true)
	for _, e := range interfaceEndpoints {
		awsec2.NewCfnVPCEndpoint(l.Construct, jsii.String("Endpoint"+e.id), &awsec2.CfnVPCEndpointProps{
			VpcId:             vpc.VpcId(),
			VpcEndpointType:   jsii.String("Interface"),
			ServiceName:       awscdk.Fn_Sub(jsii.String("com.amazonaws.${AWS::Region}."+e.service), nil),
			PrivateDnsEnabled: jsii.Bool(true),
			SubnetIds:         anyStrings(subnets),
			SecurityGroupIds:  &[]any{sg.AttrGroupId()},
		})
	}
	var tables []any
	for _, s := range *vpc.IsolatedSubnets() {
		tables = append(tables, s.RouteTable().RouteTableId())
	}
	awsec2.NewCfnVPCEndpoint(l.Construct, jsii.String("EndpointS3"), &awsec2.CfnVPCEndpointProps{
		VpcId:           vpc.VpcId(),
		VpcEndpointType: jsii.String("Gateway"),
		ServiceName:     awscdk.Fn_Sub(jsii.String("com.amazonaws.${AWS::Region}.s3"), nil),
		RouteTableIds:   &tables,
	})
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
		AssumedBy:   ecsTasks(true),
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
	// The execution role (image pull, logs), trusted only by this
	// account's tasks. ECS documents aws:SourceArn for task roles; the
	// execution role keeps to aws:SourceAccount.
	exec := awsiam.NewRole(l.Construct, jsii.String("ExecutionRole"), &awsiam.RoleProps{
		AssumedBy:   ecsTasks(false),
		Description: jsii.String("sagesize loadgen task execution: pull the image, write the task logs"),
	})
	return awsecs.NewFargateTaskDefinition(l.Construct, jsii.String("TaskDefinition"), &awsecs.FargateTaskDefinitionProps{
		ExecutionRole:   exec,
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
		// ECS sends SIGKILL this long after SIGTERM: loadgen's grace and
		// drain fit in it, with loadplan.StopMargin to write the summary.
		StopTimeout: awscdk.Duration_Seconds(jsii.Number(p.StopTimeout.Seconds())),
		Logging:     awsecs.LogDrivers_AwsLogs(&awsecs.AwsLogDriverProps{LogGroup: l.LogGroup, StreamPrefix: jsii.String("loadgen")}),
		Environment: &map[string]*string{
			loadplan.EnvGrace:      jsii.String(p.Grace.String()),
			loadplan.EnvDrain:      jsii.String(p.Drain.String()),
			loadplan.EnvCloudWatch: jsii.String("true"),
			loadplan.EnvNamespace:  jsii.String(p.Namespace),
			loadplan.EnvRegion:     awscdk.Aws_REGION(),
			loadplan.EnvProgress:   jsii.String("off"),
		},
	})
}

// anyStrings is ss as the []any some L1 properties take.
func anyStrings(ss []string) *[]any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return &out
}

// ECRImage is a private ECR image URI taken apart.
type ECRImage struct {
	// Account and Region own the repository; Repository is its name.
	Account, Region, Repository string
}

// ecrImageRE matches <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repo>
// with a :tag and/or an @sha256: digest, or neither.
var ecrImageRE = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([a-z0-9][a-z0-9._/-]*?)(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`)

// ParseECRImage takes apart a private ECR image URI; ok is false for any
// other image (Docker Hub, ECR Public, another registry).
func ParseECRImage(uri string) (img ECRImage, ok bool) {
	m := ecrImageRE.FindStringSubmatch(uri)
	if m == nil {
		return ECRImage{}, false
	}
	return ECRImage{Account: m[1], Region: m[2], Repository: m[3]}, true
}

// grantImagePull lets the execution role pull a private ECR image:
// BatchGetImage and GetDownloadUrlForLayer on its repository (in the
// stack's partition, the URI's account and region), GetAuthorizationToken
// on "*", the only resource that action takes. An asset image is granted
// by the CDK itself; other registries need no IAM permission.
func (l *LoadTest) grantImagePull(uri string) {
	img, ok := ParseECRImage(uri)
	if !ok {
		return
	}
	role := l.TaskDefinition.ObtainExecutionRole()
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("PullLoadgenImage"),
		Actions: jsii.Strings("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
		Resources: &[]*string{awscdk.Fn_Sub(jsii.String(fmt.Sprintf("arn:${AWS::Partition}:ecr:%s:%s:repository/%s",
			img.Region, img.Account, img.Repository)), nil)},
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("EcrAuthorizationToken"),
		Actions:   jsii.Strings("ecr:GetAuthorizationToken"),
		Resources: jsii.Strings("*"),
	}))
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
