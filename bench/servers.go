package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/keys"
)

// Fixture is a miner key, its validators and their metagraph entries.
type Fixture struct {
	Miner      *keys.Keypair
	Validators []*keys.Keypair
	addrs      []string
	neurons    map[string]guard.Neuron
	// bareKeys are go-schnorrkel keys: the bare handler is the limit of a
	// server that verifies with go-schnorrkel, as Go miners did before
	// package keys/sr25519.
	bareKeys map[string]*schnorrkel.PublicKey
	// preKeys are precomputed keys, what a metagraph Syncer holds for its
	// validators: the in-process guard stack asks them first, as serve does.
	preKeys map[string]*keys.VerifyKey

	dendritesOnce sync.Once
	dendrites     []*axon.Client
}

// NewFixture derives the miner (//Miner) and n validators (//Validator/i).
func NewFixture(n int) (*Fixture, error) {
	miner, err := keys.FromSURI("//Miner")
	if err != nil {
		return nil, err
	}
	f := &Fixture{Miner: miner, neurons: map[string]guard.Neuron{}, bareKeys: map[string]*schnorrkel.PublicKey{},
		preKeys: map[string]*keys.VerifyKey{}}
	for i := 0; i < n; i++ {
		k, err := keys.FromSURI("//Validator/" + strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		bk, err := schnorrkel.NewPublicKey(k.Public())
		if err != nil {
			return nil, err
		}
		// Fill go-schnorrkel's cache of the encoding before sharing the key.
		bk.Encode()
		vk, err := keys.NewPrecomputedVerifyKey(k.Public())
		if err != nil {
			return nil, err
		}
		f.Validators = append(f.Validators, k)
		f.addrs = append(f.addrs, k.Address())
		f.neurons[k.Address()] = guard.Neuron{UID: uint16(i), StakeWeight: 20_000 * guard.RaoPerTAO, ValidatorPermit: true}
		f.bareKeys[k.Address()] = bk
		f.preKeys[k.Address()] = vk
	}
	return f, nil
}

// Request is a pre-signed request.
type Request struct {
	Header http.Header
	Body   []byte
}

// Sign pre-signs n unique requests (fresh uuid each) with the validators in
// turn, each timestamped when it is signed, on all CPUs. The headers are
// those of epistula.Sign; the three secret signatures, which depend only on
// the 10-second interval, are signed once per validator and interval.
func (f *Fixture) Sign(n int, body func(i int) []byte) []Request {
	out := make([]Request, n)
	receiver := f.Miner.Address()
	type secretKey struct{ validator, interval int64 }
	var mu sync.Mutex
	secrets := map[secretKey][3]string{}
	var wg sync.WaitGroup
	workers := 4
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var buf []byte
			for i := w; i < n; i += workers {
				b := body(i)
				v := i % len(f.Validators)
				key := f.Validators[v]
				ts := time.Now().UnixMilli()
				uuid := epistula.NewUUID()
				hash := epistula.BodyHash(b)
				tss := strconv.FormatInt(ts, 10)
				buf = epistula.AppendMessage(buf[:0], &hash, uuid, tss, receiver)
				sig := key.Sign(buf)
				sk := secretKey{int64(v), (ts + 9999) / 10000}
				mu.Lock()
				sec, ok := secrets[sk]
				mu.Unlock()
				if !ok {
					for j, m := range epistula.SecretMessages(ts, receiver) {
						s := key.Sign([]byte(m))
						sec[j] = s.Hex()
					}
					mu.Lock()
					secrets[sk] = sec
					mu.Unlock()
				}
				out[i] = Request{Body: b, Header: http.Header{
					epistula.HeaderVersion:          {"2"},
					epistula.HeaderTimestamp:        {tss},
					epistula.HeaderUUID:             {uuid},
					epistula.HeaderSignedBy:         {f.addrs[v]},
					epistula.HeaderSignedFor:        {receiver},
					epistula.HeaderSignature:        {sig.Hex()},
					epistula.HeaderSecretSignature0: {sec[0]},
					epistula.HeaderSecretSignature1: {sec[1]},
					epistula.HeaderSecretSignature2: {sec[2]},
				}}
			}
		}(w)
	}
	wg.Wait()
	return out
}

