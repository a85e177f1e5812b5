// Package alarmtopic creates the SNS topic that sagesize alarms notify: encrypted
// with a customer managed KMS key (CloudWatch cannot publish to a topic under
// the AWS managed SNS key), reachable over TLS only, and open to this
// account's CloudWatch alarms of the monitored resources (see
// Props.AlarmPatterns).
//
// The resources are plain CloudFormation (L1) resources with their policy
// documents written out: a handful of jsii calls instead of the dozens the L2
// Key, Topic and PolicyStatement classes make. Their logical ids are fixed
// (AlarmTopicKey, AlarmTopic, AlarmTopicPolicy, AlarmTopicEmailN) so that a
// stack deployed before the topic became a construct updates in place: the
// topic has a fixed name, and CloudFormation cannot replace a named resource.
package alarmtopic

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/internal/keypolicy"
)

// Props describes the topic. Values come from a validated config.
type Props struct {
	// Prefix is the project prefix.
	Prefix string
	// AlarmPatterns are the names of the alarms that may publish, "*"
	// matching any characters: one <prefix>-<resource>-* per monitored
	// endpoint or notebook, or exact names. When their ARNs would take more
	// than MaxPatternBytes of the topic policy (SNS allows 30 KB), or when
	// there are none, Prefix-* is allowed instead.
	AlarmPatterns []string
	// TopicName is the topic's fixed name, so that other stacks can address
	// it by ARN.
	TopicName string
	// Emails are subscribed to the topic (each confirms by mail).
	Emails []string
	// Ephemeral marks a per-release stack: its key is deleted with it,
	// after KMS's shortest waiting period (7 days), instead of retained.
	Ephemeral bool
}

// Topic is the created alarm topic and its key.
type Topic struct {
	constructs.Construct
	// Key encrypts the topic; it is retained when the stack is deleted,
	// unless Props.Ephemeral.
	Key awskms.CfnKey
	// Topic is the SNS topic.
	Topic awssns.CfnTopic
	// Arn is the topic's ARN (a token).
	Arn *string
}

// New creates the alarm topic, its key, its policy and the e-mail subscriptions.
func New(scope constructs.Construct, id *string, p *Props) *Topic {
	t := &Topic{Construct: constructs.NewConstruct(scope, id)}
	keyProps := &awskms.CfnKeyProps{
		Description:       jsii.String("Encrypts the sagesize alarm topic of " + p.Prefix),
		EnableKeyRotation: jsii.Bool(true),
		KeyPolicy:         keyPolicy(),
	}
	removal := awscdk.RemovalPolicy_RETAIN
	if p.Ephemeral {
		keyProps.PendingWindowInDays = jsii.Number(7)
		removal = awscdk.RemovalPolicy_DESTROY
	}
	t.Key = awskms.NewCfnKey(t.Construct, jsii.String("Key"), keyProps)
	t.Key.OverrideLogicalId(jsii.String("AlarmTopicKey"))
	t.Key.ApplyRemovalPolicy(removal, nil)
	t.Topic = awssns.NewCfnTopic(t.Construct, jsii.String("Topic"), &awssns.CfnTopicProps{
		TopicName:      jsii.String(p.TopicName),
		DisplayName:    jsii.String("sagesize alarms " + p.Prefix),
		KmsMasterKeyId: t.Key.AttrArn(),
	})
	t.Topic.OverrideLogicalId(jsii.String("AlarmTopic"))
	t.Arn = t.Topic.Ref()
	policy := awssns.NewCfnTopicPolicy(t.Construct, jsii.String("Policy"), &awssns.CfnTopicPolicyProps{
		Topics:         &[]*string{t.Arn},
		PolicyDocument: topicPolicy(t.Arn, AlarmArnPatterns(p.Prefix, p.AlarmPatterns)),
	})
	policy.OverrideLogicalId(jsii.String("AlarmTopicPolicy"))
	for i, e := range p.Emails {
		s := awssns.NewCfnSubscription(t.Construct, jsii.String(fmt.Sprintf("Email%d", i)), &awssns.CfnSubscriptionProps{
			TopicArn: t.Arn, Protocol: jsii.String("email"), Endpoint: jsii.String(e),
		})
		s.OverrideLogicalId(jsii.String(fmt.Sprintf("AlarmTopicEmail%d", i)))
	}
	return t
}

// sourceAccount is this account, as the aws:SourceAccount condition wants it.
func sourceAccount() map[string]any { return map[string]any{"Ref": "AWS::AccountId"} }

// keyPolicy lets the account administer the key and CloudWatch alarms of
// this account use it to publish encrypted messages.
func keyPolicy() map[string]any {
	return map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{
				"Sid": "AccountAdministers", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
				"Principal": map[string]any{"AWS": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
			},
			map[string]any{
				"Sid": "AllowCloudWatchAlarmsToUseTheKey", "Effect": "Allow",
				"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
				"Action":    []any{"kms:Decrypt", "kms:GenerateDataKey*"},
				"Resource":  "*", // in a key policy "*" means this key
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": sourceAccount()}},
			},
			keypolicy.DenyGrantsNotForAWSResources(),
		},
	}
}

// MaxPatternBytes bounds the alarm ARN patterns in the topic policy: within
// SNS's 30 KB policy limit, with room for the policy's other statements.
const MaxPatternBytes = 28_000

// alarmArnBytes is the longest an alarm ARN's fixed part resolves to
// ("arn:aws-us-gov:cloudwatch:ap-southeast-3:123456789012:alarm:") plus
// the JSON quotes and comma around it.
const alarmArnBytes = 64

// AlarmArnPatterns returns the ArnLike values of the alarms that may
// publish: one per pattern, or prefix-* when there are none or they would
// take more than MaxPatternBytes.
func AlarmArnPatterns(prefix string, patterns []string) []any {
	size := 0
	for _, p := range patterns {
		size += alarmArnBytes + len(p)
	}
	if len(patterns) == 0 || size > MaxPatternBytes {
		patterns = []string{prefix + "-*"}
	}
	arns := make([]any, len(patterns))
	for i, p := range patterns {
		arns[i] = map[string]any{"Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:" + p}
	}
	return arns
}

// topicPolicy denies publishing without TLS and lets this account's alarms
// whose ARNs match arns publish.
func topicPolicy(arn *string, arns []any) map[string]any {
	return map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{
				"Sid": "AllowPublishThroughSSLOnly", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": arn,
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			},
			map[string]any{
				"Sid": "AllowCloudWatchAlarmsToPublish", "Effect": "Allow",
				"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
				"Action":    "sns:Publish", "Resource": arn,
				"Condition": map[string]any{
					"StringEquals": map[string]any{"aws:SourceAccount": sourceAccount()},
					"ArnLike":      map[string]any{"aws:SourceArn": arns},
				},
			},
		},
	}
}
