package miner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/buildinfo"
	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/jsonreq"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/metagraph"
	"github.com/minerkit/minerkit/onchain"
)

// Server is a Pattern A miner. Build one with [New] and its options
// (WithChain, WithLogger, WithReplay, ...), add the subnet's routes with
// Handle (behind the guard) and HandlePublic (open to anyone), then call Run.
type Server struct {
	// Set by New's options, never afterwards.
	registrar  Registrar
	committer  Committer
	axonServer AxonServer
	log        *slog.Logger
	replay     epistula.ReplayCache

	cfg    Config
	hotkey keys.Signer
	syncer *metagraph.Syncer
	reg    *prometheus.Registry
	mux    *http.ServeMux
	guards *guardStack

	inFlight atomic.Int64
	draining atomic.Bool
	endpoint endpointState

	mu       sync.Mutex
	started  bool
	synapses []string
	axonID   *axon.Identity
	apiAddr  net.Addr
	admAddr  net.Addr
}

// New returns a Server for cfg that signs nothing but proves nothing either:
// it holds only the hotkey's signer (for its address and Signed-For checks)
// and reads the metagraph from src. opts set its collaborators (WithChain
// for registration and announcements, WithLogger, WithReplay).
func New(cfg Config, hotkey keys.Signer, src metagraph.Source, opts ...Option) (*Server, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if hotkey == nil {
		return nil, errors.New("miner: no hotkey; load one from a wallet")
	}
	if src == nil {
		return nil, errors.New("miner: no metagraph source; give New a metagraph.ChainSource (onchain.Chain.Source) or a test Source")
	}
	s := &Server{
		cfg:    cfg,
		hotkey: hotkey,
		syncer: metagraph.NewSyncer(src, cfg.NetUID),
		reg:    prometheus.NewRegistry(),
		mux:    http.NewServeMux(),
		// Usable as returned: text on stderr unless WithLogger says
		// otherwise.
		log: NewLogger(nil, cfg.LogFormat, cfg.LogLevel),
	}
	for _, o := range opts {
		o(s)
	}
	s.syncer.Interval = cfg.SyncInterval
	s.syncer.BlockTime = cfg.BlockTime.D()
	s.syncer.MaxAge = cfg.MaxStaleness.D()
	s.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&statusCollector{s: s},
		buildinfo.Read().Collector(),
	)
	g, err := newGuardStack(s)
	if err != nil {
		return nil, err
	}
	s.guards = g
	s.axonID = axon.NewIdentity(hotkey, cfg.AxonSignAnswers)
	if err := s.HandleSynapse(axon.Ping()); err != nil {
		return nil, err
	}
	if cfg.VersionEndpoint {
		// Behind the guard like any route: a validator may ask what code
		// answers it; nobody else learns the build.
		s.Handle("GET /version", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			jsonreq.WriteJSON(w, http.StatusOK, buildinfo.Read())
		}))
	}
	return s, nil
}

// Config returns the configuration the Server runs with.
func (s *Server) Config() Config { return s.cfg }

// Syncer returns the metagraph Syncer (started by Run). Handlers may read
// s.Syncer().Current() for the live metagraph.
func (s *Server) Syncer() *metagraph.Syncer { return s.syncer }

// Registry returns the Prometheus registry served on /metrics; handlers may
// register their own metrics on it.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// Hotkey returns the miner's hotkey address.
func (s *Server) Hotkey() string { return s.hotkey.Public().Address() }

// Handle serves h at pattern (http.ServeMux syntax: "POST /cvm") behind the
// guard stack: only Epistula-signed requests from staked validators, within
// their rate limit, reach h. The caller's hotkey is in the request context
// (see guard).
func (s *Server) Handle(pattern string, h http.Handler) {
	var limit int64
	if bl, ok := h.(guard.BodyLimiter); ok {
		limit = bl.BodyLimit()
	}
	s.mux.Handle(pattern, s.counted(s.guards.wrap(s.recovering(h), limit)))
}

// recovering turns a handler panic into a 500 {"reason":"internal_error"}
// and an ERROR log line with the stack. It sits inside the guard, so the
// access log and metrics record the 500 (without it the caller saw the
// connection close and nothing was logged).
func (s *Server) recovering(h http.Handler) http.Handler {
	return s.recoveringAs(h, func(w http.ResponseWriter) {
		jsonreq.WriteError(w, http.StatusInternalServerError, jsonreq.ReasonInternal, "internal error")
	})
}

