package miner

import (
	"errors"
	"flag"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/jsonreq"
	"github.com/minerkit/minerkit/settings"
	"github.com/minerkit/minerkit/subtensor"
)

// Config is what an operator sets. Every field has a JSON name (used in the
// config file), a flag (the JSON name with "-" for "_": --admin-listen) and an
// environment variable (MINERKIT_ + the upper-case JSON name:
// MINERKIT_ADMIN_LISTEN). Later sources win: defaults, then the config file,
// then the environment, then flags. See [LoadConfig].
type Config struct {
	NetUID uint16 `json:"netuid" help:"subnet to serve"`

	Listen      string `json:"listen" help:"address of the miner's API (what validators call)"`
	AdminListen string `json:"admin_listen" help:"address of /health, /ready and /metrics; \"\" serves them on the API listener"`

	// Chain-facing settings; the Server uses them only with a Registrar,
	// Committer or AxonServer.
	Register    bool          `json:"register" help:"register the hotkey (burned_register, needs the coldkey) if it is not registered"`
	MaxBurnTAO  subtensor.Rao `json:"max_burn_tao" help:"refuse to register when the burn price is above this many TAO (0: no limit)"`
	ExternalURL string        `json:"external_url" help:"URL validators should call, committed on chain when it changed (\"\": do not commit)"`
	AxonIP      string        `json:"axon_ip" help:"public IP to announce with serve_axon (\"\": do not serve_axon)"`
	AxonPort    uint16        `json:"axon_port" help:"public port to announce with serve_axon (0: the port of --listen)"`

	SyncInterval uint64            `json:"sync_interval" help:"refresh the metagraph every this many blocks"`
	BlockTime    settings.Duration `json:"block_time" help:"the chain's block time, for staleness and the clock fallback (0: the chain's, read from the runtime)"`
	MaxStaleness settings.Duration `json:"max_staleness" help:"/ready fails when the metagraph is older than this (0: 3 sync intervals)"`

	// MinStake is the least stake weight a caller needs: the chain's figure
	// for validator permits, alpha on the subnet + root stake × TaoWeight
	// (children and parents included), in α.
	MinStake subtensor.Rao `json:"min_stake" help:"least stake weight, in α (alpha + root stake × TaoWeight), of a caller with a validator permit"`
	// MinStakeTAO is the former name of MinStake (its unit was always stake
	// weight in α, not TAO). If positive it replaces MinStake and a
	// deprecation warning is logged; it goes in the next release.
	MinStakeTAO subtensor.Rao `json:"min_stake_tao" help:"deprecated: use min_stake (same figure; 0 means unset)"`
	Allow       []string      `json:"allow" help:"hotkeys (SS58) always let in, comma-separated"`
	Deny        []string      `json:"deny" help:"hotkeys (SS58) always refused, comma-separated"`
	RatePerSec  float64       `json:"rate_per_sec" help:"requests per second each validator may make (token bucket)"`
	RateBurst   int           `json:"rate_burst" help:"burst size of each validator's token bucket"`
	// RateStakeUnitTAO, if positive, scales each validator's rate and burst
	// by its stake weight / this many TAO (never below 1×).
	RateStakeUnitTAO subtensor.Rao     `json:"rate_stake_unit_tao" help:"scale each validator's rate by stake / this many TAO (0: same rate for all)"`
	Window           settings.Duration `json:"epistula_window" help:"accepted clock skew of signed requests, both ways"`
	// AcceptXEpistula lets in the X-Epistula variant. Its signature names
	// no receiver, so a request signed for another miner is accepted here
	// too (within 60 s): off unless a subnet's validators use it.
	AcceptXEpistula bool  `json:"accept_x_epistula" help:"accept the X-Epistula variant (its signature names no receiver: a request signed for another miner is accepted too)"`
	MaxBody         int64 `json:"max_body" help:"largest request body in bytes"`
	// BodyBudget bounds the bytes of request bodies held at once, whatever
	// clients announce (guard.BodyBudget).
	BodyBudget int64 `json:"body_budget" help:"bytes of request bodies the miner holds at once; beyond it requests get 503 with Retry-After (bounds memory whatever clients announce)"`
	// BadSignaturesPerIP is the failed verifications per second one
	// address may cause (burst 20) before its requests are refused
	// unverified (guard.VerifyBudget).
	BadSignaturesPerIP float64 `json:"bad_signatures_per_ip" help:"failed signature verifications per second one address may cause (bursts of 20) before its requests are refused with 429 without verifying them"`
	// ShedRefusalsPerSec, ShedBurst and ShedCooldown shed abusive
	// addresses at the connection level (guard.Shed).
	ShedRefusalsPerSec float64           `json:"shed_refusals_per_sec" help:"refusals per second one address may cause (bursts of shed_burst) before it is shed: its connections are closed at accept for shed_cooldown (0: never shed)"`
	ShedBurst          int               `json:"shed_burst" help:"refusals one address may cause at once before it is shed"`
	ShedCooldown       settings.Duration `json:"shed_cooldown" help:"how long a shed address's connections are closed at accept"`
	ShedDropSYN        bool              `json:"shed_drop_syn" help:"Linux: also drop a shed address's connection attempts in the kernel (a socket filter on the listener; its connects time out instead of being reset, costing this process nothing)"`
	// NoAxon turns off the Bittensor SDK's Axon protocol (/Synapse and POST
	// /{Name} for each synapse the miner registers), served by default
	// beside Epistula on the same listener.
	NoAxon bool `json:"no_axon" help:"do not serve the Axon protocol (the Python SDK's dendrite: /Synapse and POST /{SynapseName}) beside Epistula"`
	// AxonSignAnswers signs every Axon answer with the hotkey, as a Python
	// axon does (axon.signature; no SDK dendrite checks it): one sr25519
	// signature per answer.
	AxonSignAnswers bool `json:"axon_sign_answers" help:"sign every Axon answer with the hotkey as a Python axon does (axon.signature, which no SDK dendrite checks): one signature per answer"`

	ReadHeaderTimeout settings.Duration `json:"read_header_timeout" help:"time a client has to send the request headers"`
	ReadTimeout       settings.Duration `json:"read_timeout" help:"time a client has to send the whole request"`
	WriteTimeout      settings.Duration `json:"write_timeout" help:"time a handler has to write its response"`
	IdleTimeout       settings.Duration `json:"idle_timeout" help:"how long an idle keep-alive connection stays open"`
	ShutdownTimeout   settings.Duration `json:"shutdown_timeout" help:"how long shutdown waits for requests in flight"`
	MaxHeaderBytes    int               `json:"max_header_bytes" help:"largest request header block in bytes"`
	MaxConns          int               `json:"max_conns" help:"most connections the API listener holds at once (more wait in the kernel's backlog; 0: no cap)"`
	MaxConnsPerIP     int               `json:"max_conns_per_ip" help:"most connections from one address (more are closed at once; 0: no cap; connections from --trusted-proxies are not capped: cap clients at the proxy)"`
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (for the access log and per-address accounting).
	TrustedProxies []string `json:"trusted_proxies" help:"reverse proxies (CIDRs or addresses, comma-separated) whose X-Forwarded-For is believed: the client is its rightmost address not in this list"`

	// Redis, if set, shares the guard's state between the replicas of one
	// hotkey (see guard.Shared and guard/redisstore).
	Redis         string `json:"redis" help:"Redis URL (redis://[:password@]host:6379/0) shared by the replicas of this hotkey: replay records and per-validator rate limits, one round trip per request (\"\": this process's memory)"`
	RedisFallback string `json:"redis_fallback" help:"when Redis fails: closed (refuse signed requests with 503, /ready fails) or local (serve on with this replica's own replay cache and rate limits, logged loudly)"`
	// VersionEndpoint serves the build on the API listener, behind the guard.
	VersionEndpoint bool `json:"version_endpoint" help:"serve GET /version (this build: module version, commit, Go version) on the API listener, to signed requests of allowed validators"`

	Pprof bool `json:"pprof" help:"serve Go's profiles under /debug/pprof/ on the admin listener (keep that listener private)"`

	LogFormat string `json:"log_format" help:"log format: text or json"`
	LogLevel  string `json:"log_level" help:"log level: debug, info, warn or error"`
}

