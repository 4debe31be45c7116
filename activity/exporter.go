package activity

import (
	"context"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/subtensor"
)

// Exporter serves Prometheus metrics of a set of hotkeys on one subnet,
// read from the live metagraph that its Syncer keeps. A scrape never calls
// the chain: it reads the current snapshot. The metric names are listed in
// the package documentation and are stable.
type Exporter struct {
	Syncer  *metagraph.Syncer
	Source  *Source
	Hotkeys []keys.PublicKey

	reg *prometheus.Registry
}

// NewExporter returns an Exporter of hotkeys on netuid, fed by a Syncer
// over c, with its own registry (no Go runtime or process metrics). Set
// the Syncer's fields (Interval, BlockTime, Logger) before Run.
func NewExporter(c *subtensor.Client, netuid uint16, hotkeys []keys.PublicKey) *Exporter {
	src := &Source{Client: c}
	seen := map[keys.PublicKey]bool{}
	var uniq []keys.PublicKey
	for _, h := range hotkeys {
		if !seen[h] {
			seen[h] = true
			uniq = append(uniq, h)
		}
	}
	hotkeys = uniq
	e := &Exporter{Source: src, Syncer: metagraph.NewSyncer(src, netuid), Hotkeys: hotkeys}
	e.Syncer.BlockTime = c.BlockTime()
	e.reg = newRegistry(e)
	return e
}

func newRegistry(e *Exporter) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(&collector{e: e})
	return reg
}

// Registry returns the exporter's registry (to add one's own collectors).
func (e *Exporter) Registry() *prometheus.Registry { return e.reg }

// Handler serves the metrics in the Prometheus text format.
func (e *Exporter) Handler() http.Handler {
	return promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{Registry: e.reg})
}

// Run keeps the metagraph current until ctx ends (see metagraph.Syncer.Run).
func (e *Exporter) Run(ctx context.Context) error { return e.Syncer.Run(ctx) }

// Figures returns the current figures of every hotkey, in Hotkeys order,
// and the snapshot they come from (nil before the first sync).
func (e *Exporter) Figures() ([]Figures, *metagraph.Snapshot) {
	snap := e.Syncer.Current()
	if snap == nil {
		return nil, nil
	}
	ex := e.Source.Extras(snap)
	out := make([]Figures, len(e.Hotkeys))
	for i, h := range e.Hotkeys {
		out[i] = FiguresOf(snap, ex, h)
	}
	return out, snap
}

var (
	neuronLabels = []string{"netuid", "hotkey", "uid"}
	subnetLabels = []string{"netuid"}

	descRegistered   = prometheus.NewDesc("minerkit_neuron_registered", "1 if the hotkey holds a UID on the subnet, else 0.", []string{"netuid", "hotkey"}, nil)
	descIncentive    = prometheus.NewDesc("minerkit_neuron_incentive", "Incentive of the UID, a fraction of 1 (the chain's u16 / 65535).", neuronLabels, nil)
	descDividends    = prometheus.NewDesc("minerkit_neuron_dividends", "Dividends of the UID, a fraction of 1.", neuronLabels, nil)
	descEmission     = prometheus.NewDesc("minerkit_neuron_emission_per_tempo_tao", "Deprecated, mislabelled: the value is alpha; use minerkit_neuron_emission_per_tempo_alpha.", neuronLabels, nil)
	descEmissionDay  = prometheus.NewDesc("minerkit_neuron_emission_per_day_tao", "Deprecated, mislabelled: the value is alpha; use minerkit_neuron_emission_per_day_alpha.", neuronLabels, nil)
	descEmissionA    = prometheus.NewDesc("minerkit_neuron_emission_per_tempo_alpha", "What the UID earned in the last epoch, in the subnet's alpha.", neuronLabels, nil)
	descEmissionDayA = prometheus.NewDesc("minerkit_neuron_emission_per_day_alpha", "Emission per tempo extrapolated to 24 hours at the chain's block time and epoch rule, in alpha.", neuronLabels, nil)
	descStakeA       = prometheus.NewDesc("minerkit_neuron_stake_weight_alpha", "Stake weight of the UID (alpha + root stake × TaoWeight, children included), in alpha.", neuronLabels, nil)
	descMechIncent   = prometheus.NewDesc("minerkit_neuron_mechanism_incentive", "Incentive of the UID in one mechanism of the subnet (only when it runs more than one), a fraction of 1.", []string{"netuid", "hotkey", "uid", "mechanism"}, nil)
	descMechRank     = prometheus.NewDesc("minerkit_neuron_mechanism_rank", "Place by incentive among the miners of one mechanism (only when the subnet runs more than one), 1 = best.", []string{"netuid", "hotkey", "uid", "mechanism"}, nil)
	descMechShare    = prometheus.NewDesc("minerkit_subnet_mechanism_emission_share", "Fraction of the subnet's emission one mechanism gets (only when it runs more than one).", []string{"netuid", "mechanism"}, nil)
	descRank         = prometheus.NewDesc("minerkit_neuron_rank", "Place by incentive among the subnet's miners, 1 = best.", neuronLabels, nil)
	descStake        = prometheus.NewDesc("minerkit_neuron_stake_tao", "Deprecated, mislabelled: the value is stake weight in alpha; use minerkit_neuron_stake_weight_alpha.", neuronLabels, nil)
	descPermit       = prometheus.NewDesc("minerkit_neuron_validator_permit", "1 if the UID holds a validator permit.", neuronLabels, nil)
	descActive       = prometheus.NewDesc("minerkit_neuron_active", "1 if the chain counts the UID as active.", neuronLabels, nil)
	descRegisteredAt = prometheus.NewDesc("minerkit_neuron_registered_at_block", "Block at which the UID was registered.", neuronLabels, nil)
	descImmunity     = prometheus.NewDesc("minerkit_neuron_immunity_left_blocks", "Blocks until the UID may be deregistered (0 once immunity is over).", neuronLabels, nil)
	descIdentity     = prometheus.NewDesc("minerkit_neuron_identity_committed", "1 with the GitHub user as label if the hotkey's commitment has a gh: field, else 0 with github=\"\".", []string{"netuid", "hotkey", "uid", "github"}, nil)
	descMiners       = prometheus.NewDesc("minerkit_subnet_miners", "UIDs without a validator permit.", subnetLabels, nil)
	descNeurons      = prometheus.NewDesc("minerkit_subnet_neurons", "UIDs in use.", subnetLabels, nil)
	descTempo        = prometheus.NewDesc("minerkit_subnet_tempo_blocks", "Blocks between epochs.", subnetLabels, nil)
	descBlock        = prometheus.NewDesc("minerkit_metagraph_block", "Block of the metagraph snapshot the figures come from.", subnetLabels, nil)
	descAge          = prometheus.NewDesc("minerkit_metagraph_age_seconds", "Age of the metagraph snapshot.", subnetLabels, nil)
	descReachable    = prometheus.NewDesc("minerkit_metagraph_reachable", "1 if the last metagraph sync succeeded.", subnetLabels, nil)
	descFailures     = prometheus.NewDesc("minerkit_metagraph_sync_failures", "Consecutive failed metagraph syncs.", subnetLabels, nil)
	descSyncs        = prometheus.NewDesc("minerkit_metagraph_syncs_total", "Successful metagraph syncs since start.", subnetLabels, nil)
)

