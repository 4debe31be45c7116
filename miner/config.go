package miner

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/jsonreq"
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

	SyncInterval uint64   `json:"sync_interval" help:"refresh the metagraph every this many blocks"`
	BlockTime    Duration `json:"block_time" help:"the chain's block time, for staleness and the clock fallback (0: the chain's, read from the runtime)"`
	MaxStaleness Duration `json:"max_staleness" help:"/ready fails when the metagraph is older than this (0: 3 sync intervals)"`

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
	RateStakeUnitTAO subtensor.Rao `json:"rate_stake_unit_tao" help:"scale each validator's rate by stake / this many TAO (0: same rate for all)"`
	Window           Duration      `json:"epistula_window" help:"accepted clock skew of signed requests, both ways"`
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
	// NoAxon turns off the Bittensor SDK's Axon protocol (/Synapse and POST
	// /{Name} for each synapse the miner registers), served by default
	// beside Epistula on the same listener.
	NoAxon bool `json:"no_axon" help:"do not serve the Axon protocol (the Python SDK's dendrite: /Synapse and POST /{SynapseName}) beside Epistula"`
	// AxonSignAnswers signs every Axon answer with the hotkey, as a Python
	// axon does (axon.signature; no SDK dendrite checks it): one sr25519
	// signature per answer.
	AxonSignAnswers bool `json:"axon_sign_answers" help:"sign every Axon answer with the hotkey as a Python axon does (axon.signature, which no SDK dendrite checks): one signature per answer"`

	ReadHeaderTimeout Duration `json:"read_header_timeout" help:"time a client has to send the request headers"`
	ReadTimeout       Duration `json:"read_timeout" help:"time a client has to send the whole request"`
	WriteTimeout      Duration `json:"write_timeout" help:"time a handler has to write its response"`
	IdleTimeout       Duration `json:"idle_timeout" help:"how long an idle keep-alive connection stays open"`
	ShutdownTimeout   Duration `json:"shutdown_timeout" help:"how long shutdown waits for requests in flight"`
	MaxHeaderBytes    int      `json:"max_header_bytes" help:"largest request header block in bytes"`
	MaxConns          int      `json:"max_conns" help:"most connections the API listener holds at once (more wait in the kernel's backlog; 0: no cap)"`
	MaxConnsPerIP     int      `json:"max_conns_per_ip" help:"most connections from one address (more are closed at once; 0: no cap; connections from --trusted-proxies are not capped: cap clients at the proxy)"`
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
		Window:             Duration(8 * time.Second),
		MaxBody:            jsonreq.DefaultMaxBody,
		BodyBudget:         guard.DefaultBodyBudget,
		BadSignaturesPerIP: guard.DefaultFailuresPerAddress,
		ReadHeaderTimeout:  Duration(5 * time.Second),
		ReadTimeout:        Duration(30 * time.Second),
		WriteTimeout:       Duration(60 * time.Second),
		IdleTimeout:        Duration(120 * time.Second),
		ShutdownTimeout:    Duration(30 * time.Second),
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
		if f := cv.Field(i); f.Type() == durationType && f.Int() < 0 {
			return fmt.Errorf("miner: %s must not be negative", jsonName(cv.Type().Field(i)))
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

// Duration is a time.Duration written as "5s", "250ms" in config files,
// flags and environment variables.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes d as a string such as "5s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "5s" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err2 := json.Unmarshal(b, &secs); err2 != nil {
			return fmt.Errorf("duration: want a string such as \"5s\" or a number of seconds, got %s", b)
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	return d.set(s)
}

func (d *Duration) set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: use a form such as 500ms, 5s or 2m", s)
	}
	*d = Duration(v)
	return nil
}

// EnvPrefix starts every environment variable LoadConfig reads.
const EnvPrefix = "MINERKIT_"

// ConfigFlags defines one flag per Config field on fs, plus --config (the
// config file). It returns the handle LoadConfig needs. Flag defaults shown in
// help are DefaultConfig's; unset flags change nothing.
func ConfigFlags(fs *flag.FlagSet) *ConfigSource {
	cs := &ConfigSource{}
	def := DefaultConfig()
	dv := reflect.ValueOf(&def).Elem()
	t := dv.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name := jsonName(f)
		v := &flagValue{field: i, kind: f.Type}
		if !dv.Field(i).IsZero() {
			v.def = fmt.Sprint(formatField(dv.Field(i)))
		}
		cs.flags = append(cs.flags, v)
		fs.Var(v, strings.ReplaceAll(name, "_", "-"), f.Tag.Get("help"))
	}
	fs.StringVar(&cs.file, "config", "", "config file (JSON object with the settings' names as keys; default $"+EnvPrefix+"CONFIG)")
	return cs
}

