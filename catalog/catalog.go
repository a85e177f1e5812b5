// Package catalog is the built-in table of SageMaker real-time hosting
// instance types: their hardware (vCPUs, memory, accelerators) and an
// on-demand price per hour in one region (PriceRegion).
//
// A Catalog is immutable. Build the built-in one with New, and derive a
// catalogue with configured prices with WithPrices; the original is never
// changed. Looking up a name that is not in the catalogue returns an
// *UnknownTypeError that suggests the closest valid names.
package catalog

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Accelerator says what kind of accelerator an instance carries.
type Accelerator int

const (
	// None means the instance has no accelerator: CPU only.
	None Accelerator = iota
	// NvidiaGPU means NVIDIA GPUs (g4dn, g5, g6, g6e, p4d, p5).
	NvidiaGPU
	// Inferentia means AWS Inferentia or Inferentia2 chips (inf1, inf2).
	Inferentia
	// Trainium means AWS Trainium chips (trn1).
	Trainium
)

// String returns a human-readable name for the accelerator kind.
func (a Accelerator) String() string {
	switch a {
	case None:
		return "none"
	case NvidiaGPU:
		return "NVIDIA GPU"
	case Inferentia:
		return "Inferentia"
	case Trainium:
		return "Trainium"
	default:
		return fmt.Sprintf("Accelerator(%d)", int(a))
	}
}

// Instance categories, as used in Instance.Category.
const (
	// CategoryBurstable is the burstable-CPU t family.
	CategoryBurstable = "burstable"
	// CategoryGeneralPurpose is the m families.
	CategoryGeneralPurpose = "general purpose"
	// CategoryComputeOptimized is the c families.
	CategoryComputeOptimized = "compute optimized"
	// CategoryMemoryOptimized is the r families.
	CategoryMemoryOptimized = "memory optimized"
	// CategoryGPU is the NVIDIA GPU families (g and p).
	CategoryGPU = "accelerated (GPU)"
	// CategoryInferentia is the AWS Inferentia families (inf).
	CategoryInferentia = "accelerated (Inferentia)"
	// CategoryTrainium is the AWS Trainium families (trn).
	CategoryTrainium = "accelerated (Trainium)"
)

// CPU architectures, as used in Instance.Arch. A model container must be
// built for the instance's architecture.
const (
	// ArchX86 is 64-bit Intel or AMD.
	ArchX86 = "x86_64"
	// ArchARM is 64-bit ARM (AWS Graviton).
	ArchARM = "arm64"
)

// Instance is one ml.* hosting instance type.
type Instance struct {
	// Type is the full SageMaker name, e.g. "ml.g5.xlarge".
	Type string
	// Family is the instance family, e.g. "g5".
	Family string
	// Category is one of the Category* constants.
	Category string
	// Arch is the CPU architecture, ArchX86 or ArchARM.
	Arch string
	// VCPUs is the number of virtual CPUs.
	VCPUs int
	// MemoryGiB is the host memory in GiB.
	MemoryGiB float64
	// Accelerator is the kind of accelerator, None for CPU-only instances.
	Accelerator Accelerator
	// AcceleratorCount is the number of GPUs, or of Inferentia/Trainium devices (chips).
	AcceleratorCount int
	// AcceleratorModel names the accelerator, e.g. "NVIDIA A10G" or "Inferentia2".
	AcceleratorModel string
	// AcceleratorMemoryGiB is the accelerator memory in GiB, total across all accelerators.
	AcceleratorMemoryGiB float64
	// PricePerHour is the on-demand real-time inference price in USD per
	// instance-hour in PriceRegion (or the configured price, see PriceOverridden).
	PricePerHour float64
	// PriceEstimated is true when the built-in price was estimated rather
	// than taken from a price list (see the comment in table.go).
	PriceEstimated bool
	// PriceOverridden is true when WithPrices replaced the built-in price.
	PriceOverridden bool
	// NotebookOnly is true for types SageMaker offers for notebook instances
	// but not for real-time endpoints (ml.t3); PricePerHour is then the
	// notebook instance price.
	NotebookOnly bool
	// LocalStorage is true for types with NVMe SSD instance store (m5d,
	// c5d, r5d, g4dn, g5, g6, g6e, p4d, p5, trn1). SageMaker encrypts it in
	// hardware and rejects a KMS key (KmsKeyId) for an endpoint
	// configuration with a variant on such a type; table.go names the
	// sources.
	LocalStorage bool
}

// GPUs returns the number of NVIDIA GPUs (SageMaker's GPUUtilization is
// 0..100*GPUs only for those), 0 otherwise.
func (i Instance) GPUs() int {
	if i.Accelerator != NvidiaGPU {
		return 0
	}
	return i.AcceleratorCount
}

// Size returns the size part of the type name, e.g. "xlarge" for
// "ml.g5.xlarge".
func (i Instance) Size() string {
	return strings.TrimPrefix(i.Type, "ml."+i.Family+".")
}

