package catalog

import (
	"errors"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestAcceleratorString(t *testing.T) {
	tests := []struct {
		acc  Accelerator
		want string
	}{
		{None, "none"},
		{NvidiaGPU, "NVIDIA GPU"},
		{Inferentia, "Inferentia"},
		{Trainium, "Trainium"},
		{Accelerator(42), "Accelerator(42)"},
	}
	for _, tt := range tests {
		if got := tt.acc.String(); got != tt.want {
			t.Errorf("Accelerator(%d).String() = %q, want %q", int(tt.acc), got, tt.want)
		}
	}
}

func TestInstanceGPUs(t *testing.T) {
	tests := []struct {
		name string
		inst Instance
		want int
	}{
		{"cpu", Instance{Accelerator: None}, 0},
		{"one gpu", Instance{Accelerator: NvidiaGPU, AcceleratorCount: 1}, 1},
		{"eight gpus", Instance{Accelerator: NvidiaGPU, AcceleratorCount: 8}, 8},
		{"inferentia chips are not gpus", Instance{Accelerator: Inferentia, AcceleratorCount: 12}, 0},
		{"trainium chips are not gpus", Instance{Accelerator: Trainium, AcceleratorCount: 16}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.inst.GPUs(); got != tt.want {
				t.Errorf("GPUs() = %d, want %d", got, tt.want)
			}
		})
	}
}

var sizeRE = regexp.MustCompile(`^(medium|large|xlarge|[1-9][0-9]*xlarge)$`)

// TestBuiltinEntries checks every built-in entry on its own.
func TestBuiltinEntries(t *testing.T) {
	categoryOf := map[Accelerator][]string{
		None:       {CategoryBurstable, CategoryGeneralPurpose, CategoryComputeOptimized, CategoryMemoryOptimized},
		NvidiaGPU:  {CategoryGPU},
		Inferentia: {CategoryInferentia},
		Trainium:   {CategoryTrainium},
	}
	list := builtin()
	if len(list) < 100 {
		t.Fatalf("builtin() has %d entries, want the full table (at least 100)", len(list))
	}
	for _, inst := range list {
		t.Run(inst.Type, func(t *testing.T) {
			if inst.VCPUs <= 0 {
				t.Errorf("VCPUs = %d, want > 0", inst.VCPUs)
			}
			if !(inst.MemoryGiB > 0) {
				t.Errorf("MemoryGiB = %v, want > 0", inst.MemoryGiB)
			}
			if !(inst.PricePerHour > 0) || math.IsInf(inst.PricePerHour, 0) {
				t.Errorf("PricePerHour = %v, want a positive finite number", inst.PricePerHour)
			}
			if inst.PricePerHour > 200 {
				t.Errorf("PricePerHour = %v, implausibly high for one instance-hour", inst.PricePerHour)
			}
			if inst.PriceOverridden {
				t.Error("PriceOverridden is set in the built-in table")
			}
			if !sizeRE.MatchString(inst.Size()) {
				t.Errorf("Size() = %q, not a SageMaker size name", inst.Size())
			}
			if want := "ml." + inst.Family + "." + inst.Size(); inst.Type != want || !strings.HasPrefix(inst.Type, "ml."+inst.Family+".") {
				t.Errorf("Type = %q, want %q", inst.Type, want)
			}
			if !slices.Contains(categoryOf[inst.Accelerator], inst.Category) {
				t.Errorf("Category %q does not fit accelerator %v", inst.Category, inst.Accelerator)
			}
			wantArch := ArchX86
			if strings.HasSuffix(inst.Family, "g") {
				wantArch = ArchARM // m6g, c6g, c7g: Graviton
			}
			if inst.Arch != wantArch {
				t.Errorf("Arch = %q, want %q", inst.Arch, wantArch)
			}
			switch inst.Accelerator {
			case None:
				if inst.AcceleratorCount != 0 || inst.AcceleratorMemoryGiB != 0 || inst.AcceleratorModel != "" {
					t.Errorf("CPU instance has accelerator fields %d, %v, %q", inst.AcceleratorCount, inst.AcceleratorMemoryGiB, inst.AcceleratorModel)
				}
				if inst.GPUs() != 0 {
					t.Errorf("GPUs() = %d, want 0", inst.GPUs())
				}
			case NvidiaGPU:
				if inst.GPUs() <= 0 || inst.GPUs() != inst.AcceleratorCount {
					t.Errorf("GPUs() = %d, want AcceleratorCount %d > 0", inst.GPUs(), inst.AcceleratorCount)
				}
				if !(inst.AcceleratorMemoryGiB > 0) {
					t.Errorf("AcceleratorMemoryGiB = %v, want > 0", inst.AcceleratorMemoryGiB)
				}
				if !strings.HasPrefix(inst.AcceleratorModel, "NVIDIA ") {
					t.Errorf("AcceleratorModel = %q, want an NVIDIA model", inst.AcceleratorModel)
				}
			case Inferentia, Trainium:
				if inst.GPUs() != 0 {
					t.Errorf("GPUs() = %d, want 0 for %v", inst.GPUs(), inst.Accelerator)
				}
				if inst.AcceleratorCount <= 0 || !(inst.AcceleratorMemoryGiB > 0) || inst.AcceleratorModel == "" {
					t.Errorf("accelerator fields %d, %v, %q; want a count, memory and model", inst.AcceleratorCount, inst.AcceleratorMemoryGiB, inst.AcceleratorModel)
				}
			default:
				t.Errorf("unexpected accelerator %v", inst.Accelerator)
			}
		})
	}
}

