package axon

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Route serves one synapse type at POST /{Name}: it decodes the body into a
// new synapse, runs the handler, and answers as a Python axon does. It does
// no authentication: put it behind the guard (guard.Guard.AxonHandler, or
// miner.Server.HandleSynapse, which does). Build one with NewRoute or
// NewStreamRoute.
type Route struct {
	spec *Spec
	// OnError, if non-nil, is told of every request the route answers with
	// an error (its handler's, or a body it cannot decode), with the *Error
	// sent; for logs and metrics.
	OnError func(r *http.Request, err *Error, cause error)
	id      *Identity
	serve   func(w http.ResponseWriter, r *http.Request, body []byte, start time.Time) (*Error, error)
}

// Spec returns the synapse's declaration.
func (rt *Route) Spec() *Spec { return rt.spec }

// Name returns the synapse's name, the route's last path element.
func (rt *Route) Name() string { return rt.spec.Name }

// NewRoute returns the Route of synapse type T with handler fn. fn gets the
// decoded request and fills in the answer in place (the SDK's forward);
// the Route then sets axon.status_code 200, status_message "Success" and
// process_time and sends the whole synapse back. An error from fn that is an
// *Error (see HandlerError) is answered with its status and message; any
// other is a 500 "Internal Server Error #id". NewRoute fails when T does not
// declare a valid synapse (see SpecFor).
func NewRoute[T any, PT interface {
	*T
	Carrier
}](fn func(ctx context.Context, syn PT) error) (*Route, error) {
	spec, err := SpecFor[T]()
	if err != nil {
		return nil, err
	}
	rt := &Route{spec: spec}
	rt.serve = func(w http.ResponseWriter, r *http.Request, body []byte, start time.Time) (*Error, error) {
		syn := PT(new(T))
		if e := decodeSynapse(body, syn, spec.Name); e != nil {
			return e, nil
		}
		if err := fn(r.Context(), syn); err != nil {
			return handlerFailure(err), err
		}
		rt.id.stamp(syn.Base(), dendriteHotkey(r, syn.Base()), time.Now())
		buf := getBuffer()
		defer putBuffer(buf)
		b, err := responseJSON(buf, syn, spec, start)
		if err != nil {
			return handlerFailure(err), err
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		writeTerminalHeaders(h, syn.Base(), spec, b, requestHash(r))
		h.Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		w.Write(b)
		return nil, nil
	}
	return rt, nil
}

// Stream is where a streaming synapse's handler writes its answer: each
// Write is sent and flushed at once, framed as the subnet defines (the SDK
// leaves the framing to each StreamingSynapse). The response starts with
// status 200, Content-Type text/event-stream and the bt_header_* headers.
type Stream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
	start   func()
}

// Write sends p and flushes it.
func (s *Stream) Write(p []byte) (int, error) {
	if !s.started {
		s.start()
	}
	n, err := s.w.Write(p)
	if err != nil {
		return n, err
	}
	return n, s.rc.Flush()
}

// NewStreamRoute is NewRoute for a streaming synapse: fn writes the answer
// to the Stream, flushed chunk by chunk. An error before the first Write is
// answered like NewRoute's; after it, the stream just ends.
func NewStreamRoute[T any, PT interface {
	*T
	Carrier
}](fn func(ctx context.Context, syn PT, out *Stream) error) (*Route, error) {
	spec, err := SpecFor[T]()
	if err != nil {
		return nil, err
	}
	rt := &Route{spec: spec}
	rt.serve = func(w http.ResponseWriter, r *http.Request, body []byte, start time.Time) (*Error, error) {
		syn := PT(new(T))
		if e := decodeSynapse(body, syn, spec.Name); e != nil {
			return e, nil
		}
		st := &Stream{w: w, rc: http.NewResponseController(w)}
		st.start = func() {
			st.started = true
			base := syn.Base()
			rt.id.stamp(base, dendriteHotkey(r, base), time.Now())
			setSuccess(base, start)
			h := w.Header()
			h.Set("Content-Type", "text/event-stream")
			h.Set("Cache-Control", "no-cache")
			h.Set("X-Accel-Buffering", "no") // nginx: pass chunks on as they come
			writeTerminalHeaders(h, base, spec, nil, requestHash(r))
			w.WriteHeader(http.StatusOK)
		}
		err := fn(r.Context(), syn, st)
		if err != nil && !st.started {
			return handlerFailure(err), err
		}
		if !st.started {
			st.start()
		}
		return nil, err
	}
	return rt, nil
}

