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
