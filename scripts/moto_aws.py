#!/usr/bin/env python3
"""AWS calls of sagesize's deploy smoke test (test/deploy_test.go) against moto.

boto3 comes with moto, so this needs nothing beyond `pip install moto[server]`.
It talks to AWS_ENDPOINT_URL with the credentials and region of the
environment, and only ever runs against the local moto_server.

  moto_aws.py create-role NAME...   create roles, as a user's account has them
  moto_aws.py readback STACK        print what STACK created, as JSON

CloudWatch alarms and dashboards are read back by the Go test itself through
the Go SDK; readback covers the rest: the stack, the KMS keys, the SNS topic
(attributes and subscriptions), the IAM managed policy and the SageMaker
lifecycle configurations and notebook instances.
"""

import json
import sys

import boto3

TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})


def create_roles(names):
    iam = boto3.client("iam")
    for name in names:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)


def readback(stack):
    cfn = boto3.client("cloudformation")
    out = {"stack": cfn.describe_stacks(StackName=stack)["Stacks"][0]}
    resources = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    out["resources"] = resources
    by_type = {}
    for r in resources:
        by_type.setdefault(r.get("ResourceType") or "", []).append(r)

    kms = boto3.client("kms")
    out["keys"] = {}
    for r in by_type.get("AWS::KMS::Key", []):
        kid = r["PhysicalResourceId"]
        out["keys"][r["LogicalResourceId"]] = {
            "metadata": kms.describe_key(KeyId=kid)["KeyMetadata"],
            "rotation": kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"],
            "policy": json.loads(kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"]),
        }

    sns = boto3.client("sns")
    out["topics"] = {}
    for r in by_type.get("AWS::SNS::Topic", []):
        arn = r["PhysicalResourceId"]
        attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        attrs["Policy"] = json.loads(attrs.get("Policy", "{}"))
        subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        out["topics"][r["LogicalResourceId"]] = {"arn": arn, "attributes": attrs, "subscriptions": subs}

    iam = boto3.client("iam")
    out["policies"] = {}
    for r in by_type.get("AWS::IAM::ManagedPolicy", []):
        arn = r["PhysicalResourceId"]
        pol = iam.get_policy(PolicyArn=arn)["Policy"]
        doc = iam.get_policy_version(PolicyArn=arn, VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]
        if isinstance(doc, str):
            doc = json.loads(doc)
        roles = iam.list_entities_for_policy(PolicyArn=arn)["PolicyRoles"]
        out["policies"][r["LogicalResourceId"]] = {"arn": arn, "document": doc, "roles": [x["RoleName"] for x in roles]}

    sm = boto3.client("sagemaker")
    # moto has no ListNotebookInstanceLifecycleConfigs: go by the stack.
    out["lifecycleConfigs"] = {}
    for r in by_type.get("AWS::SageMaker::NotebookInstanceLifecycleConfig", []):
        name = r["PhysicalResourceId"].split("/", 1)[1]
        out["lifecycleConfigs"][name] = sm.describe_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name)
    out["notebooks"] = {}
    for r in by_type.get("AWS::SageMaker::NotebookInstance", []):
        name = r["PhysicalResourceId"].split("/", 1)[-1]
        out["notebooks"][name] = sm.describe_notebook_instance(NotebookInstanceName=name)
    return out


def main(argv):
    if len(argv) >= 2 and argv[0] == "create-role":
        create_roles(argv[1:])
        return 0
    if len(argv) == 2 and argv[0] == "readback":
        json.dump(readback(argv[1]), sys.stdout, default=str, indent=1)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