// ConfigSource remembers the flags ConfigFlags defined.
type ConfigSource struct {
	flags []*flagValue
	file  string
}

// LoadConfig builds the Config: defaults, then the config file (--config,
// else $MINERKIT_CONFIG), then MINERKIT_* variables from getenv (nil:
// os.Getenv), then the flags that were set. cs may be nil (no flags).
func LoadConfig(cs *ConfigSource, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := DefaultConfig()
	file := getenv(EnvPrefix + "CONFIG")
	if cs != nil && cs.file != "" {
		file = cs.file
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return c, fmt.Errorf("miner: read config file: %w", err)
		}
		if err := c.parseFile(data); err != nil {
			return c, fmt.Errorf("miner: config file %s: %w", file, err)
		}
	}
	cv := reflect.ValueOf(&c).Elem()
	t := cv.Type()
	for i := range t.NumField() {
		env := EnvPrefix + strings.ToUpper(jsonName(t.Field(i)))
		if s := getenv(env); s != "" {
			if err := setField(cv.Field(i), s); err != nil {
				return c, fmt.Errorf("miner: environment variable %s: %w", env, err)
			}
		}
	}
	if cs != nil {
		for _, fv := range cs.flags {
			if fv.set {
				if err := setField(cv.Field(fv.field), fv.val); err != nil {
					return c, fmt.Errorf("miner: flag --%s: %w", strings.ReplaceAll(jsonName(t.Field(fv.field)), "_", "-"), err)
				}
			}
		}
	}
	return c, c.Check()
}

func (c *Config) parseFile(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("%w (the file is one JSON object; keys are the flag names with _ for -)", err)
	}
	return nil
}

func jsonName(f reflect.StructField) string {
	n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return n
}

// flagValue is a flag.Value that keeps the text it was set to, so that flags
// are applied after the file and the environment.
type flagValue struct {
	field int
	kind  reflect.Type
	def   string
	val   string
	set   bool
}

func (v *flagValue) String() string {
	if v == nil {
		return ""
	}
	if v.set {
		return v.val
	}
	return v.def
}

func (v *flagValue) Set(s string) error {
	// Check the text now so that a bad flag fails at parse time.
	if err := setField(reflect.New(v.kind).Elem(), s); err != nil {
		return err
	}
	v.val, v.set = s, true
	return nil
}

// Type names the value's type in help (pflag shows it).
func (v *flagValue) Type() string {
	if v.kind == durationType {
		return "duration"
	}
	if v.kind == amountType {
		return "amount"
	}
	switch v.kind.Kind() {
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int64:
		return "int"
	case reflect.Uint16, reflect.Uint64:
		return "uint"
	case reflect.Float64:
		return "float"
	case reflect.Slice:
		return "strings"
	}
	return "string"
}

// IsBoolFlag lets "--register" stand for "--register=true".
func (v *flagValue) IsBoolFlag() bool { return v.kind.Kind() == reflect.Bool }

var (
	durationType = reflect.TypeFor[Duration]()
	amountType   = reflect.TypeFor[subtensor.Rao]()
)

func setField(fv reflect.Value, s string) error {
	if fv.Type() == durationType {
		return fv.Addr().Interface().(*Duration).set(s)
	}
	if fv.Type() == amountType {
		// An amount (TAO or α), parsed exactly: no floats, no negatives.
		return fv.Addr().Interface().(*subtensor.Rao).UnmarshalText([]byte(s))
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not an integer", s)
		}
		fv.SetInt(n)
	case reflect.Uint16, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not an integer from 0 to %d", s, uint64(1)<<fv.Type().Bits()-1)
		}
		fv.SetUint(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		fv.SetFloat(x)
	case reflect.Slice:
		var out []string
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		fv.Set(reflect.ValueOf(out))
	default:
		return fmt.Errorf("unsupported setting type %s", fv.Type())
	}
	return nil
}

func formatField(fv reflect.Value) any {
	if fv.Type() == amountType {
		return fv.Interface().(subtensor.Rao).Decimal()
	}
	if fv.Kind() == reflect.Slice {
		return strings.Join(fv.Interface().([]string), ",")
	}
	return fv.Interface()
}