// Ping returns the route every Python axon has: POST /Synapse with the bare
// Synapse, answered with itself.
func Ping() *Route {
	rt, err := NewRoute(func(context.Context, *Synapse) error { return nil })
	if err != nil {
		panic(err) // Synapse is a valid declaration by construction
	}
	return rt
}

// bodyBytes is implemented by request bodies held in memory (the guard's):
// BodyBytes returns the unread rest of the body and consumes it. The bytes
// stay valid until the handler returns, and must not be modified.
type bodyBytes interface {
	BodyBytes() []byte
}

// ServeHTTP reads the body (already limited and restored by the guard),
// runs the handler and writes the answer.
func (rt *Route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var body []byte
	if bb, ok := r.Body.(bodyBytes); ok {
		// The guard holds the body in memory already: no copy.
		body = bb.BodyBytes()
	} else if r.Body != nil {
		var err error
		body, err = io.ReadAll(r.Body)
		if err != nil {
			e := malformed("Could not read the body: %v", err)
			rt.fail(w, r, e, err)
			return
		}
	}
	if e, cause := rt.serve(w, r, body, start); e != nil {
		rt.fail(w, r, e, cause)
	} else if cause != nil && rt.OnError != nil {
		rt.OnError(r, HandlerError(http.StatusOK, "stream ended with an error"), cause)
	}
}

func (rt *Route) fail(w http.ResponseWriter, r *http.Request, e *Error, cause error) {
	if rt.OnError != nil {
		rt.OnError(r, e, cause)
	}
	WriteError(w, e)
}

func decodeSynapse(body []byte, syn Carrier, name string) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		// A GET, or a POST without a body: the SDK builds the synapse
		// from its defaults.
		return nil
	}
	if err := json.Unmarshal(body, syn); err != nil {
		return malformed("Could not parse the body into synapse of type %s: %v", name, err)
	}
	return nil
}

func handlerFailure(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Reason: ReasonHandler,
		Message: "Internal Server Error #" + newUUID(), Err: err}
}

func setSuccess(base *Synapse, start time.Time) {
	if base.Axon.StatusCode == nil {
		code := http.StatusOK
		base.Axon.StatusCode = &code
	}
	if *base.Axon.StatusCode == http.StatusOK && (base.Axon.StatusMessage == nil || *base.Axon.StatusMessage == "") {
		msg := "Success"
		base.Axon.StatusMessage = &msg
	}
	pt := time.Since(start).Seconds()
	base.Axon.ProcessTime = &pt
}

