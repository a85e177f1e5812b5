package loadgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Arrival processes of the open model (-arrivals).
const (
	// ArrivalsConstant sends request n exactly when the plan has it due.
	ArrivalsConstant = "constant"
	// ArrivalsPoisson sends requests as a Poisson process of the plan's
	// rate: exponential gaps, seeded.
	ArrivalsPoisson = "poisson"
)

// PoissonPacer turns any plan into Poisson arrivals with the same rate at
// every instant (steps and ramps included): if the plan has Planned(t)
// requests due by t, request n is due at the time the plan reaches
// E₀ + … + Eₙ, the Eᵢ drawn from an exponential distribution of mean 1
// by a generator seeded with the pacer's seed. Between two of the plan's
// due times the plan's count is taken as linear. The schedule is a pure
// function of the plan and the seed: two generators with the same seed
// send at the same instants, with different seeds independently.
type PoissonPacer struct {
	plan Pacer
	seed uint64

	mu  sync.Mutex
	rng *rand.Rand
	n   uint64  // the next index whose sum is not in sum
	sum float64 // E₀ + … + Eₙ₋₁
}

var _ Pacer = (*PoissonPacer)(nil)

// NewPoissonPacer returns Poisson arrivals at the rate of plan, seeded by
// seed.
func NewPoissonPacer(plan Pacer, seed uint64) *PoissonPacer {
	p := &PoissonPacer{plan: plan, seed: seed}
	p.restart()
	return p
}

func (p *PoissonPacer) restart() {
	p.rng = rand.New(rand.NewPCG(p.seed, 0x9e3779b97f4a7c15))
	p.n, p.sum = 0, 0
}

// position returns E₀ + … + Eₙ. Requests are asked for in order, so this
// is one draw per request; going back restarts from the seed.
func (p *PoissonPacer) position(n uint64) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n < p.n {
		p.restart()
	}
	for p.n <= n {
		p.sum += p.rng.ExpFloat64()
		p.n++
	}
	return p.sum
}

// Due implements [Pacer].
func (p *PoissonPacer) Due(n uint64) (time.Duration, bool) {
	x := p.position(n)
	i := math.Floor(x)
	lo, ok := p.plan.Due(uint64(i))
	if !ok {
		return 0, false
	}
	hi, ok := p.plan.Due(uint64(i) + 1)
	hiCount := i + 1
	if !ok {
		// Past the plan's last due time: interpolate to its end.
		d := p.plan.Duration()
		if d <= lo || p.plan.Planned(d) <= x {
			return 0, false
		}
		hi, hiCount = d, p.plan.Planned(d)
	}
	return lo + time.Duration((x-i)/(hiCount-i)*float64(hi-lo)), true
}

// Planned implements [Pacer]: the expected count, the plan's own.
func (p *PoissonPacer) Planned(elapsed time.Duration) float64 { return p.plan.Planned(elapsed) }

// Duration implements [Pacer].
func (p *PoissonPacer) Duration() time.Duration { return p.plan.Duration() }

// String implements [Pacer], e.g. "constant 50/s for 1m0s, Poisson
// arrivals (seed 1)".
func (p *PoissonPacer) String() string {
	return fmt.Sprintf("%s, Poisson arrivals (seed %d)", p.plan.String(), p.seed)
}
