// Package nagsuppress records cdk-nag rule suppressions on CloudFormation
// resources the way cdk-nag's NagSuppressions does (the resource metadata
// "cdk_nag": {"rules_to_suppress": [...]}), without loading the cdk-nag
// library into the jsii runtime: loading it costs a quarter of a second of
// every synth, and the rules only run when someone asks for them
// (-c nag=true, the tests).
package nagsuppress

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Rule is one suppressed cdk-nag rule with its reason.
type Rule struct {
	// ID is the rule id, e.g. AwsSolutions-IAM5.
	ID string
	// Reason says why the finding is accepted (cdk-nag wants 10 characters or more).
	Reason string
	// AppliesTo narrows the suppression to findings such as "Resource::*".
	AppliesTo []string
}

// On suppresses rules on res, the L1 resource itself or the default child
// of an L2 construct. It panics when c holds no CloudFormation resource, a
// programmer error.
func On(c constructs.IConstruct, rules ...Rule) {
	res, ok := c.(awscdk.CfnResource)
	if !ok {
		res, ok = c.Node().DefaultChild().(awscdk.CfnResource)
	}
	if !ok {
		panic("nagsuppress: " + *c.Node().Path() + " is no CloudFormation resource")
	}
	list := make([]any, len(rules))
	for i, r := range rules {
		m := map[string]any{"id": r.ID, "reason": r.Reason}
		if len(r.AppliesTo) > 0 {
			m["applies_to"] = r.AppliesTo
		}
		list[i] = m
	}
	res.AddMetadata(jsii.String("cdk_nag"), map[string]any{"rules_to_suppress": list})
}
