// Package awstest provides local servers that speak the wire protocols of the
// AWS services sagesize uses, for tests that drive the real AWS SDK clients
// (with a BaseEndpoint override and static credentials) instead of mocks:
//
//   - [SageMakerRuntime] serves InvokeEndpoint (REST-JSON), with injectable
//     latency distributions, stalls, ThrottlingException, ModelError and
//     other error responses, hung requests and broken connections, and an
//     optional SigV4 check; it also serves a container's /ping and
//     /invocations.
//   - [CloudWatch] serves PutMetricData in the SDK's default protocol,
//     Smithy RPCv2-CBOR, checks the API's limits and records what it got;
//     it answers GetMetricData from that data as CloudWatch would (period
//     buckets, Sum/Average/SampleCount/Minimum/Maximum and nearest-rank
//     percentiles, ScanBy, pagination), or with figures the test sets.
//     Either operation can be made to answer chosen faults (Throttling,
//     an expired token…) with InjectPutFault and InjectGetFault.
//   - [CloudFormation] serves DescribeStacks (awsquery: form-encoded
//     request, XML response), with ValidationError for a missing stack.
//   - [ECS] serves RunTask, DescribeTasks and StopTask (awsJson1_1) with the
//     API's batch limits, Fargate capacity failures and scripted task ends.
//   - [S3] serves path-style GetObject with a CRC32 checksum header.
//
// Every server listens on 127.0.0.1 only. Servers are safe for concurrent use.
package awstest