// recoveringAs is recovering with the 500's body written by answer.
func (s *Server) recoveringAs(h http.Handler, answer func(http.ResponseWriter)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &wroteHeader{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // net/http's way to abort a response on purpose
			}
			s.log.Error("handler panicked", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !tw.wrote {
				answer(w)
			}
		}()
		h.ServeHTTP(tw, r)
	})
}

// wroteHeader notes whether a response has started.
type wroteHeader struct {
	http.ResponseWriter
	wrote bool
}

func (w *wroteHeader) WriteHeader(code int) { w.wrote = true; w.ResponseWriter.WriteHeader(code) }
func (w *wroteHeader) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}
func (w *wroteHeader) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// HandlePublic serves h at pattern with no authentication, for endpoints that
// anyone may call (a health probe, a public price list).
func (s *Server) HandlePublic(pattern string, h http.Handler) {
	s.mux.Handle(pattern, s.counted(h))
}

// counted keeps the in-flight gauge.
func (s *Server) counted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		h.ServeHTTP(w, r)
	})
}

// Logger returns the Server's logger (WithLogger's, else text on stderr at
// Config.LogLevel): the access log and lifecycle events go there, and
// handlers may log through it.
func (s *Server) Logger() *slog.Logger { return s.log }

// Addrs returns the addresses the API and admin listeners are bound to (nil
// before Run or Serve has started them; admin is nil when the admin routes
// share the API listener).
func (s *Server) Addrs() (api, admin net.Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiAddr, s.admAddr
}

// Run listens on Config.Listen (and Config.AdminListen), then calls Serve.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	// Plain TCP, not Go's default MPTCP on Linux: validators do not use
	// MPTCP, and the kernel filter of shed addresses (connlimit_linux.go)
	// cannot be attached to an MPTCP listener.
	lc.SetMultipathTCP(false)
	api, err := lc.Listen(ctx, "tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("miner: listen on %s: %w (is another miner running? change the listen address)", s.cfg.Listen, err)
	}
	var admin net.Listener
	if s.cfg.AdminListen != "" {
		admin, err = lc.Listen(ctx, "tcp", s.cfg.AdminListen)
		if err != nil {
			api.Close()
			return fmt.Errorf("miner: listen on %s: %w (change admin_listen, or set it to \"\" to share the API port)", s.cfg.AdminListen, err)
		}
	}
	return s.Serve(ctx, api, admin)
}

