#!/usr/bin/env python3
"""moto_server for sagesize's deploy smoke test (test/deploy_test.go).

moto 5.2's CloudFormation silently skips resource types it does not model
and deviates from CloudFormation in places the test reads back. Before it
serves moto on 127.0.0.1, this wrapper

- registers CloudFormation models for AWS::CloudWatch::Alarm,
  AWS::CloudWatch::CompositeAlarm, AWS::SNS::TopicPolicy and
  AWS::SNS::Subscription that call moto's own CloudWatch and SNS backends
  as PutMetricAlarm, PutCompositeAlarm, SetTopicAttributes and Subscribe
  would;
- makes AWS::KMS::Key store its KeyPolicy as the JSON string the KMS API
  stores (moto keeps the object, and DescribeKey then fails);
- makes AWS::SageMaker::NotebookInstanceLifecycleConfig honour
  NotebookInstanceLifecycleConfigName (moto generates a name);
- gives a stack created through a change set, as the CDK CLI creates it,
  the change set's template and outputs (moto keeps none).

Usage: moto_server.py [--port N]   (0, the default, picks a free port)

It prints "port N" on the first line of stdout once it listens, so that the
caller needs no free-port guess. Every other message goes to stderr.
"""

import argparse
import json
import os
import sys

from moto.cloudformation.models import ChangeSet
from moto.cloudwatch.models import MetricDataQuery, MetricStat, Metric, Dimension, cloudwatch_backends
from moto.core.common_models import CloudFormationModel
from moto.kms.models import Key
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.sagemaker.models import FakeSageMakerNotebookInstanceLifecycleConfig
from moto.sns.models import sns_backends
from werkzeug.serving import make_server


def _int(v):
    return None if v is None else int(v)


def _float(v):
    return None if v is None else float(v)


def _queries(metrics):
    """CloudFormation's Metrics (MetricDataQuery list) as moto's model."""
    out = []
    for m in metrics or []:
        stat = None
        if "MetricStat" in m:
            ms = m["MetricStat"]
            metric = ms["Metric"]
            dims = [Dimension(d["Name"], d["Value"]) for d in metric.get("Dimensions", [])]
            stat = MetricStat(
                metric=Metric(metric["MetricName"], metric["Namespace"], dims),
                period=ms.get("Period"),
                stat=ms.get("Stat"),
                unit=ms.get("Unit"),
            )
        out.append(
            MetricDataQuery(
                query_id=m.get("Id"),
                label=m.get("Label"),
                period=m.get("Period"),
                return_data=m.get("ReturnData"),
                expression=m.get("Expression"),
                metric_stat=stat,
            )
        )
    return out


class _AlarmResource:
    """An alarm created through CloudFormation: Ref is its name, Arn its ARN.

    A mixin: moto finds models among the direct subclasses of
    CloudFormationModel only.
    """

    def __init__(self, alarm):
        self.alarm = alarm

    @property
    def physical_resource_id(self):
        return self.alarm.name

    @staticmethod
    def cloudformation_name_type():
        return "AlarmName"

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "Arn":
            return self.alarm.alarm_arn
        raise KeyError(attribute_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        cls.delete_from_cloudformation_json(original_resource.alarm.name, cloudformation_json, account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        cloudwatch_backends[account_id][region_name].delete_alarms([resource_name])

    def is_created(self):
        return True


class MetricAlarm(_AlarmResource, CloudFormationModel):
    """AWS::CloudWatch::Alarm through moto's PutMetricAlarm."""

    # moto files model classes by the second part of their module name.
    __module__ = "sagesize_moto.cloudwatch"

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudWatch::Alarm"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=p.get("AlarmName", resource_name),
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            metric_data_queries=_queries(p.get("Metrics")),
            comparison_operator=p["ComparisonOperator"],
            evaluation_periods=_int(p["EvaluationPeriods"]),
            datapoints_to_alarm=_int(p.get("DatapointsToAlarm")),
            period=_int(p.get("Period")),
            threshold=_float(p.get("Threshold")),
            statistic=p.get("Statistic"),
            extended_statistic=p.get("ExtendedStatistic"),
            description=p.get("AlarmDescription"),
            dimensions=p.get("Dimensions", []),
            alarm_actions=p.get("AlarmActions", []),
            ok_actions=p.get("OKActions", []),
            insufficient_data_actions=p.get("InsufficientDataActions", []),
            unit=p.get("Unit"),
            actions_enabled=p.get("ActionsEnabled", True),
            treat_missing_data=p.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=p.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=p.get("ThresholdMetricId"),
        )
        return cls(alarm)


class CompositeAlarm(_AlarmResource, CloudFormationModel):
    """AWS::CloudWatch::CompositeAlarm through moto's PutCompositeAlarm."""

    __module__ = "sagesize_moto.cloudwatch"

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudWatch::CompositeAlarm"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=p.get("AlarmName", resource_name),
            namespace=None,
            metric_name=None,
            comparison_operator=None,
            evaluation_periods=None,
            period=None,
            threshold=None,
            statistic=None,
            description=p.get("AlarmDescription"),
            dimensions=[],
            alarm_actions=p.get("AlarmActions", []),
            ok_actions=p.get("OKActions", []),
            insufficient_data_actions=p.get("InsufficientDataActions", []),
            actions_enabled=p.get("ActionsEnabled", True),
            rule=p["AlarmRule"],
        )
        return cls(alarm)