// Catalog is an immutable set of instance types. There is no package-level
// state: build it with New, derive from it with WithPrices.
type Catalog struct {
	byType map[string]Instance
	types  []string // sorted
}

// New returns the built-in catalogue of SageMaker real-time hosting
// instance types with their PriceRegion prices. Each call builds a fresh,
// independent catalogue.
func New() *Catalog {
	return fromInstances(builtin())
}

// fromInstances builds a catalogue from a list of instances; the list must
// not hold duplicate types.
func fromInstances(list []Instance) *Catalog {
	c := &Catalog{
		byType: make(map[string]Instance, len(list)),
		types:  make([]string, 0, len(list)),
	}
	for _, inst := range list {
		c.byType[inst.Type] = inst
		c.types = append(c.types, inst.Type)
	}
	sort.Strings(c.types)
	return c
}

// Lookup returns the instance type named typ, e.g. "ml.g5.xlarge". Names are
// matched exactly, as SageMaker does. For a name that is not in the
// catalogue it returns an *UnknownTypeError holding the closest valid names.
func (c *Catalog) Lookup(typ string) (Instance, error) {
	if inst, ok := c.byType[typ]; ok {
		return inst, nil
	}
	return Instance{}, c.unknown(typ)
}

// unknown builds the error for a name that is not in the catalogue.
func (c *Catalog) unknown(typ string) *UnknownTypeError {
	var suggestions []string
	if norm := normalize(typ); norm != typ {
		if _, ok := c.byType[norm]; ok {
			// Only the case, the spacing or the "ml." prefix was off.
			suggestions = []string{norm}
		}
	}
	if suggestions == nil {
		suggestions = c.Suggest(typ, maxSuggestions)
	}
	return &UnknownTypeError{Type: typ, Suggestions: suggestions}
}

// maxSuggestions is how many names an UnknownTypeError suggests at most.
const maxSuggestions = 3

// Len returns the number of instance types in the catalogue.
func (c *Catalog) Len() int {
	return len(c.types)
}

// Types returns every instance type name, sorted lexically.
func (c *Catalog) Types() []string {
	return append([]string(nil), c.types...)
}

// Instances returns every instance type, in the order of Types.
func (c *Catalog) Instances() []Instance {
	out := make([]Instance, 0, len(c.types))
	for _, t := range c.types {
		out = append(out, c.byType[t])
	}
	return out
}

// Families returns the names of the instance families, sorted lexically.
func (c *Catalog) Families() []string {
	seen := make(map[string]bool)
	var out []string
	for _, t := range c.types {
		f := c.byType[t].Family
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// WithPrices returns a new catalogue in which the price per hour of each
// type named in overrides is replaced by the given USD amount. Every key must
// be a type in the catalogue (an *UnknownTypeError otherwise) and every
// price a positive finite number (an *InvalidPriceError otherwise); all such
// problems are reported together, and no catalogue is returned. The receiver
// is never changed.
func (c *Catalog) WithPrices(overrides map[string]float64) (*Catalog, error) {
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	var errs []error
	for _, k := range keys {
		p := overrides[k]
		if _, ok := c.byType[k]; !ok {
			errs = append(errs, fmt.Errorf("price override: %w", c.unknown(k)))
			continue
		}
		if !(p > 0) || math.IsInf(p, 0) {
			errs = append(errs, &InvalidPriceError{Type: k, Price: p})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	out := &Catalog{
		byType: make(map[string]Instance, len(c.byType)),
		types:  append([]string(nil), c.types...),
	}
	for t, inst := range c.byType {
		if p, ok := overrides[t]; ok {
			inst.PricePerHour = p
			inst.PriceEstimated = false
			inst.PriceOverridden = true
		}
		out.byType[t] = inst
	}
	return out, nil
}

// UnknownTypeError is returned for an instance type name that is not in the
// catalogue. Use errors.As to get at it.
type UnknownTypeError struct {
	// Type is the name as given.
	Type string
	// Suggestions are the closest valid names, best first; it may be empty.
	Suggestions []string
}

// Error says which name is unknown, notes a missing "ml." prefix, and lists
// the suggestions.
func (e *UnknownTypeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "unknown instance type %q", e.Type)
	trimmed := strings.ToLower(strings.TrimSpace(e.Type))
	switch {
	case trimmed == "":
		b.WriteString(": the instance type is empty")
	case !strings.HasPrefix(trimmed, "ml."):
		b.WriteString(`: SageMaker hosting instance types start with "ml."`)
	}
	if len(e.Suggestions) > 0 {
		fmt.Fprintf(&b, " (did you mean %s?)", strings.Join(e.Suggestions, ", "))
	}
	return b.String()
}

// InvalidPriceError is returned by WithPrices for a price that is not a
// positive finite number.
type InvalidPriceError struct {
	// Type is the instance type whose price was given.
	Type string
	// Price is the rejected price.
	Price float64
}

// Error names the type and the rejected price.
func (e *InvalidPriceError) Error() string {
	return fmt.Sprintf("price override for %s: price must be a positive number of USD per hour, got %v", e.Type, e.Price)
}