func TestBuiltinNoDuplicates(t *testing.T) {
	seen := make(map[string]bool)
	list := builtin()
	for _, inst := range list {
		if seen[inst.Type] {
			t.Errorf("duplicate type %s", inst.Type)
		}
		seen[inst.Type] = true
	}
	if got := New().Len(); got != len(list) {
		t.Errorf("New().Len() = %d, want %d", got, len(list))
	}
}

func TestBuiltinFamilies(t *testing.T) {
	want := []string{
		"c5", "c5d", "c6g", "c6i", "c7g", "c7i",
		"g4dn", "g5", "g6", "g6e",
		"inf1", "inf2",
		"m5", "m5d", "m6g", "m6i", "m7i",
		"p4d", "p5",
		"r5", "r5d", "r6i", "r7i",
		"t2", "t3", "trn1",
	}
	if got := New().Families(); !slices.Equal(got, want) {
		t.Errorf("Families() = %v, want %v", got, want)
	}
}

// TestBuiltinSizes checks which sizes each family offers for hosting.
func TestBuiltinSizes(t *testing.T) {
	tests := []struct {
		family string
		sizes  []string
	}{
		{"t2", []string{"medium", "large", "xlarge", "2xlarge"}},
		{"m5", []string{"large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"}},
		{"c5", []string{"large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge"}},
		{"r5d", []string{"large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"}},
		{"m6i", []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"}},
		{"c7i", []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"}},
		{"c7g", []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"}},
		{"g4dn", []string{"xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"}},
		{"g6e", []string{"xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"}},
		{"p4d", []string{"24xlarge"}},
		{"p5", []string{"48xlarge"}},
		{"inf1", []string{"xlarge", "2xlarge", "6xlarge", "24xlarge"}},
		{"inf2", []string{"xlarge", "8xlarge", "24xlarge", "48xlarge"}},
		{"trn1", []string{"2xlarge", "32xlarge"}},
	}
	byFamily := make(map[string][]string)
	for _, inst := range builtin() {
		byFamily[inst.Family] = append(byFamily[inst.Family], inst.Size())
	}
	for _, tt := range tests {
		if got := byFamily[tt.family]; !slices.Equal(got, tt.sizes) {
			t.Errorf("family %s sizes = %v, want %v", tt.family, got, tt.sizes)
		}
	}
}

// TestBuiltinNotHosting checks that names SageMaker does not accept for
// real-time hosting are not in the catalogue, or are marked NotebookOnly.
func TestBuiltinNotHosting(t *testing.T) {
	c := New()
	if inst, err := c.Lookup("ml.t3.medium"); err != nil || !inst.NotebookOnly {
		t.Errorf("Lookup(ml.t3.medium) = %+v, %v; want a notebook-only type", inst, err)
	}
	for _, typ := range []string{"ml.m5.8xlarge", "ml.c5.12xlarge", "ml.m7g.large", "ml.g5.large", "g5.xlarge"} {
		if _, err := c.Lookup(typ); err == nil {
			t.Errorf("Lookup(%q) succeeded; it is not a hosting instance type", typ)
		}
	}
}

// TestBuiltinPricesGrowWithSize checks, within each family, that an instance
// with at least as much of everything (vCPUs, memory, accelerators,
// accelerator memory) and more of something costs more.
func TestBuiltinPricesGrowWithSize(t *testing.T) {
	byFamily := make(map[string][]Instance)
	for _, inst := range builtin() {
		byFamily[inst.Family] = append(byFamily[inst.Family], inst)
	}
	for fam, list := range byFamily {
		compared := 0
		for _, a := range list {
			for _, b := range list {
				if a.Type == b.Type || !dominates(a, b) {
					continue
				}
				compared++
				if a.PricePerHour <= b.PricePerHour {
					t.Errorf("%s (%v/h) is bigger than %s (%v/h) but not dearer", a.Type, a.PricePerHour, b.Type, b.PricePerHour)
				}
			}
		}
		if len(list) > 1 && compared == 0 {
			t.Errorf("family %s: no two sizes compared", fam)
		}
	}
}

// dominates reports whether a has at least as much of every resource as b
// and more of at least one.
func dominates(a, b Instance) bool {
	ge := a.VCPUs >= b.VCPUs && a.MemoryGiB >= b.MemoryGiB &&
		a.AcceleratorCount >= b.AcceleratorCount && a.AcceleratorMemoryGiB >= b.AcceleratorMemoryGiB
	gt := a.VCPUs > b.VCPUs || a.MemoryGiB > b.MemoryGiB ||
		a.AcceleratorCount > b.AcceleratorCount || a.AcceleratorMemoryGiB > b.AcceleratorMemoryGiB
	return ge && gt
}

// TestBuiltinPriceEstimates checks that exactly the families without a
// price source are flagged as estimated.
func TestBuiltinPriceEstimates(t *testing.T) {
	estimated := map[string]bool{"t2": true, "t3": true, "c5d": true, "r5d": true, "inf1": true, "m6g": true, "c6g": true, "c7g": true}
	for _, inst := range builtin() {
		if inst.PriceEstimated != estimated[inst.Family] {
			t.Errorf("%s: PriceEstimated = %v, want %v", inst.Type, inst.PriceEstimated, estimated[inst.Family])
		}
	}
}

func TestPriceConstants(t *testing.T) {
	if PriceRegion != "us-east-1" {
		t.Errorf("PriceRegion = %q", PriceRegion)
	}
	if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(PriceDate) {
		t.Errorf("PriceDate = %q, want YYYY-MM-DD", PriceDate)
	}
	if !strings.Contains(PriceSource, "foundation-model-benchmarking-tool") {
		t.Errorf("PriceSource = %q, want it to name the source", PriceSource)
	}
}

// TestLookupSpecs spot-checks specifications against the EC2 instance type
// documentation and prices against the sources named in table.go.
func TestLookupSpecs(t *testing.T) {
	tests := []struct {
		typ      string
		vcpus    int
		mem      float64
		acc      Accelerator
		accCount int
		model    string
		accMem   float64
		price    float64
		category string
	}{
		{"ml.g5.xlarge", 4, 16, NvidiaGPU, 1, "NVIDIA A10G", 24, 1.4084, CategoryGPU},
		{"ml.g5.48xlarge", 192, 768, NvidiaGPU, 8, "NVIDIA A10G", 192, 20.36, CategoryGPU},
		{"ml.g4dn.xlarge", 4, 16, NvidiaGPU, 1, "NVIDIA T4", 16, 0.7364, CategoryGPU},
		{"ml.g4dn.12xlarge", 48, 192, NvidiaGPU, 4, "NVIDIA T4", 64, 4.89, CategoryGPU},
		{"ml.g6.12xlarge", 48, 192, NvidiaGPU, 4, "NVIDIA L4", 96, 5.752, CategoryGPU},
		{"ml.g6e.xlarge", 4, 32, NvidiaGPU, 1, "NVIDIA L40S", 48, 2.61, CategoryGPU},
		{"ml.p4d.24xlarge", 96, 1152, NvidiaGPU, 8, "NVIDIA A100 40GB", 320, 25.2513, CategoryGPU},
		{"ml.p5.48xlarge", 192, 2048, NvidiaGPU, 8, "NVIDIA H100 80GB", 640, 63.296, CategoryGPU},
		{"ml.inf2.xlarge", 4, 16, Inferentia, 1, "Inferentia2", 32, 0.99, CategoryInferentia},
		{"ml.inf2.48xlarge", 192, 768, Inferentia, 12, "Inferentia2", 384, 15.58, CategoryInferentia},
		{"ml.trn1.32xlarge", 128, 512, Trainium, 16, "Trainium", 512, 24.73, CategoryTrainium},
		{"ml.m5.large", 2, 8, None, 0, "", 0, 0.115, CategoryGeneralPurpose},
		{"ml.c5.9xlarge", 36, 72, None, 0, "", 0, 1.836, CategoryComputeOptimized},
		{"ml.r7i.48xlarge", 192, 1536, None, 0, "", 0, 15.241, CategoryMemoryOptimized},
		{"ml.t2.medium", 2, 4, None, 0, "", 0, 0.056, CategoryBurstable},
	}
	c := New()
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			got, err := c.Lookup(tt.typ)
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if got.Type != tt.typ || got.VCPUs != tt.vcpus || got.MemoryGiB != tt.mem ||
				got.Accelerator != tt.acc || got.AcceleratorCount != tt.accCount ||
				got.AcceleratorModel != tt.model || got.AcceleratorMemoryGiB != tt.accMem ||
				got.PricePerHour != tt.price || got.Category != tt.category {
				t.Errorf("Lookup(%q) = %+v", tt.typ, got)
			}
		})
	}
}

