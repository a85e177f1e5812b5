package loadplan

// Outputs of the load-test stack (config.Config.LoadTestStackName): the app
// writes them, and `sagesize run` reads them to start loadgen tasks.
const (
	OutputCluster        = "Cluster"
	OutputTaskDefinition = "TaskDefinition"
	OutputSubnets        = "Subnets" // comma-separated subnet ids
	OutputSecurityGroup  = "SecurityGroup"
	OutputAssignPublicIP = "AssignPublicIp" // ENABLED or DISABLED
	OutputContainerName  = "ContainerName"
	OutputLogGroup       = "LogGroup"
	OutputRunTaskCommand = "RunTaskCommand" // one task without the sagesize CLI
)

// Outputs of the sizing stack (config.Config.SizingStackName).
const (
	OutputEndpoint       = "Endpoint"
	OutputEndpointConfig = "EndpointConfig"
	OutputVariants       = "Variants" // name:instanceType:count, comma-separated
)

// Outputs of the sizing stack's cost guard.
const (
	// OutputDeadline is when a schedule deletes the sizing endpoint, UTC
	// (RFC 3339, e.g. 2026-01-01T02:54:00Z).
	OutputDeadline = "Deadline"
	// OutputCostPerHour is the candidates' price per hour in USD (price ×
	// instance count, summed, from the catalogue), e.g. "2.2500".
	OutputCostPerHour = "CostPerHour"
)
