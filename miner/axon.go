package miner

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/guard"
)

// HandleSynapse serves an Axon synapse (the Bittensor SDK's protocol) at
// POST /{Name} (and GET, as the SDK does) on the API listener, beside the
// Epistula routes, behind the same guard: the validator gate on the
// dendrite's hotkey, the body hash, the signature against this miner's
// hotkey, the nonce rule and the per-hotkey rate limit. /Synapse (the ping
// every Python axon answers) is served from the start. With Config.NoAxon
// the synapse is not served and HandleSynapse returns nil.
func (s *Server) HandleSynapse(rt *axon.Route) error {
	if s.cfg.NoAxon {
		return nil
	}
	name := rt.Name()
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Contains(s.synapses, name) {
		return fmt.Errorf("miner: synapse %s is already served", name)
	}
	if s.started {
		return fmt.Errorf("miner: synapse %s added after Serve started; add synapses before", name)
	}
	for _, m := range []string{http.MethodPost, http.MethodGet} {
		probe := &http.Request{Method: m, URL: &url.URL{Path: "/" + name}, Host: "miner"}
		if _, p := s.mux.Handler(probe); p == m+" /"+name || p == "/"+name {
			return fmt.Errorf("miner: synapse %s: the route %s is already served (%s)", name, m+" /"+name, p)
		}
	}
	s.synapses = append(s.synapses, name)
	rt.SetIdentity(s.axonID)
	if rt.OnError == nil {
		rt.OnError = func(r *http.Request, e *axon.Error, cause error) {
			if info := guard.FromContext(r.Context()); info != nil {
				info.Reason = string(e.Reason)
			}
			if cause != nil {
				s.log.Warn("synapse handler failed", "synapse", name, "status", e.Status, "err", cause)
			}
		}
	}
	// A handler's panic is answered as a Python axon answers an exception.
	h := s.counted(s.guards.wrapAxon(rt.Spec(), s.recoveringAs(rt, func(w http.ResponseWriter) {
		axon.WriteError(w, axon.HandlerError(http.StatusInternalServerError, "Internal Server Error"))
	})))
	s.mux.Handle("POST /"+name, h)
	s.mux.Handle("GET /"+name, h)
	return nil
}

// Synapses returns the names of the synapses served, /Synapse included.
func (s *Server) Synapses() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.synapses)
}

// axonNotFound answers an Axon request (one carrying the dendrite's
// hotkey) for a route nothing serves as a Python axon does: 404 {"message":
// "Synapse name 'X' not found. Available synapses [...]"}. Other requests
// go to next unchanged.
func (s *Server) axonNotFound(next *http.ServeMux) http.Handler {
	if s.cfg.NoAxon {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Header[axonHotkeyHeader]; ok {
			if _, pattern := next.Handler(r); pattern == "" {
				name, _, _ := cutFirst(r.URL.Path)
				axon.WriteError(w, axon.UnknownSynapse(name, s.Synapses()))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

var axonHotkeyHeader = http.CanonicalHeaderKey(axon.HeaderDendriteHotkey)

// cutFirst returns the first element of a URL path.
func cutFirst(path string) (first, rest string, ok bool) {
	if len(path) > 0 && path[0] == '/' {
		path = path[1:]
	}
	for i := 0; i < len(path); i++ {
		if path[i] == '/' {
			return path[:i], path[i:], true
		}
	}
	return path, "", false
}

// axonList is the access log's summary of the Axon routes.
func axonList(off bool, names []string) string {
	if off {
		return "off"
	}
	return strings.Join(names, ",")
}