func TestLookupUnknown(t *testing.T) {
	tests := []struct {
		typ         string
		want        string
		suggestions []string
	}{
		{
			typ:         "ml.g5.xlrge",
			want:        `unknown instance type "ml.g5.xlrge" (did you mean ml.g5.xlarge, ml.g5.2xlarge, ml.g5.4xlarge?)`,
			suggestions: []string{"ml.g5.xlarge", "ml.g5.2xlarge", "ml.g5.4xlarge"},
		},
		{
			typ:         "ml.g5.xlagre", // swapped letters count as one edit
			want:        `unknown instance type "ml.g5.xlagre" (did you mean ml.g5.xlarge, ml.g5.2xlarge, ml.g5.4xlarge?)`,
			suggestions: []string{"ml.g5.xlarge", "ml.g5.2xlarge", "ml.g5.4xlarge"},
		},
		{
			typ:         "ml.g6e.larg",
			want:        `unknown instance type "ml.g6e.larg" (did you mean ml.g6e.xlarge, ml.g6e.2xlarge, ml.g6e.4xlarge?)`,
			suggestions: []string{"ml.g6e.xlarge", "ml.g6e.2xlarge", "ml.g6e.4xlarge"},
		},
		{
			typ:         "ml.t3.medum",
			want:        `unknown instance type "ml.t3.medum" (did you mean ml.t3.medium, ml.t3.large, ml.t3.xlarge?)`,
			suggestions: []string{"ml.t3.medium", "ml.t3.large", "ml.t3.xlarge"},
		},
		{
			typ:         "ml.p5.48xl",
			want:        `unknown instance type "ml.p5.48xl" (did you mean ml.p5.48xlarge?)`,
			suggestions: []string{"ml.p5.48xlarge"},
		},
		{
			typ:         "g5.xlarge",
			want:        `unknown instance type "g5.xlarge": SageMaker hosting instance types start with "ml." (did you mean ml.g5.xlarge?)`,
			suggestions: []string{"ml.g5.xlarge"},
		},
		{
			typ:         "inf2.8xlarge",
			want:        `unknown instance type "inf2.8xlarge": SageMaker hosting instance types start with "ml." (did you mean ml.inf2.8xlarge?)`,
			suggestions: []string{"ml.inf2.8xlarge"},
		},
		{
			typ:         "ML.G5.XLARGE",
			want:        `unknown instance type "ML.G5.XLARGE" (did you mean ml.g5.xlarge?)`,
			suggestions: []string{"ml.g5.xlarge"},
		},
		{
			typ:         " ml.m5.large ",
			want:        `unknown instance type " ml.m5.large " (did you mean ml.m5.large?)`,
			suggestions: []string{"ml.m5.large"},
		},
		{
			typ:  "banana",
			want: `unknown instance type "banana": SageMaker hosting instance types start with "ml."`,
		},
		{
			typ:  "",
			want: `unknown instance type "": the instance type is empty`,
		},
	}
	c := New()
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			inst, err := c.Lookup(tt.typ)
			if err == nil {
				t.Fatalf("Lookup(%q) = %+v, want an error", tt.typ, inst)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error = %s\nwant    %s", got, tt.want)
			}
			var ute *UnknownTypeError
			if !errors.As(err, &ute) {
				t.Fatalf("error %T is not an *UnknownTypeError", err)
			}
			if ute.Type != tt.typ {
				t.Errorf("Type = %q, want %q", ute.Type, tt.typ)
			}
			if !slices.Equal(ute.Suggestions, tt.suggestions) {
				t.Errorf("Suggestions = %q, want %q", ute.Suggestions, tt.suggestions)
			}
			if inst != (Instance{}) {
				t.Errorf("Lookup returned %+v with the error, want the zero Instance", inst)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		typ  string
		n    int
		want []string
	}{
		{"ml.g5.xlrge", 1, []string{"ml.g5.xlarge"}},
		{"ml.g5.xlrge", 0, nil},
		{"ml.g5.xlrge", -1, nil},
		{"ml.g5.xlarge", 1, []string{"ml.g5.xlarge"}},                                        // a valid name is its own best match
		{"ml.m5.8xlarge", 2, []string{"ml.m5.xlarge", "ml.m5.2xlarge"}},                      // same family first, small sizes first
		{"ml.c7g.medium", 2, []string{"ml.c7g.large", "ml.c7g.xlarge"}},                      // the family is right: keep to it
		{"ml.g5e.xlarge", 3, []string{"ml.g5.xlarge", "ml.g6e.xlarge", "ml.g5.2xlarge"}},     // no such family: closest first
		{"ml.inf2.xl", 3, []string{"ml.inf2.xlarge", "ml.inf2.8xlarge", "ml.inf2.24xlarge"}}, // truncated size
		{"trn1.2xl", 2, []string{"ml.trn1.2xlarge", "ml.trn1.32xlarge"}},                     // no prefix, truncated
		{"gpu", 3, nil}, // nothing plausible
		{"", 3, nil},    // nothing to go on
		{"ml.g4dn.xlarge", 100, []string{"ml.g4dn.xlarge", "ml.g4dn.2xlarge", "ml.g4dn.4xlarge", // capped by plausibility, not n
			"ml.g4dn.8xlarge", "ml.g4dn.12xlarge", "ml.g4dn.16xlarge", // the family first, then names 3 edits away, longer shared beginning first
			"ml.g5.xlarge", "ml.g6.xlarge", "ml.g6e.xlarge", "ml.c5d.xlarge", "ml.m5d.xlarge", "ml.r5d.xlarge"}},
	}
	c := New()
	for _, tt := range tests {
		got := c.Suggest(tt.typ, tt.n)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Suggest(%q, %d) = %q, want %q", tt.typ, tt.n, got, tt.want)
		}
	}
}

