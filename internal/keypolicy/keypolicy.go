// Package keypolicy holds the statements every sagesize KMS key policy
// shares, as plain policy JSON values.
package keypolicy

// DenyGrantsNotForAWSResources is the key policy statement that lets only
// AWS services create grants on the key: kms:CreateGrant is denied to any
// principal unless the grant is for an AWS resource (SageMaker's grants on
// an endpoint's or notebook's volumes) or the caller is an AWS service.
// It is Control Tower's CT.KMS.PR.3 (cfn-guard
// kms_create_grant_aws_service_check).
func DenyGrantsNotForAWSResources() map[string]any {
	return map[string]any{
		"Sid": "DenyGrantsNotForAWSResources", "Effect": "Deny",
		"Principal": map[string]any{"AWS": "*"},
		"Action":    "kms:CreateGrant",
		"Resource":  "*",
		"Condition": map[string]any{"BoolIfExists": map[string]any{
			"kms:GrantIsForAWSResource": "false",
			"aws:PrincipalIsAWSService": "false",
		}},
	}
}
