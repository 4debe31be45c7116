package axon

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/minerkit/minerkit/keys"
)

// SDKVersion is the version a Client announces (bt_header_dendrite_version):
// the SDK release whose protocol this package follows, 10.2.0, as
// major·10⁶ + minor·10³ + patch.
const SDKVersion = 10_002_000

// DefaultTimeout is the synapse timeout a Client uses when Call gets none:
// the SDK's 12 s.
const DefaultTimeout = 12 * time.Second

// Client is a Dendrite: it signs and sends synapses to miners the way the
// Python SDK does, so any Python axon (and minerkit's) answers it. A Client
// keeps one uuid for its lifetime, as a Dendrite instance does, with nonces
// strictly increasing. It is safe for concurrent use, but calls to one miner
// made at once may arrive out of order, and a miner (any Python axon too)
// refuses a nonce not above the last it accepted from this uuid: to call one
// miner concurrently, give each concurrent stream of calls its own Client.
type Client struct {
	// Signer is the caller's hotkey. Required.
	Signer keys.Signer
	// HTTP sends the requests; if nil, http.DefaultClient.
	HTTP *http.Client
	// UUID identifies this dendrite; if empty, a random one is made on the
	// first call.
	UUID string
	// IP is the address announced as the dendrite's ip; if empty,
	// "127.0.0.1".
	IP string
	// MaxResponseBytes bounds the answer read; if zero, 16 MiB.
	MaxResponseBytes int64

	once      sync.Once
	mu        sync.Mutex
	lastNonce int64
	specs     sync.Map // reflect.Type → *Spec
}

// Target is the miner to call.
type Target struct {
	// URL is the miner's base URL, "http://203.0.113.7:8091".
	URL string
	// Hotkey is the miner's SS58 hotkey: the signature names it. Required.
	Hotkey string
}

// StatusError is an answer other than 200, or one the dendrite could not
// read (422, as the SDK marks it).
type StatusError struct {
	Status  int
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("axon: the miner answered %d: %s", e.Status, e.Message)
}

func (c *Client) init() {
	c.once.Do(func() {
		if c.UUID == "" {
			c.UUID = newUUID()
		}
	})
}

// nonce returns the current time in Unix ns, strictly greater than the last.
func (c *Client) nonce() int64 {
	n := time.Now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	if n <= c.lastNonce {
		n = c.lastNonce + 1
	}
	c.lastNonce = n
	return n
}

func (c *Client) spec(syn Carrier) (*Spec, error) {
	if r, ok := syn.(*Raw); ok {
		return r.spec()
	}
	t := reflect.TypeOf(syn)
	if t.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("axon: synapse %s is not a pointer", t)
	}
	if s, ok := c.specs.Load(t); ok {
		return s.(*Spec), nil
	}
	s, err := specOf(t.Elem())
	if err != nil {
		return nil, err
	}
	c.specs.Store(t, s)
	return s, nil
}