class TopicPolicy(CloudFormationModel):
    """AWS::SNS::TopicPolicy: sets the Policy attribute of each topic."""

    __module__ = "sagesize_moto.sns"

    def __init__(self, topics):
        self.topics = topics

    @property
    def physical_resource_id(self):
        return ",".join(self.topics)

    @staticmethod
    def cloudformation_name_type():
        return ""

    @staticmethod
    def cloudformation_type():
        return "AWS::SNS::TopicPolicy"

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        backend = sns_backends[account_id][region_name]
        for arn in p["Topics"]:
            backend.set_topic_attribute(arn, "policy", json.dumps(p["PolicyDocument"]))
        return cls(list(p["Topics"]))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass

    def is_created(self):
        return True


class TopicSubscription(CloudFormationModel):
    """AWS::SNS::Subscription through moto's Subscribe (moto skips it too).

    An e-mail subscription stays pending confirmation, as on AWS.
    """

    __module__ = "sagesize_moto.sns"

    def __init__(self, subscription):
        self.subscription = subscription

    @property
    def physical_resource_id(self):
        return self.subscription.arn

    @staticmethod
    def cloudformation_name_type():
        return ""

    @staticmethod
    def cloudformation_type():
        return "AWS::SNS::Subscription"

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        backend = sns_backends[account_id][region_name]
        return cls(backend.subscribe(p["TopicArn"], p["Endpoint"], p["Protocol"]))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        sns_backends[account_id][region_name].unsubscribe(resource_name)

    def is_created(self):
        return True


_create_key = Key.create_from_cloudformation_json.__func__


def _create_key_with_policy_string(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """moto's AWS::KMS::Key stores a KeyPolicy object as is, where the KMS
    API stores the policy JSON string; DescribeKey and GetKeyPolicy then
    fail. Hand it the string, as CreateKey would get it."""
    props = cloudformation_json["Properties"]
    if isinstance(props.get("KeyPolicy"), dict):
        props["KeyPolicy"] = json.dumps(props["KeyPolicy"])
    return _create_key(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


Key.create_from_cloudformation_json = classmethod(_create_key_with_policy_string)

# moto names a lifecycle configuration created through CloudFormation after
# the stack and logical id, ignoring NotebookInstanceLifecycleConfigName,
# which CloudFormation honours.
FakeSageMakerNotebookInstanceLifecycleConfig.cloudformation_name_type = staticmethod(
    lambda: "NotebookInstanceLifecycleConfigName"
)

_apply_change_set = ChangeSet.apply


def _apply_change_set_with_outputs(self):
    """moto applies a change set's resources but keeps the stack's template
    and outputs from when the change set was created (none, for the CDK's
    create change set); take the change set's, as CloudFormation does."""
    _apply_change_set(self)
    self.stack.template = self.template
    self.stack._parse_template()
    self.stack.output_map = self.stack._create_output_map()


ChangeSet.apply = _apply_change_set_with_outputs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    # moto builds some URLs (S3 and CloudFormation template URLs) from it.
    os.environ["MOTO_PORT"] = str(server.port)
    print(f"port {server.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