func TestTypesSortedAndCopied(t *testing.T) {
	c := New()
	types := c.Types()
	if len(types) != c.Len() {
		t.Fatalf("len(Types()) = %d, Len() = %d", len(types), c.Len())
	}
	if !sort.StringsAreSorted(types) {
		t.Error("Types() is not sorted")
	}
	for _, typ := range types {
		if _, err := c.Lookup(typ); err != nil {
			t.Errorf("Lookup(%q) of a listed type: %v", typ, err)
		}
	}
	first := types[0]
	types[0] = "ml.mutated.xlarge"
	if got := c.Types()[0]; got != first {
		t.Errorf("changing the returned slice changed the catalogue: Types()[0] = %q", got)
	}

	insts := c.Instances()
	if len(insts) != len(types) {
		t.Fatalf("len(Instances()) = %d, want %d", len(insts), len(types))
	}
	for i, inst := range insts {
		if want := c.Types()[i]; inst.Type != want {
			t.Errorf("Instances()[%d].Type = %q, want %q", i, inst.Type, want)
		}
	}
	insts[0].PricePerHour = 12345
	if got := c.Instances()[0].PricePerHour; got == 12345 {
		t.Error("changing a returned Instance changed the catalogue")
	}
}

func TestNewIsFresh(t *testing.T) {
	a, b := New(), New()
	if a == b {
		t.Fatal("New returned the same catalogue twice")
	}
	a.byType["ml.g5.xlarge"] = Instance{Type: "ml.g5.xlarge", PricePerHour: 999}
	got, err := b.Lookup("ml.g5.xlarge")
	if err != nil {
		t.Fatal(err)
	}
	if got.PricePerHour == 999 {
		t.Error("catalogues from two New calls share state")
	}
}