// responseJSON sets the success fields and returns the whole synapse as
// JSON.
func responseJSON(buf *bytes.Buffer, syn Carrier, spec *Spec, start time.Time) ([]byte, error) {
	base := syn.Base()
	base.Name = spec.Name
	setSuccess(base, start)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(syn); err != nil {
		return nil, fmt.Errorf("axon: encode the %s answer: %w", spec.Name, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// Answers are encoded into pooled buffers, returned once written.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// putBuffer returns b to the pool unless it grew past 64 KiB (a rare large
// answer is not kept alive).
func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 {
		buffers.Put(b)
	}
}

// dendriteHotkey is the hotkey the request's headers name (the one the
// guard verified), else the body's.
func dendriteHotkey(r *http.Request, base *Synapse) string {
	if v := r.Header[canonHotkey]; len(v) > 0 {
		return v[0]
	}
	if base.Dendrite.Hotkey != nil {
		return *base.Dendrite.Hotkey
	}
	return ""
}

// requestHash is the request's computed_body_hash (checked by the guard).
func requestHash(r *http.Request) string {
	if v := r.Header[canonBodyHash]; len(v) > 0 {
		return v[0]
	}
	return r.Header.Get(HeaderComputedBodyHash)
}

// writeTerminalHeaders writes the SDK's to_headers() of a synapse with
// lowercase names: name, timeout, bt_header_axon_*, bt_header_dendrite_*
// (non-null fields), header_size, total_size, computed_body_hash. Integers
// are written without a decimal point: the dendrite reads them with int().
// computed_body_hash is the request's (the SDK recomputes it over the
// answer, whose hash fields a handler rarely changes; the dendrite does not
// read it): one JSON parse less per answer.
func writeTerminalHeaders(h http.Header, base *Synapse, spec *Spec, body []byte, hash string) {
	// One backing array for every value: a header is one []string, and
	// fifteen of them would be fifteen allocations.
	vals := make([]string, 0, 2*len(terminalNames{})+8)
	set := func(k, v string) {
		vals = append(vals, headerSafe(v))
		n := len(vals)
		h[k] = vals[n-1 : n : n]
	}
	var num [32]byte
	set(HeaderName, spec.Name)
	set(HeaderTimeout, string(AppendPyFloat(num[:0], base.Timeout)))
	appendTerminal(set, HeaderAxonPrefix, &base.Axon)
	appendTerminal(set, HeaderDendritePrefix, &base.Dendrite)
	set(HeaderHeaderSize, "0")
	set(HeaderTotalSize, strconv.Itoa(len(body)))
	if hash == "" || len(spec.HashFields) == 0 {
		hash = EmptyBodyHash
	}
	set(HeaderComputedBodyHash, hash)
}

// terminalNames are the header names of a TerminalInfo's fields under one
// prefix, in the order appendTerminal writes them.
type terminalNames [10]string

func namesFor(prefix string) *terminalNames {
	var n terminalNames
	for i, f := range [...]string{"status_code", "status_message", "process_time", "ip", "port", "version", "nonce", "uuid", "hotkey", "signature"} {
		n[i] = prefix + f
	}
	return &n
}

var (
	axonNames     = namesFor(HeaderAxonPrefix)
	dendriteNames = namesFor(HeaderDendritePrefix)
)

func appendTerminal(set func(k, v string), prefix string, t *TerminalInfo) {
	names := axonNames
	switch prefix {
	case HeaderAxonPrefix:
	case HeaderDendritePrefix:
		names = dendriteNames
	default:
		names = namesFor(prefix)
	}
	if t.StatusCode != nil {
		set(names[0], strconv.Itoa(*t.StatusCode))
	}
	if t.StatusMessage != nil {
		set(names[1], *t.StatusMessage)
	}
	if t.ProcessTime != nil {
		var num [32]byte
		set(names[2], string(AppendPyFloat(num[:0], *t.ProcessTime)))
	}
	if t.IP != nil {
		set(names[3], *t.IP)
	}
	if t.Port != nil {
		set(names[4], strconv.Itoa(*t.Port))
	}
	if t.Version != nil {
		set(names[5], strconv.FormatInt(*t.Version, 10))
	}
	if t.Nonce != nil {
		set(names[6], strconv.FormatInt(*t.Nonce, 10))
	}
	if t.UUID != nil {
		set(names[7], *t.UUID)
	}
	if t.Hotkey != nil {
		set(names[8], *t.Hotkey)
	}
	if t.Signature != nil {
		set(names[9], *t.Signature)
	}
}

// WriteError answers e as a Python axon does: status e.Status, JSON
// {"message": e.Message}, and the axon's status headers.
func WriteError(w http.ResponseWriter, e *Error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		Message string `json:"message"`
	}{e.Message})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h[HeaderAxonStatusCode] = []string{strconv.Itoa(e.Status)}
	h[HeaderAxonStatusMessage] = []string{headerSafe(e.Message)}
	w.WriteHeader(e.Status)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}))
}

// headerSafe drops bytes a header value cannot carry.
func headerSafe(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c == 0x7f {
			b[i] = ' '
		}
	}
	return string(b)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