// Serve runs the miner on the given listeners until ctx is done: it registers
// the hotkey if asked to, starts the metagraph Syncer, commits the endpoint in
// the background, and serves. admin may be nil: the admin routes then share
// the API listener. When ctx is done it stops accepting connections, fails
// /ready, and waits up to Config.ShutdownTimeout for requests in flight.
// Serve returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, api, admin net.Listener) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("miner: Serve called twice; build a new Server")
	}
	s.started = true
	api = newLimitListener(api, s.cfg.MaxConns, s.cfg.MaxConnsPerIP, s.guards.g.TrustedProxies, s.guards.g.Shed, s.cfg.ShedDropSYN)
	s.apiAddr = api.Addr()
	if admin != nil {
		s.admAddr = admin.Addr()
	}
	s.mu.Unlock()

	log := s.log
	s.syncer.Logger = log
	defer s.guards.close()
	if s.guards.store != nil {
		// Replay records live in Redis across restarts: no NotBefore.
		log.Info("guard state shared through Redis: replay records and rate limits hold across replicas",
			"redis", redisAddr(s.cfg.Redis), "fallback", s.cfg.RedisFallback)
		if s.cfg.RedisFallback == RedisFallbackLocal {
			log.Warn("redis_fallback is local: while Redis fails, each replica serves with its own replay cache and rate limits (a replay through another replica is then accepted)")
		}
		if s.replay != nil {
			log.Warn("WithReplay is ignored: the replay records are in Redis (Config.Redis)")
		}
		// Axon requests keep their nonce rule per process and record
		// their replays in Redis too (one more round trip).
		s.guards.axon.Verifier.Replay = s.guards.g.Shared.ReplayCache()
	} else if s.replay != nil {
		s.guards.setReplay(s.replay)
	} else {
		// The in-memory replay cache starts empty: refuse what was signed
		// before this start, or a request captured in the last window could
		// be accepted a second time.
		start := time.Now()
		s.guards.setNotBefore(start)
		log.Info("replay cache in memory: requests signed before this start are refused for one window",
			"not_before", start.UTC().Format(time.RFC3339Nano), "window", s.cfg.Window.D().String())
	}
	hot := s.hotkey.Public()

	if s.cfg.Register && s.registrar == nil {
		log.Warn("register is set but the Server has no Registrar, so the hotkey is not registered: give New miner.WithChain with an onchain.Chain that has Coldkey or LoadColdkey (minerkit serve does when told to register), or register once with minerkit register")
	}
	if s.cfg.ExternalURL != "" && s.committer == nil {
		log.Warn("external_url is set but the Server has no Committer; not committing it")
	}
	if s.cfg.AxonIP != "" && s.axonServer == nil {
		log.Warn("axon_ip is set but the Server has no AxonServer; not serving the axon")
	}
	if s.cfg.Register && s.registrar != nil {
		maxBurn := uint64(s.cfg.MaxBurnTAO)
		uid, err := s.registrar.EnsureRegistered(ctx, s.cfg.NetUID, hot, maxBurn)
		if err != nil {
			api.Close()
			if admin != nil {
				admin.Close()
			}
			return fmt.Errorf("miner: register hotkey %s on subnet %d: %w", hot.Address(), s.cfg.NetUID, err)
		}
		log.Info("hotkey registered", "netuid", s.cfg.NetUID, "uid", uid, "hotkey", hot.Address())
	}

	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	var bg sync.WaitGroup
	bg.Go(func() { s.syncer.Run(runCtx) })
	bg.Go(func() { s.announce(runCtx) })
	if shed := s.guards.g.Shed; shed != nil {
		bg.Go(func() { shed.Report(runCtx, log, guard.DefaultRefusalLogInterval) })
	}

	adminMux := s.adminMux()
	apiHandler := s.axonNotFound(s.mux)
	if admin == nil {
		both := http.NewServeMux()
		both.Handle("/", apiHandler)
		both.Handle("GET /ready", adminMux)
		both.Handle("GET /metrics", adminMux)
		if !s.hasHealth() {
			both.Handle("GET /health", adminMux)
		}
		apiHandler = both
	}
	apiSrv := s.httpServer(apiHandler, log)
	servers := []*http.Server{apiSrv}
	errc := make(chan error, 2)
	go func() { errc <- apiSrv.Serve(api) }()
	if admin != nil {
		admSrv := s.httpServer(adminMux, log)
		servers = append(servers, admSrv)
		go func() { errc <- admSrv.Serve(admin) }()
	}
	minStake, deprecation := s.cfg.MinStakeWeight()
	if deprecation != "" {
		log.Warn(deprecation)
	}
	if s.cfg.AcceptXEpistula {
		log.Warn("accepting X-Epistula requests: their signature names no receiver, so a request signed for another miner within 60 s is accepted here too")
	}
	log.Info("miner serving", "build", buildinfo.Read().String(), "netuid", s.cfg.NetUID, "hotkey", hot.Address(), "api", api.Addr().String(),
		"admin", addrString(admin), "min_stake_alpha", minStake, "rate_per_sec", s.cfg.RatePerSec, "axon_synapses", axonList(s.cfg.NoAxon, s.Synapses()))

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
		serveErr = fmt.Errorf("miner: serve: %w", serveErr)
	}
	s.draining.Store(true)
	log.Info("miner shutting down; draining requests in flight", "in_flight", s.inFlight.Load(), "timeout", s.cfg.ShutdownTimeout.String())
	shCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout.D())
	defer cancel()
	var shutdownErr error
	for _, srv := range servers {
		if err := srv.Shutdown(shCtx); err != nil {
			shutdownErr = fmt.Errorf("miner: shutdown: %w (requests still in flight after %s were cut off)", err, s.cfg.ShutdownTimeout)
			srv.Close()
		}
	}
	stop()
	bg.Wait()
	log.Info("miner stopped")
	return errors.Join(serveErr, shutdownErr)
}