// DefaultConfig returns the defaults: the API on :8091, the admin listener on
// 127.0.0.1:9091, metagraph refresh every 12 blocks (block time: the
// network's, 12 s on finney), callers need a permit and 1000 α of stake
// weight, 10 requests/s (burst 20) per validator, and timeouts that keep slow
// clients from holding connections.
func DefaultConfig() Config {
	return Config{
		NetUID:             1,
		Listen:             ":8091",
		AdminListen:        "127.0.0.1:9091",
		SyncInterval:       12,
		MinStake:           subtensor.TAO(1000),
		RatePerSec:         10,
		RateBurst:          20,
		Window:             settings.Duration(8 * time.Second),
		MaxBody:            jsonreq.DefaultMaxBody,
		BodyBudget:         guard.DefaultBodyBudget,
		BadSignaturesPerIP: guard.DefaultFailuresPerAddress,
		ShedRefusalsPerSec: guard.DefaultShedRefusalsPerSecond,
		ShedBurst:          guard.DefaultShedBurst,
		ShedCooldown:       settings.Duration(guard.DefaultShedCooldown),
		ShedDropSYN:        true,
		ReadHeaderTimeout:  settings.Duration(5 * time.Second),
		ReadTimeout:        settings.Duration(30 * time.Second),
		WriteTimeout:       settings.Duration(60 * time.Second),
		IdleTimeout:        settings.Duration(120 * time.Second),
		ShutdownTimeout:    settings.Duration(30 * time.Second),
		MaxHeaderBytes:     64 << 10,
		MaxConns:           4096,
		MaxConnsPerIP:      64,
		RedisFallback:      RedisFallbackClosed,
		LogFormat:          "text",
		LogLevel:           "info",
	}
}