// Bare returns the limit handler: read the body, hash it, build the signed
// message, one go-schnorrkel sr25519 verification with a key decoded in
// advance, a fixed JSON answer. No freshness, receiver or replay checks, no logging.
func (f *Fixture) Bare() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, 0, max(r.ContentLength, 0)+1)
		for {
			n, err := r.Body.Read(body[len(body):cap(body)])
			body = body[:len(body)+n]
			if err != nil {
				break
			}
			if len(body) == cap(body) {
				body = append(body, 0)[:len(body)]
			}
		}
		sum := sha256.Sum256(body)
		var hash [64]byte
		hex.Encode(hash[:], sum[:])
		var buf [256]byte
		msg := epistula.AppendMessage(buf[:0], &hash, r.Header.Get(epistula.HeaderUUID),
			r.Header.Get(epistula.HeaderTimestamp), r.Header.Get(epistula.HeaderSignedFor))
		var sig [64]byte
		s := r.Header.Get(epistula.HeaderSignature)
		if len(s) != 130 {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		hex.Decode(sig[:], []byte(s[2:]))
		pk := f.bareKeys[r.Header.Get(epistula.HeaderSignedBy)]
		var s25 schnorrkel.Signature
		if pk == nil || s25.Decode(sig) != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if ok, err := pk.Verify(&s25, schnorrkel.NewSigningContext([]byte("substrate"), msg)); err != nil || !ok {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`+"\n")
	})
}

// Full returns the full guard stack (metrics on a private registry, a JSON
// access log written to logOut) in front of a small JSON handler. window is
// the Epistula window: the harness widens it so that signing ahead of a run
// cannot make requests stale; it does not change the cost of a check.
func (f *Fixture) Full(logOut io.Writer, window time.Duration) (http.Handler, error) {
	return f.fullAround(logOut, window, http.HandlerFunc(jsonHandler))
}

var errRefused = errors.New("bench: the guard refused a pre-signed request")

func (f *Fixture) fullAround(logOut io.Writer, window time.Duration, h http.Handler) (http.Handler, error) {
	m, err := guard.NewMetrics(prometheus.NewRegistry())
	if err != nil {
		return nil, err
	}
	g := guard.New(f.Miner.Address())
	g.Epistula.Verifier.Window = window
	g.Epistula.Verifier.Keys = keyMap(f.preKeys)
	g.Validators = &guard.Validators{
		Metagraph: guard.LookupFunc(func(h string) (guard.Neuron, bool) { n, ok := f.neurons[h]; return n, ok }),
		MinStake:  1000 * guard.RaoPerTAO,
	}
	g.RateLimit = &guard.RateLimit{Rate: 1e6, Burst: 1e6}
	g.Metrics = m
	g.Logger = slog.New(slog.NewJSONHandler(logOut, nil))
	return g.Handler(h), nil
}

// keyMap is a keys.VerifyKeys over a map.
type keyMap map[string]*keys.VerifyKey

func (m keyMap) VerifyKey(addr string) (*keys.VerifyKey, bool) { vk, ok := m[addr]; return vk, ok }

// jsonHandler is a small subnet handler: decode a JSON request, answer JSON.
func jsonHandler(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Prompt string `json:"prompt"`
	}
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		http.Error(w, `{"error":"bad json"}`, 400)
		return
	}
	caller, _ := guard.Caller(r.Context())
	out, _ := json.Marshal(struct {
		OK     bool   `json:"ok"`
		Caller string `json:"caller"`
		Len    int    `json:"len"`
	}{true, caller, len(req.Prompt)})
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(out, '\n'))
}

// Body returns the i-th request body: a small JSON document of a typical
// validator query.
func Body(i int) []byte {
	return []byte(`{"prompt":"what is ` + strconv.Itoa(i) + ` times seven?","max_tokens":16,"temperature":0.7}`)
}