// redisAddr is a Redis URL without its password, for the log.
func redisAddr(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable)"
	}
	p.User = nil
	return p.String()
}

func addrString(l net.Listener) string {
	if l == nil {
		return "(shared)"
	}
	return l.Addr().String()
}

func (s *Server) hasHealth() bool {
	_, pattern := s.mux.Handler(&http.Request{Method: http.MethodGet, URL: mustURL("/health"), Host: "x"})
	return pattern != ""
}

func (s *Server) httpServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           markServed(h),
		ConnContext:       connContext,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout.D(),
		ReadTimeout:       s.cfg.ReadTimeout.D(),
		WriteTimeout:      s.cfg.WriteTimeout.D(),
		IdleTimeout:       s.cfg.IdleTimeout.D(),
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
}

// announce commits the endpoint and serves the axon, retrying with backoff
// until each succeeds or ctx ends.
func (s *Server) announce(ctx context.Context) {
	log := s.log
	type job struct {
		what string
		do   func() (bool, error)
	}
	var jobs []job
	if s.committer != nil && s.cfg.ExternalURL != "" {
		data := []byte(s.cfg.ExternalURL)
		jobs = append(jobs, job{"commitment", func() (bool, error) { return s.committer.Commit(ctx, s.cfg.NetUID, data) }})
	}
	if s.axonServer != nil && s.cfg.AxonIP != "" {
		addr, err := s.axonAddr()
		if err != nil {
			log.Error("not serving the axon", "err", err)
			s.endpoint.set("axon", false, err)
		} else {
			jobs = append(jobs, job{"axon", func() (bool, error) { return s.axonServer.ServeAxon(ctx, s.cfg.NetUID, addr) }})
		}
	}
	// Each round tries every announcement still pending, one after the
	// other (both are signed by the hotkey: sent at once they would race for
	// its nonce), so a failing commitment never holds back serve_axon.
	backoff := time.Second
	for len(jobs) > 0 {
		var retry []job
		for _, j := range jobs {
			sent, err := j.do()
			s.endpoint.set(j.what, sent, err)
			switch {
			case err == nil && sent:
				log.Info("endpoint announced on chain", "what", j.what, "url", s.cfg.ExternalURL, "axon_ip", s.cfg.AxonIP)
			case err == nil:
				log.Info("endpoint already on chain; no transaction sent", "what", j.what)
			case ctx.Err() != nil:
				return
			case errors.Is(err, onchain.ErrPermanent):
				log.Error("announcing the endpoint failed; not retrying (fix the setting and restart)", "what", j.what, "err", err)
			default:
				log.Warn("announcing the endpoint failed; retrying", "what", j.what, "err", err, "retry_in", backoff)
				retry = append(retry, j)
			}
		}
		if jobs = retry; len(jobs) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Minute)
	}
}

func (s *Server) axonAddr() (netip.AddrPort, error) {
	ip, err := netip.ParseAddr(s.cfg.AxonIP)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("miner: axon_ip %q is not an IP address", s.cfg.AxonIP)
	}
	port := s.cfg.AxonPort
	if port == 0 {
		_, p, err := net.SplitHostPort(s.cfg.Listen)
		if err == nil {
			n, _ := strconv.ParseUint(p, 10, 16)
			port = uint16(n)
		}
		if port == 0 {
			return netip.AddrPort{}, errors.New("miner: axon_port is 0 and listen has no fixed port; set axon_port")
		}
	}
	return netip.AddrPortFrom(ip, port), nil
}

// endpointState records the outcome of the endpoint announcements for
// /ready and /metrics.
type endpointState struct {
	mu   sync.Mutex
	last map[string]endpointResult
}

type endpointResult struct {
	sent bool
	err  error
	at   time.Time
}

func (e *endpointState) set(what string, sent bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.last == nil {
		e.last = map[string]endpointResult{}
	}
	e.last[what] = endpointResult{sent: sent, err: err, at: time.Now()}
}

func (e *endpointState) snapshot() map[string]endpointResult {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]endpointResult, len(e.last))
	for k, v := range e.last {
		out[k] = v
	}
	return out
}