func TestWithPrices(t *testing.T) {
	orig := New()
	origG5, _ := orig.Lookup("ml.g5.xlarge")
	origInf1, _ := orig.Lookup("ml.inf1.xlarge")

	got, err := orig.WithPrices(map[string]float64{"ml.g5.xlarge": 1.0, "ml.inf1.xlarge": 0.3})
	if err != nil {
		t.Fatalf("WithPrices: %v", err)
	}
	if got == orig {
		t.Fatal("WithPrices returned the receiver, want a new catalogue")
	}

	tests := []struct {
		typ            string
		price          float64
		overridden     bool
		estimated      bool
		origPrice      float64
		origEstimated  bool
		checkOrigPrice bool
	}{
		{"ml.g5.xlarge", 1.0, true, false, origG5.PricePerHour, false, true},
		{"ml.inf1.xlarge", 0.3, true, false, origInf1.PricePerHour, true, true},
		{"ml.m5.large", 0.115, false, false, 0.115, false, true},
		{"ml.t2.medium", 0.056, false, true, 0.056, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			inst, err := got.Lookup(tt.typ)
			if err != nil {
				t.Fatal(err)
			}
			if inst.PricePerHour != tt.price || inst.PriceOverridden != tt.overridden || inst.PriceEstimated != tt.estimated {
				t.Errorf("new catalogue: price %v overridden %v estimated %v; want %v %v %v",
					inst.PricePerHour, inst.PriceOverridden, inst.PriceEstimated, tt.price, tt.overridden, tt.estimated)
			}
			before, err := orig.Lookup(tt.typ)
			if err != nil {
				t.Fatal(err)
			}
			if before.PricePerHour != tt.origPrice || before.PriceOverridden || before.PriceEstimated != tt.origEstimated {
				t.Errorf("original changed: price %v overridden %v estimated %v", before.PricePerHour, before.PriceOverridden, before.PriceEstimated)
			}
			if inst.VCPUs != before.VCPUs || inst.AcceleratorCount != before.AcceleratorCount {
				t.Errorf("hardware changed: %+v vs %+v", inst, before)
			}
		})
	}
	if origG5.PricePerHour == 1.0 {
		t.Fatal("test needs an override that differs from the built-in price")
	}
	if !slices.Equal(got.Types(), orig.Types()) {
		t.Error("WithPrices changed the set of types")
	}

	// Chained overrides keep earlier ones.
	again, err := got.WithPrices(map[string]float64{"ml.m5.large": 0.2})
	if err != nil {
		t.Fatal(err)
	}
	for typ, want := range map[string]float64{"ml.g5.xlarge": 1.0, "ml.m5.large": 0.2} {
		if inst, _ := again.Lookup(typ); inst.PricePerHour != want {
			t.Errorf("after two WithPrices, %s price = %v, want %v", typ, inst.PricePerHour, want)
		}
	}
	if inst, _ := got.Lookup("ml.m5.large"); inst.PricePerHour != 0.115 {
		t.Errorf("second WithPrices changed the first result: ml.m5.large = %v", inst.PricePerHour)
	}

	// No overrides: an equal but separate catalogue.
	same, err := orig.WithPrices(nil)
	if err != nil {
		t.Fatal(err)
	}
	if same == orig || !slices.Equal(same.Instances(), orig.Instances()) {
		t.Error("WithPrices(nil) should return an equal, separate catalogue")
	}
}

