package catalog

// PriceRegion is the AWS region whose prices the built-in table holds.
const PriceRegion = "us-east-1"

// PriceSource says where the built-in prices come from. The AWS page itself
// (https://aws.amazon.com/sagemaker-ai/pricing/, "Real-Time Inference" tab)
// could not be read when the table was made; the figures come from public
// copies of it, and some are estimates. The comment on builtinFamilies says
// which are which.
const PriceSource = "public copies of the Amazon SageMaker AI pricing page, real-time inference, us-east-1 " +
	"(chiefly github.com/aws-samples/foundation-model-benchmarking-tool src/fmbench/configs/pricing.yml " +
	"and a public SageMaker price table stamped 2026-09-27); estimates where marked"

// PriceDate is the date the built-in price table was assembled (the newest
// copy it draws on was stamped 2026-09-27). Prices change: override them in
// config when in doubt.
const PriceDate = "2026-11-26"

// size is one size of a family: its hardware and price.
type size struct {
	name     string
	vcpus    int
	memGiB   float64
	accCount int     // accelerators (GPUs, chips); 0 for CPU-only families
	accGiB   float64 // total accelerator memory
	price    float64 // USD per hour, on demand, real-time inference, PriceRegion
}

// family is one instance family and its sizes.
type family struct {
	name      string
	category  string
	arch      string
	acc       Accelerator
	accModel  string
	estimated bool // the prices of this family are estimates
	notebook  bool // offered for notebook instances only, not for hosting
	local     bool // every size has NVMe SSD instance store (see localStorageSource)
	sizes     []size
}

// builtin returns the built-in instance table, built fresh on each call.
func builtin() []Instance {
	var out []Instance
	for _, f := range builtinFamilies() {
		for _, s := range f.sizes {
			inst := Instance{
				Type:                 "ml." + f.name + "." + s.name,
				Family:               f.name,
				Category:             f.category,
				Arch:                 f.arch,
				VCPUs:                s.vcpus,
				MemoryGiB:            s.memGiB,
				Accelerator:          f.acc,
				AcceleratorCount:     s.accCount,
				AcceleratorModel:     f.accModel,
				AcceleratorMemoryGiB: s.accGiB,
				PricePerHour:         s.price,
				PriceEstimated:       f.estimated,
				NotebookOnly:         f.notebook,
				LocalStorage:         f.local,
			}
			if f.acc == None {
				inst.AcceleratorModel = ""
			}
			out = append(out, inst)
		}
	}
	return out
}