// Request builds the signed request for syn to target: it fills syn's
// dendrite and axon terminals, name and timeout as the SDK's dendrite does,
// signs "{nonce}.{our hotkey}.{target hotkey}.{uuid}.{body hash}" and returns
// the POST /{Name} request with the SDK's headers and the synapse as body.
func (c *Client) Request(ctx context.Context, target Target, syn Carrier, timeout time.Duration) (*http.Request, error) {
	c.init()
	if c.Signer == nil {
		return nil, errors.New("axon: Client.Signer is nil: give it the validator's hotkey")
	}
	if target.Hotkey == "" {
		return nil, errors.New("axon: Target.Hotkey is empty: the signature must name the miner's hotkey")
	}
	spec, err := c.spec(syn)
	if err != nil {
		return nil, err
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	u, err := url.Parse(strings.TrimSuffix(target.URL, "/") + "/" + spec.Name)
	if err != nil {
		return nil, fmt.Errorf("axon: target URL %q: %w", target.URL, err)
	}
	host, portText, _ := net.SplitHostPort(u.Host)
	if host == "" {
		host = u.Hostname()
	}
	port, _ := strconv.Atoi(portText)
	if portText == "" {
		port = 80
		if u.Scheme == "https" {
			port = 443
		}
	}

	me := c.Signer.Public().Address()
	ip := c.IP
	if ip == "" {
		ip = "127.0.0.1"
	}
	nonce := c.nonce()
	version := int64(SDKVersion)
	uuid := c.UUID
	base := syn.Base()
	base.Name = spec.Name
	base.Timeout = timeout.Seconds()
	base.ComputedBodyHash = ""
	base.Dendrite = TerminalInfo{IP: &ip, Version: &version, Nonce: &nonce, UUID: &uuid, Hotkey: &me}
	base.Axon = TerminalInfo{IP: &host, Port: &port, Hotkey: &target.Hotkey}
	body, err := json.Marshal(syn)
	if err != nil {
		return nil, fmt.Errorf("axon: encode synapse %s: %w", spec.Name, err)
	}
	hash, err := spec.BodyHash(body)
	if err != nil {
		return nil, fmt.Errorf("axon: hash synapse %s: %w", spec.Name, err)
	}
	nonceText := strconv.FormatInt(nonce, 10)
	sig := c.Signer.Sign(AppendMessage(nil, nonceText, me, target.Hotkey, uuid, hash))
	sigText := "0x" + hex.EncodeToString(sig[:])
	base.Dendrite.Signature = &sigText
	// The SDK sends the synapse as it stands after signing: the signature
	// in the body's dendrite object too.
	if body, err = json.Marshal(syn); err != nil {
		return nil, fmt.Errorf("axon: encode synapse %s: %w", spec.Name, err)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("axon: build request: %w", err)
	}
	h := req.Header
	set := func(k, v string) { h[k] = []string{v} } // the SDK's lowercase names, as sent
	set("Content-Type", "application/json")
	set(HeaderName, spec.Name)
	set(HeaderTimeout, string(AppendPyFloat(nil, base.Timeout)))
	appendTerminal(set, HeaderAxonPrefix, &base.Axon)
	appendTerminal(set, HeaderDendritePrefix, &base.Dendrite)
	set(HeaderHeaderSize, "0")
	set(HeaderTotalSize, strconv.Itoa(len(body)))
	set(HeaderComputedBodyHash, hash)
	return req, nil
}

// Call sends syn to target and fills it with the answer, as the SDK's
// dendrite.call does: on 200 the miner's synapse replaces syn's fields and
// the axon terminal is updated from the bt_header_axon_* headers;
// syn.Dendrite.StatusCode and StatusMessage mirror the axon's. Any other
// answer is a *StatusError (also recorded in syn's terminals): 403 refused,
// 401 not verified, 404 no such synapse, 422 an answer that does not parse.
func (c *Client) Call(ctx context.Context, target Target, syn Carrier, timeout time.Duration) error {
	return c.call(ctx, target, syn, timeout, nil)
}

// CallStream is Call for a streaming synapse: each chunk of a
// text/event-stream answer is passed to onChunk as it arrives (split at
// newlines, each with its newline), and the headers update syn at the end.
// A JSON answer is handled as Call does.
func (c *Client) CallStream(ctx context.Context, target Target, syn Carrier, timeout time.Duration, onChunk func([]byte) error) error {
	if onChunk == nil {
		return errors.New("axon: CallStream needs onChunk")
	}
	return c.call(ctx, target, syn, timeout, onChunk)
}

func (c *Client) call(ctx context.Context, target Target, syn Carrier, timeout time.Duration, onChunk func([]byte) error) error {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := c.Request(ctx, target, syn, timeout)
	if err != nil {
		return err
	}
	start := time.Now()
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	base := syn.Base()
	resp, err := hc.Do(req)
	if err != nil {
		code, msg := 503, "Service unavailable"
		if errors.Is(err, context.DeadlineExceeded) {
			code, msg = 408, fmt.Sprintf("Request timeout after %s seconds", AppendPyFloat(nil, timeout.Seconds()))
		}
		recordStatus(base, code, msg)
		return fmt.Errorf("axon: call %s: %w", req.URL, err)
	}
	defer resp.Body.Close()
	limit := c.MaxResponseBytes
	if limit <= 0 {
		limit = 16 << 20
	}
	err = processResponse(resp, syn, io.LimitReader(resp.Body, limit), onChunk)
	pt := time.Since(start).Seconds()
	base.Dendrite.ProcessTime = &pt
	return err
}

func recordStatus(base *Synapse, code int, msg string) {
	c1, c2, m1, m2 := code, code, msg, msg
	base.Axon.StatusCode, base.Axon.StatusMessage = &c1, &m1
	base.Dendrite.StatusCode, base.Dendrite.StatusMessage = &c2, &m2
}

// processResponse reads an answer as the SDK's process_server_response
// does.
func processResponse(resp *http.Response, syn Carrier, body io.Reader, onChunk func([]byte) error) error {
	base := syn.Base()
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode == http.StatusOK && mt == "text/event-stream" && onChunk != nil {
		br := bufio.NewReader(body)
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 {
				if cerr := onChunk(line); cerr != nil {
					return cerr
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				recordStatus(base, 422, "Failed to parse response: "+err.Error())
				return &StatusError{Status: 422, Message: "Failed to parse response: " + err.Error()}
			}
		}
	} else {
		data, err := io.ReadAll(body)
		if err != nil {
			recordStatus(base, 422, "Failed to parse response: "+err.Error())
			return &StatusError{Status: 422, Message: "Failed to parse response: " + err.Error()}
		}
		if resp.StatusCode == http.StatusOK {
			if mt != "application/json" {
				return parseFailure(base, fmt.Sprintf("answer is %q, not JSON", mt))
			}
			// The dendrite keeps what it sent where the answer holds null
			// terminals; the rest is the miner's.
			saved := *base
			if err := json.Unmarshal(data, syn); err != nil {
				*base = saved
				return parseFailure(base, err.Error())
			}
		} else {
			var m struct {
				Message *string `json:"message"`
			}
			msg := http.StatusText(resp.StatusCode)
			if json.Unmarshal(data, &m) == nil && m.Message != nil {
				msg = *m.Message
			}
			recordStatus(base, resp.StatusCode, msg)
		}
	}
	if err := mergeHeaders(base, resp.Header); err != nil {
		return parseFailure(base, err.Error())
	}
	if resp.StatusCode != http.StatusOK {
		return &StatusError{Status: resp.StatusCode, Message: derefString(base.Axon.StatusMessage)}
	}
	if base.Axon.StatusCode == nil || *base.Axon.StatusCode != http.StatusOK {
		return parseFailure(base, "the answer's axon.status_code is not 200")
	}
	code, msg := *base.Axon.StatusCode, derefString(base.Axon.StatusMessage)
	base.Dendrite.StatusCode, base.Dendrite.StatusMessage = &code, &msg
	return nil
}

func parseFailure(base *Synapse, detail string) error {
	msg := "Failed to parse response: " + detail
	recordStatus(base, 422, msg)
	return &StatusError{Status: 422, Message: msg}
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// mergeHeaders updates the axon terminal from bt_header_axon_* headers. The
// SDK parses them with int()/float(): an integer with a decimal point is an
// error (422).
func mergeHeaders(base *Synapse, h http.Header) error {
	for k, v := range h {
		if len(v) == 0 {
			continue
		}
		lk := strings.ToLower(k)
		field, ok := strings.CutPrefix(lk, HeaderAxonPrefix)
		if !ok {
			continue
		}
		val := v[0]
		switch field {
		case "status_code", "port":
			n, err := strconv.Atoi(val)
			if err != nil {
				return fmt.Errorf("header %s: %q is not an integer", lk, val)
			}
			if field == "port" {
				base.Axon.Port = &n
			} else {
				base.Axon.StatusCode = &n
			}
		case "version", "nonce":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return fmt.Errorf("header %s: %q is not an integer", lk, val)
			}
			if field == "version" {
				base.Axon.Version = &n
			} else {
				base.Axon.Nonce = &n
			}
		case "process_time":
			f, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return fmt.Errorf("header %s: %q is not a number", lk, val)
			}
			base.Axon.ProcessTime = &f
		case "status_message":
			base.Axon.StatusMessage = &val
		case "ip":
			base.Axon.IP = &val
		case "uuid":
			base.Axon.UUID = &val
		case "hotkey":
			base.Axon.Hotkey = &val
		case "signature":
			base.Axon.Signature = &val
		}
	}
	return nil
}