func TestWithPricesErrors(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]float64
		want      string
		unknown   []string  // types reported as *UnknownTypeError
		invalid   []float64 // prices reported as *InvalidPriceError
	}{
		{
			name:      "unknown type",
			overrides: map[string]float64{"ml.g5.xlrge": 1.2},
			want:      `price override: unknown instance type "ml.g5.xlrge" (did you mean ml.g5.xlarge, ml.g5.2xlarge, ml.g5.4xlarge?)`,
			unknown:   []string{"ml.g5.xlrge"},
		},
		{
			name:      "missing prefix",
			overrides: map[string]float64{"m5.large": 0.1},
			want:      `price override: unknown instance type "m5.large": SageMaker hosting instance types start with "ml." (did you mean ml.m5.large?)`,
			unknown:   []string{"m5.large"},
		},
		{
			name:      "zero",
			overrides: map[string]float64{"ml.g5.xlarge": 0},
			want:      "price override for ml.g5.xlarge: price must be a positive number of USD per hour, got 0",
			invalid:   []float64{0},
		},
		{
			name:      "negative",
			overrides: map[string]float64{"ml.m5.large": -0.5},
			want:      "price override for ml.m5.large: price must be a positive number of USD per hour, got -0.5",
			invalid:   []float64{-0.5},
		},
		{
			name:      "not a number",
			overrides: map[string]float64{"ml.m5.large": math.NaN()},
			want:      "price override for ml.m5.large: price must be a positive number of USD per hour, got NaN",
			invalid:   []float64{math.NaN()},
		},
		{
			name:      "infinite",
			overrides: map[string]float64{"ml.m5.large": math.Inf(1)},
			want:      "price override for ml.m5.large: price must be a positive number of USD per hour, got +Inf",
			invalid:   []float64{math.Inf(1)},
		},
		{
			name:      "all problems at once, in name order",
			overrides: map[string]float64{"ml.bogus.huge": 1, "ml.g5.xlarge": -1, "ml.m5.large": 0.2},
			want: `price override: unknown instance type "ml.bogus.huge"` + "\n" +
				"price override for ml.g5.xlarge: price must be a positive number of USD per hour, got -1",
			unknown: []string{"ml.bogus.huge"},
			invalid: []float64{-1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := New()
			before := orig.Instances()
			got, err := orig.WithPrices(tt.overrides)
			if err == nil {
				t.Fatal("WithPrices succeeded, want an error")
			}
			if got != nil {
				t.Error("WithPrices returned a catalogue with its error")
			}
			if err.Error() != tt.want {
				t.Errorf("error = %s\nwant    %s", err, tt.want)
			}
			var ute *UnknownTypeError
			if (len(tt.unknown) > 0) != errors.As(err, &ute) {
				t.Errorf("errors.As(*UnknownTypeError) = %v, want %v", !(len(tt.unknown) > 0), len(tt.unknown) > 0)
			} else if ute != nil && ute.Type != tt.unknown[0] {
				t.Errorf("UnknownTypeError.Type = %q, want %q", ute.Type, tt.unknown[0])
			}
			var ipe *InvalidPriceError
			if (len(tt.invalid) > 0) != errors.As(err, &ipe) {
				t.Errorf("errors.As(*InvalidPriceError) = %v, want %v", !(len(tt.invalid) > 0), len(tt.invalid) > 0)
			} else if ipe != nil {
				want := tt.invalid[0]
				if ipe.Price != want && !(math.IsNaN(want) && math.IsNaN(ipe.Price)) {
					t.Errorf("InvalidPriceError.Price = %v, want %v", ipe.Price, want)
				}
			}
			if !slices.Equal(orig.Instances(), before) {
				t.Error("a failed WithPrices changed the original catalogue")
			}
		})
	}
}