// builtinFamilies returns every family of the built-in table.
//
// Which types exist: the families and sizes are the ones the SageMaker API
// accepts for a real-time endpoint's production variant
// (ProductionVariantInstanceType, as listed in the AWS SDK for JavaScript v3
// SageMaker client), limited to current families a user would size with.
// Not offered for hosting, so not here: ml.t3, ml.m7g, and the m5/r5/c5
// sizes 8xlarge, 16xlarge (m5, r5) and 12xlarge, 24xlarge (c5). Left out as
// niche or superseded: m4, c4, p2, p3, dl1, m6gd, c6gd, c6gn, r6g, r6gd,
// r8g, p4de, p5e, p5en, trn1n, trn2.
//
// Hardware: vCPUs, memory and accelerators are the EC2 specifications of
// the same instance types (inf1 memory per chip: 8 GiB of Inferentia DRAM).
//
// Local storage (local: true, Instance.LocalStorage): the families whose
// every size has NVMe SSD instance store volumes, from the EC2
// documentation's instance store tables: m5d, c5d and r5d (EC2 User Guide,
// "Instance store volumes", doc_source/InstanceStorage.md of
// awsdocs/amazon-ec2-user-guide); g4dn, g5, g6, g6e, p4d, p5 and trn1
// ("Accelerated computing instances", instance store specifications,
// docs.aws.amazon.com/ec2/latest/instancetypes/ac.html). Every other family
// here, inf1 and inf2 included, is EBS only. SageMaker encrypts such volumes
// in hardware and rejects an endpoint configuration's KmsKeyId when any
// variant runs on one (CreateEndpointConfig, KmsKeyId: "You can't request a
// KmsKeyId when using an instance type with local storage").
//
// Prices (USD per instance-hour, on demand, real-time inference,
// us-east-1). The AWS pricing page was not read directly; every figure is
// from a public copy of it or is an estimate:
//
//   - From github.com/aws-samples/foundation-model-benchmarking-tool,
//     src/fmbench/configs/pricing.yml ("SageMaker Hourly Instance Pricing"):
//     g5.xlarge, g5.2xlarge, g5.12xlarge, g5.24xlarge, g5.48xlarge;
//     g6.2xlarge, g6.12xlarge, g6.16xlarge, g6.24xlarge, g6.48xlarge;
//     inf2 (all four); m5.xlarge; g4dn.12xlarge.
//   - From github.com/goerlitz/nlp-classification (a table of SageMaker GPU
//     prices citing the AWS page), agreeing with two other public tables:
//     g4dn (all six).
//   - From a public SageMaker price table stamped "us-east-1 list prices
//     read on 2026-09-27" (not said to be the real-time inference column;
//     where it overlaps the sources above it agrees with them), with m5, c5
//     and r5 also matching other public copies: m5, m5d, m6i, m7i, c5, c6i,
//     c7i, r5, r6i, r7i (all sizes); g5.4xlarge, g5.8xlarge, g5.16xlarge;
//     g6.xlarge, g6.4xlarge, g6.8xlarge (also in a second public table);
//     g6e (all eight; xlarge..12xlarge, 24xlarge and 48xlarge also in a
//     second public table); trn1; p4d and p5. For p4d, p5 and
//     trn1.32xlarge the older aws-samples file above has higher figures
//     (37.688, 113.068 and 28.497); the newer ones are used here (for p4d
//     and p5 they are 33% and 44% lower, in line with AWS's 2025 price
//     reductions for P4d and P5 instances).
//   - Estimated (PriceEstimated is true), not found in any copy read:
//     c5d and r5d: the c5 and r5 prices times 1.1826, the m5d/m5 ratio of
//     the same table. t2: the EC2 t2 on-demand list prices (0.0464 per
//     medium, doubling per size) times 1.198, the SageMaker/EC2 ratio of
//     m5.xlarge in the aws-samples file. inf1: the EC2 inf1 list prices
//     (0.228, 0.362, 1.180, 4.721) times 1.199, the SageMaker/EC2 ratio of
//     inf2.8xlarge in the aws-samples file. Graviton m6g and c6g: 80% of
//     m6i and c6i (AWS's usual Graviton discount); c7g: 85% of c7i. Treat
//     these as rough and override them in config where they matter.
func builtinFamilies() []family {
	return []family{
		// Burstable.
		{name: "t2", category: CategoryBurstable, arch: ArchX86, estimated: true, sizes: []size{
			{name: "medium", vcpus: 2, memGiB: 4, price: 0.056},
			{name: "large", vcpus: 2, memGiB: 8, price: 0.111},
			{name: "xlarge", vcpus: 4, memGiB: 16, price: 0.222},
			{name: "2xlarge", vcpus: 8, memGiB: 32, price: 0.445},
		}},

		// Burstable, for notebook instances only (SageMaker hosting has no
		// ml.t3). Prices are the notebook instance prices, estimated.
		{name: "t3", category: CategoryBurstable, arch: ArchX86, estimated: true, notebook: true, sizes: []size{
			{name: "medium", vcpus: 2, memGiB: 4, price: 0.05},
			{name: "large", vcpus: 2, memGiB: 8, price: 0.1},
			{name: "xlarge", vcpus: 4, memGiB: 16, price: 0.2},
			{name: "2xlarge", vcpus: 8, memGiB: 32, price: 0.399},
		}},

		// General purpose.
		{name: "m5", category: CategoryGeneralPurpose, arch: ArchX86, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 8, price: 0.115},
			{name: "xlarge", vcpus: 4, memGiB: 16, price: 0.23},
			{name: "2xlarge", vcpus: 8, memGiB: 32, price: 0.461},
			{name: "4xlarge", vcpus: 16, memGiB: 64, price: 0.922},
			{name: "12xlarge", vcpus: 48, memGiB: 192, price: 2.765},
			{name: "24xlarge", vcpus: 96, memGiB: 384, price: 5.53},
		}},
		{name: "m5d", category: CategoryGeneralPurpose, arch: ArchX86, local: true, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 8, price: 0.136},
			{name: "xlarge", vcpus: 4, memGiB: 16, price: 0.271},
			{name: "2xlarge", vcpus: 8, memGiB: 32, price: 0.542},
			{name: "4xlarge", vcpus: 16, memGiB: 64, price: 1.085},
			{name: "12xlarge", vcpus: 48, memGiB: 192, price: 3.254},
			{name: "24xlarge", vcpus: 96, memGiB: 384, price: 6.509},
		}},
		{name: "m6i", category: CategoryGeneralPurpose, arch: ArchX86, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 8, price: 0.115},
			{name: "xlarge", vcpus: 4, memGiB: 16, price: 0.23},
			{name: "2xlarge", vcpus: 8, memGiB: 32, price: 0.461},
			{name: "4xlarge", vcpus: 16, memGiB: 64, price: 0.922},
			{name: "8xlarge", vcpus: 32, memGiB: 128, price: 1.843},
			{name: "12xlarge", vcpus: 48, memGiB: 192, price: 2.765},
			{name: "16xlarge", vcpus: 64, memGiB: 256, price: 3.686},
			{name: "24xlarge", vcpus: 96, memGiB: 384, price: 5.53},
			{name: "32xlarge", vcpus: 128, memGiB: 512, price: 7.373},
		}},
		{name: "m7i", category: CategoryGeneralPurpose, arch: ArchX86, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 8, price: 0.121},
			{name: "xlarge", vcpus: 4, memGiB: 16, price: 0.242},
			{name: "2xlarge", vcpus: 8, memGiB: 32, price: 0.484},
			{name: "4xlarge", vcpus: 16, memGiB: 64, price: 0.968},
			{name: "8xlarge", vcpus: 32, memGiB: 128, price: 1.935},
			{name: "12xlarge", vcpus: 48, memGiB: 192, price: 2.903},
			{name: "16xlarge", vcpus: 64, memGiB: 256, price: 3.871},
			{name: "24xlarge", vcpus: 96, memGiB: 384, price: 5.806},
			{name: "48xlarge", vcpus: 192, memGiB: 768, price: 11.612},
		}},
		{name: "m6g", category: CategoryGeneralPurpose, arch: ArchARM, estimated: true, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 8, price: 0.092},
			{name: "xlarge", vcpus: 4, memGiB: 16, price: 0.184},
			{name: "2xlarge", vcpus: 8, memGiB: 32, price: 0.369},
			{name: "4xlarge", vcpus: 16, memGiB: 64, price: 0.738},
			{name: "8xlarge", vcpus: 32, memGiB: 128, price: 1.474},
			{name: "12xlarge", vcpus: 48, memGiB: 192, price: 2.212},
			{name: "16xlarge", vcpus: 64, memGiB: 256, price: 2.949},
		}},

		// Compute optimized.
		{name: "c5", category: CategoryComputeOptimized, arch: ArchX86, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 4, price: 0.102},
			{name: "xlarge", vcpus: 4, memGiB: 8, price: 0.204},
			{name: "2xlarge", vcpus: 8, memGiB: 16, price: 0.408},
			{name: "4xlarge", vcpus: 16, memGiB: 32, price: 0.816},
			{name: "9xlarge", vcpus: 36, memGiB: 72, price: 1.836},
			{name: "18xlarge", vcpus: 72, memGiB: 144, price: 3.672},
		}},
		{name: "c5d", category: CategoryComputeOptimized, arch: ArchX86, estimated: true, local: true, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 4, price: 0.121},
			{name: "xlarge", vcpus: 4, memGiB: 8, price: 0.241},
			{name: "2xlarge", vcpus: 8, memGiB: 16, price: 0.483},
			{name: "4xlarge", vcpus: 16, memGiB: 32, price: 0.965},
			{name: "9xlarge", vcpus: 36, memGiB: 72, price: 2.171},
			{name: "18xlarge", vcpus: 72, memGiB: 144, price: 4.343},
		}},
		{name: "c6i", category: CategoryComputeOptimized, arch: ArchX86, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 4, price: 0.102},
			{name: "xlarge", vcpus: 4, memGiB: 8, price: 0.204},
			{name: "2xlarge", vcpus: 8, memGiB: 16, price: 0.408},
			{name: "4xlarge", vcpus: 16, memGiB: 32, price: 0.816},
			{name: "8xlarge", vcpus: 32, memGiB: 64, price: 1.632},
			{name: "12xlarge", vcpus: 48, memGiB: 96, price: 2.448},
			{name: "16xlarge", vcpus: 64, memGiB: 128, price: 3.264},
			{name: "24xlarge", vcpus: 96, memGiB: 192, price: 4.896},
			{name: "32xlarge", vcpus: 128, memGiB: 256, price: 6.528},
		}},
		{name: "c7i", category: CategoryComputeOptimized, arch: ArchX86, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 4, price: 0.107},
			{name: "xlarge", vcpus: 4, memGiB: 8, price: 0.214},
			{name: "2xlarge", vcpus: 8, memGiB: 16, price: 0.428},
			{name: "4xlarge", vcpus: 16, memGiB: 32, price: 0.857},
			{name: "8xlarge", vcpus: 32, memGiB: 64, price: 1.714},
			{name: "12xlarge", vcpus: 48, memGiB: 96, price: 2.57},
			{name: "16xlarge", vcpus: 64, memGiB: 128, price: 3.427},
			{name: "24xlarge", vcpus: 96, memGiB: 192, price: 5.141},
			{name: "48xlarge", vcpus: 192, memGiB: 384, price: 10.282},
		}},
		{name: "c6g", category: CategoryComputeOptimized, arch: ArchARM, estimated: true, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 4, price: 0.082},
			{name: "xlarge", vcpus: 4, memGiB: 8, price: 0.163},
			{name: "2xlarge", vcpus: 8, memGiB: 16, price: 0.326},
			{name: "4xlarge", vcpus: 16, memGiB: 32, price: 0.653},
			{name: "8xlarge", vcpus: 32, memGiB: 64, price: 1.306},
			{name: "12xlarge", vcpus: 48, memGiB: 96, price: 1.958},
			{name: "16xlarge", vcpus: 64, memGiB: 128, price: 2.611},
		}},
		{name: "c7g", category: CategoryComputeOptimized, arch: ArchARM, estimated: true, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 4, price: 0.091},
			{name: "xlarge", vcpus: 4, memGiB: 8, price: 0.182},
			{name: "2xlarge", vcpus: 8, memGiB: 16, price: 0.364},
			{name: "4xlarge", vcpus: 16, memGiB: 32, price: 0.728},
			{name: "8xlarge", vcpus: 32, memGiB: 64, price: 1.457},
			{name: "12xlarge", vcpus: 48, memGiB: 96, price: 2.185},
			{name: "16xlarge", vcpus: 64, memGiB: 128, price: 2.913},
		}},

		// Memory optimized.
		{name: "r5", category: CategoryMemoryOptimized, arch: ArchX86, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 16, price: 0.151},
			{name: "xlarge", vcpus: 4, memGiB: 32, price: 0.302},
			{name: "2xlarge", vcpus: 8, memGiB: 64, price: 0.605},
			{name: "4xlarge", vcpus: 16, memGiB: 128, price: 1.21},
			{name: "12xlarge", vcpus: 48, memGiB: 384, price: 3.629},
			{name: "24xlarge", vcpus: 96, memGiB: 768, price: 7.258},
		}},
		{name: "r5d", category: CategoryMemoryOptimized, arch: ArchX86, estimated: true, local: true, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 16, price: 0.179},
			{name: "xlarge", vcpus: 4, memGiB: 32, price: 0.357},
			{name: "2xlarge", vcpus: 8, memGiB: 64, price: 0.715},
			{name: "4xlarge", vcpus: 16, memGiB: 128, price: 1.431},
			{name: "12xlarge", vcpus: 48, memGiB: 384, price: 4.292},
			{name: "24xlarge", vcpus: 96, memGiB: 768, price: 8.583},
		}},
		{name: "r6i", category: CategoryMemoryOptimized, arch: ArchX86, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 16, price: 0.151},
			{name: "xlarge", vcpus: 4, memGiB: 32, price: 0.302},
			{name: "2xlarge", vcpus: 8, memGiB: 64, price: 0.605},
			{name: "4xlarge", vcpus: 16, memGiB: 128, price: 1.21},
			{name: "8xlarge", vcpus: 32, memGiB: 256, price: 2.419},
			{name: "12xlarge", vcpus: 48, memGiB: 384, price: 3.629},
			{name: "16xlarge", vcpus: 64, memGiB: 512, price: 4.838},
			{name: "24xlarge", vcpus: 96, memGiB: 768, price: 7.258},
			{name: "32xlarge", vcpus: 128, memGiB: 1024, price: 9.677},
		}},
		{name: "r7i", category: CategoryMemoryOptimized, arch: ArchX86, sizes: []size{
			{name: "large", vcpus: 2, memGiB: 16, price: 0.159},
			{name: "xlarge", vcpus: 4, memGiB: 32, price: 0.318},
			{name: "2xlarge", vcpus: 8, memGiB: 64, price: 0.635},
			{name: "4xlarge", vcpus: 16, memGiB: 128, price: 1.27},
			{name: "8xlarge", vcpus: 32, memGiB: 256, price: 2.54},
			{name: "12xlarge", vcpus: 48, memGiB: 384, price: 3.81},
			{name: "16xlarge", vcpus: 64, memGiB: 512, price: 5.08},
			{name: "24xlarge", vcpus: 96, memGiB: 768, price: 7.62},
			{name: "48xlarge", vcpus: 192, memGiB: 1536, price: 15.241},
		}},

		// NVIDIA GPU.
		{name: "g4dn", category: CategoryGPU, arch: ArchX86, acc: NvidiaGPU, accModel: "NVIDIA T4", local: true, sizes: []size{
			{name: "xlarge", vcpus: 4, memGiB: 16, accCount: 1, accGiB: 16, price: 0.7364},
			{name: "2xlarge", vcpus: 8, memGiB: 32, accCount: 1, accGiB: 16, price: 0.94},
			{name: "4xlarge", vcpus: 16, memGiB: 64, accCount: 1, accGiB: 16, price: 1.505},
			{name: "8xlarge", vcpus: 32, memGiB: 128, accCount: 1, accGiB: 16, price: 2.72},
			{name: "12xlarge", vcpus: 48, memGiB: 192, accCount: 4, accGiB: 64, price: 4.89},
			{name: "16xlarge", vcpus: 64, memGiB: 256, accCount: 1, accGiB: 16, price: 5.44},
		}},
		{name: "g5", category: CategoryGPU, arch: ArchX86, acc: NvidiaGPU, accModel: "NVIDIA A10G", local: true, sizes: []size{
			{name: "xlarge", vcpus: 4, memGiB: 16, accCount: 1, accGiB: 24, price: 1.4084},
			{name: "2xlarge", vcpus: 8, memGiB: 32, accCount: 1, accGiB: 24, price: 1.515},
			{name: "4xlarge", vcpus: 16, memGiB: 64, accCount: 1, accGiB: 24, price: 2.03},
			{name: "8xlarge", vcpus: 32, memGiB: 128, accCount: 1, accGiB: 24, price: 3.06},
			{name: "12xlarge", vcpus: 48, memGiB: 192, accCount: 4, accGiB: 96, price: 7.09},
			{name: "16xlarge", vcpus: 64, memGiB: 256, accCount: 1, accGiB: 24, price: 5.12},
			{name: "24xlarge", vcpus: 96, memGiB: 384, accCount: 4, accGiB: 96, price: 10.18},
			{name: "48xlarge", vcpus: 192, memGiB: 768, accCount: 8, accGiB: 192, price: 20.36},
		}},
		{name: "g6", category: CategoryGPU, arch: ArchX86, acc: NvidiaGPU, accModel: "NVIDIA L4", local: true, sizes: []size{
			{name: "xlarge", vcpus: 4, memGiB: 16, accCount: 1, accGiB: 24, price: 1.127},
			{name: "2xlarge", vcpus: 8, memGiB: 32, accCount: 1, accGiB: 24, price: 1.222},
			{name: "4xlarge", vcpus: 16, memGiB: 64, accCount: 1, accGiB: 24, price: 1.654},
			{name: "8xlarge", vcpus: 32, memGiB: 128, accCount: 1, accGiB: 24, price: 2.518},
			{name: "12xlarge", vcpus: 48, memGiB: 192, accCount: 4, accGiB: 96, price: 5.752},
			{name: "16xlarge", vcpus: 64, memGiB: 256, accCount: 1, accGiB: 24, price: 4.246},
			{name: "24xlarge", vcpus: 96, memGiB: 384, accCount: 4, accGiB: 96, price: 8.344},
			{name: "48xlarge", vcpus: 192, memGiB: 768, accCount: 8, accGiB: 192, price: 16.688},
		}},
		{name: "g6e", category: CategoryGPU, arch: ArchX86, acc: NvidiaGPU, accModel: "NVIDIA L40S", local: true, sizes: []size{
			{name: "xlarge", vcpus: 4, memGiB: 32, accCount: 1, accGiB: 48, price: 2.61},
			{name: "2xlarge", vcpus: 8, memGiB: 64, accCount: 1, accGiB: 48, price: 2.8},
			{name: "4xlarge", vcpus: 16, memGiB: 128, accCount: 1, accGiB: 48, price: 3.76},
			{name: "8xlarge", vcpus: 32, memGiB: 256, accCount: 1, accGiB: 48, price: 5.66},
			{name: "12xlarge", vcpus: 48, memGiB: 384, accCount: 4, accGiB: 192, price: 13.12},
			{name: "16xlarge", vcpus: 64, memGiB: 512, accCount: 1, accGiB: 48, price: 9.47},
			{name: "24xlarge", vcpus: 96, memGiB: 768, accCount: 4, accGiB: 192, price: 18.83},
			{name: "48xlarge", vcpus: 192, memGiB: 1536, accCount: 8, accGiB: 384, price: 37.66},
		}},
		{name: "p4d", category: CategoryGPU, arch: ArchX86, acc: NvidiaGPU, accModel: "NVIDIA A100 40GB", local: true, sizes: []size{
			{name: "24xlarge", vcpus: 96, memGiB: 1152, accCount: 8, accGiB: 320, price: 25.2513},
		}},
		{name: "p5", category: CategoryGPU, arch: ArchX86, acc: NvidiaGPU, accModel: "NVIDIA H100 80GB", local: true, sizes: []size{
			{name: "48xlarge", vcpus: 192, memGiB: 2048, accCount: 8, accGiB: 640, price: 63.296},
		}},

		// AWS Inferentia.
		{name: "inf1", category: CategoryInferentia, arch: ArchX86, acc: Inferentia, accModel: "Inferentia", estimated: true, sizes: []size{
			{name: "xlarge", vcpus: 4, memGiB: 8, accCount: 1, accGiB: 8, price: 0.273},
			{name: "2xlarge", vcpus: 8, memGiB: 16, accCount: 1, accGiB: 8, price: 0.434},
			{name: "6xlarge", vcpus: 24, memGiB: 48, accCount: 4, accGiB: 32, price: 1.415},
			{name: "24xlarge", vcpus: 96, memGiB: 192, accCount: 16, accGiB: 128, price: 5.662},
		}},
		{name: "inf2", category: CategoryInferentia, arch: ArchX86, acc: Inferentia, accModel: "Inferentia2", sizes: []size{
			{name: "xlarge", vcpus: 4, memGiB: 16, accCount: 1, accGiB: 32, price: 0.99},
			{name: "8xlarge", vcpus: 32, memGiB: 128, accCount: 1, accGiB: 32, price: 2.36},
			{name: "24xlarge", vcpus: 96, memGiB: 384, accCount: 6, accGiB: 192, price: 7.79},
			{name: "48xlarge", vcpus: 192, memGiB: 768, accCount: 12, accGiB: 384, price: 15.58},
		}},

		// AWS Trainium.
		{name: "trn1", category: CategoryTrainium, arch: ArchX86, acc: Trainium, accModel: "Trainium", local: true, sizes: []size{
			{name: "2xlarge", vcpus: 8, memGiB: 32, accCount: 1, accGiB: 32, price: 1.54},
			{name: "32xlarge", vcpus: 128, memGiB: 512, accCount: 16, accGiB: 512, price: 24.73},
		}},
	}
}
