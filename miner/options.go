package miner

import (
	"log/slog"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/onchain"
)

// Option sets one of a Server's collaborators in [New]: a Server is complete
// when New returns, and nothing is set on it afterwards.
type Option func(*Server)

// WithLogger sets the Server's logger (access log and lifecycle events);
// nil keeps the default, text on stderr at Config.LogLevel.
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) {
		if l != nil {
			s.log = l
		}
	}
}

// WithReplay sets the Epistula replay cache (a shared one when several
// replicas serve one hotkey).
func WithReplay(c epistula.ReplayCache) Option { return func(s *Server) { s.replay = c } }

// WithRegistrar sets what registers the hotkey when Config.Register is on.
func WithRegistrar(r Registrar) Option { return func(s *Server) { s.registrar = r } }

// WithCommitter sets what commits Config.ExternalURL on chain.
func WithCommitter(c Committer) Option { return func(s *Server) { s.committer = c } }

// WithAxonServer sets what announces the axon (Config.AxonIP).
func WithAxonServer(a AxonServer) Option { return func(s *Server) { s.axonServer = a } }

// WithChain puts the Server on subtensor through c: c registers (when it can
// open a coldkey, [onchain.Chain.CanRegister]), commits and serves the axon.
func WithChain(c *onchain.Chain) Option {
	return func(s *Server) {
		if c.CanRegister() {
			s.registrar = c
		}
		s.committer = c
		s.axonServer = c
	}
}

var (
	_ Registrar  = (*onchain.Chain)(nil)
	_ Committer  = (*onchain.Chain)(nil)
	_ AxonServer = (*onchain.Chain)(nil)
)