type collector struct{ e *Exporter }

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRegistered, descIncentive, descDividends, descEmission, descEmissionDay, descEmissionA, descEmissionDayA, descStakeA, descRank, descMechIncent, descMechRank, descMechShare, descStake, descPermit, descActive, descRegisteredAt, descImmunity, descIdentity, descMiners, descNeurons, descTempo, descBlock, descAge, descReachable, descFailures, descSyncs} {
		ch <- d
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	e := c.e
	netuid := strconv.Itoa(int(e.Syncer.NetUID()))
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	st := e.Syncer.Status()
	gauge(descReachable, b2f(st.Reachable), netuid)
	gauge(descFailures, float64(st.Failures), netuid)
	ch <- prometheus.MustNewConstMetric(descSyncs, prometheus.CounterValue, float64(st.Syncs), netuid)
	figs, snap := e.Figures()
	if snap == nil {
		return
	}
	gauge(descBlock, float64(snap.Block()), netuid)
	gauge(descAge, st.Age.Seconds(), netuid)
	gauge(descNeurons, float64(snap.Len()), netuid)
	gauge(descMiners, float64(snap.Len()-snap.Validators()), netuid)
	if ex := e.Source.Extras(snap); ex != nil {
		gauge(descTempo, float64(ex.Tempo), netuid)
		for m, mf := range ex.Mechanisms {
			gauge(descMechShare, mf.Share, netuid, strconv.Itoa(m))
		}
	}
	for _, f := range figs {
		gauge(descRegistered, b2f(f.Registered), netuid, f.Hotkey)
		if !f.Registered {
			continue
		}
		l := []string{netuid, f.Hotkey, strconv.Itoa(int(f.UID))}
		gauge(descIncentive, f.Incentive, l...)
		gauge(descDividends, f.Dividends, l...)
		gauge(descEmission, f.EmissionPerTempo.Float(), l...)
		gauge(descEmissionA, f.EmissionPerTempo.Float(), l...)
		gauge(descStakeA, f.Stake.Float(), l...)
		gauge(descRank, float64(f.Rank), l...)
		gauge(descStake, f.Stake.Float(), l...)
		gauge(descPermit, b2f(f.ValidatorPermit), l...)
		gauge(descActive, b2f(f.Active), l...)
		if f.HasExtras {
			gauge(descEmissionDay, f.EmissionPerDay.Float(), l...)
			gauge(descEmissionDayA, f.EmissionPerDay.Float(), l...)
			gauge(descRegisteredAt, float64(f.RegisteredAt), l...)
			gauge(descImmunity, float64(f.ImmunityLeft), l...)
			gauge(descIdentity, b2f(f.Identity != ""), append(l, f.Identity)...)
		}
		for _, m := range f.Mechanisms {
			ml := append(append([]string(nil), l...), strconv.Itoa(int(m.Mechanism)))
			gauge(descMechIncent, m.Incentive, ml...)
			gauge(descMechRank, float64(m.Rank), ml...)
		}
	}
}
