package bench

import (
	"slices"
	"time"
)

// Summary is the median of several runs of one server, as the load
// harnesses print and write as JSON.
type Summary struct {
	RPS       float64 `json:"rps"`
	PerCPUSec float64 `json:"requests_per_cpu_second"`
	// PerServerCPUSec counts the server process's CPU only (0 for a server
	// inside the load generator's process).
	PerServerCPUSec float64 `json:"requests_per_server_cpu_second"`
	P50us           float64 `json:"p50_us"`
	P99us           float64 `json:"p99_us"`
	N               int     `json:"requests"`
}

// Median returns, per field, the median over runs.
func Median(runs []Result) Summary {
	pick := func(f func(Result) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		return MedianOf(v)
	}
	return Summary{
		RPS:             pick(Result.RPS),
		PerCPUSec:       pick(Result.PerCPUSecond),
		PerServerCPUSec: pick(Result.PerServerCPUSecond),
		P50us:           pick(func(r Result) float64 { return Micros(r.P50) }),
		P99us:           pick(func(r Result) float64 { return Micros(r.P99) }),
		N:               int(pick(func(r Result) float64 { return float64(r.Requests) })),
	}
}

// MedianOf returns the median of v (the upper one of an even count), or 0
// for none. v is not changed.
func MedianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

// Micros returns d in microseconds.
func Micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