// Check reports the first setting that cannot work, naming it.
func (c *Config) Check() error {
	switch {
	case c.Listen == "":
		return errors.New("miner: listen is empty; set --listen to an address such as :8091")
	case c.SyncInterval == 0:
		return errors.New("miner: sync_interval must be at least 1 block")
	case c.BlockTime < 0:
		return errors.New("miner: block_time must be positive (12s on finney, 250ms on a fast devnet) or 0 for the network's")
	case c.RatePerSec <= 0 || c.RateBurst < 1:
		return errors.New("miner: rate_per_sec must be positive and rate_burst at least 1")
	case c.MaxConns < 0 || c.MaxConnsPerIP < 0:
		return errors.New("miner: max_conns and max_conns_per_ip must not be negative (0: no cap)")
	case c.MaxBody <= 0:
		return errors.New("miner: max_body must be positive")
	case c.BodyBudget < 2*c.MaxBody:
		return fmt.Errorf("miner: body_budget (%d) must be at least twice max_body (%d): a body of the largest size must fit while its buffer grows", c.BodyBudget, c.MaxBody)
	case c.ShedRefusalsPerSec < 0 || c.ShedRefusalsPerSec > 0 && (c.ShedBurst < 1 || c.ShedCooldown <= 0):
		return errors.New("miner: shed_refusals_per_sec must not be negative (0: never shed), and shed_burst at least 1 and shed_cooldown positive when it is set")
	case c.BadSignaturesPerIP <= 0:
		return errors.New("miner: bad_signatures_per_ip must be positive")
	case c.Window <= 0:
		return errors.New("miner: epistula_window must be positive")
	case c.RedisFallback != RedisFallbackClosed && c.RedisFallback != RedisFallbackLocal:
		return fmt.Errorf("miner: redis_fallback %q: use %s or %s", c.RedisFallback, RedisFallbackClosed, RedisFallbackLocal)
	case c.LogFormat != "text" && c.LogFormat != "json":
		return fmt.Errorf("miner: log_format %q: use text or json", c.LogFormat)
	}
	if _, err := guard.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("miner: trusted_proxies: %w", err)
	}
	cv := reflect.ValueOf(c).Elem()
	for i := range cv.NumField() {
		if f := cv.Field(i); f.Type() == reflect.TypeFor[settings.Duration]() && f.Int() < 0 {
			return fmt.Errorf("miner: %s must not be negative", settings.Name(cv.Type().Field(i)))
		}
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("miner: log_level %q: use debug, info, warn or error", c.LogLevel)
	}
	return nil
}

// What a miner does when its Redis fails (Config.RedisFallback).
const (
	RedisFallbackClosed = "closed"
	RedisFallbackLocal  = "local"
)

// MinStakeWeight returns the effective minimum stake weight in α and, when
// it came from the deprecated min_stake_tao, a line to log about it.
func (c *Config) MinStakeWeight() (alpha subtensor.Rao, deprecation string) {
	if c.MinStakeTAO > 0 {
		return c.MinStakeTAO, "min_stake_tao is deprecated and goes in the next release: use min_stake (the same figure, stake weight in α)"
	}
	return c.MinStake, ""
}

// EnvPrefix starts every environment variable LoadConfig reads.
const EnvPrefix = "MINERKIT_"

// ConfigSource is the flags ConfigFlags defined, for LoadConfig.
type ConfigSource = settings.Source[Config]

// ConfigFlags defines one flag per Config field on fs, plus --config (the
// config file). It returns the handle LoadConfig needs. Flag defaults shown in
// help are DefaultConfig's; unset flags change nothing.
func ConfigFlags(fs *flag.FlagSet) *ConfigSource {
	cs := settings.New(DefaultConfig(), EnvPrefix)
	cs.Flags(fs)
	return cs
}

// LoadConfig builds the Config (package settings): defaults, then the config
// file (--config, else $MINERKIT_CONFIG), then MINERKIT_* variables from
// getenv (nil: os.Getenv), then the flags that were set; then it checks it.
// cs may be nil (no flags).
func LoadConfig(cs *ConfigSource, getenv func(string) string) (Config, error) {
	if cs == nil {
		cs = settings.New(DefaultConfig(), EnvPrefix)
	}
	c, err := cs.Load(getenv)
	if err != nil {
		return c, err
	}
	return c, c.Check()
}