func TestNotebookOnly(t *testing.T) {
	c := New()
	for _, typ := range c.Types() {
		inst, err := c.Lookup(typ)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := inst.NotebookOnly, inst.Family == "t3"; got != want {
			t.Errorf("%s: NotebookOnly = %v, want %v (only ml.t3 is notebook-only)", typ, got, want)
		}
	}
}

// The families with NVMe instance store are exactly those of the EC2
// instance store tables (see table.go); inf1 and inf2 are EBS only.
func TestLocalStorage(t *testing.T) {
	local := map[string]bool{
		"m5d": true, "c5d": true, "r5d": true,
		"g4dn": true, "g5": true, "g6": true, "g6e": true, "p4d": true, "p5": true, "trn1": true,
	}
	c := New()
	for _, inst := range c.Instances() {
		if got, want := inst.LocalStorage, local[inst.Family]; got != want {
			t.Errorf("%s: LocalStorage = %v, want %v", inst.Type, got, want)
		}
	}
	for _, tc := range []struct {
		typ  string
		want bool
	}{
		{"ml.g5.xlarge", true}, {"ml.trn1.2xlarge", true}, {"ml.m5d.large", true},
		{"ml.c6i.xlarge", false}, {"ml.m5.xlarge", false}, {"ml.inf2.xlarge", false}, {"ml.c7g.large", false},
	} {
		inst, err := c.Lookup(tc.typ)
		if err != nil {
			t.Fatal(err)
		}
		if inst.LocalStorage != tc.want {
			t.Errorf("%s: LocalStorage = %v, want %v", tc.typ, inst.LocalStorage, tc.want)
		}
	}
	// WithPrices keeps the field.
	priced, err := c.WithPrices(map[string]float64{"ml.g5.xlarge": 1})
	if err != nil {
		t.Fatal(err)
	}
	if inst, _ := priced.Lookup("ml.g5.xlarge"); !inst.LocalStorage {
		t.Error("WithPrices lost LocalStorage")
	}
}
