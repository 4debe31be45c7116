package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/minerkit/minerkit/axon"
)

// AxonTimeout is the synapse timeout pre-signed Axon requests carry: the
// miner accepts a first nonce up to 4 s + this old (capped at
// axon.DefaultMaxTimeout), so a batch signed before a run stays fresh.
const AxonTimeout = 5 * time.Minute

// SignAxon pre-signs n Axon requests for synapse name (fields(i) its JSON
// fields, hash its required_hash_fields), as the SDK's dendrite sends them:
// validator i mod len(Validators) signs request i, each validator one
// dendrite (one uuid) across all batches, nonces strictly increasing in i.
// Send them with LoadOrdered and a concurrency that divides the number of
// validators, so that each validator's requests stay in one lane, in order.
func (f *Fixture) SignAxon(n int, name string, fields func(i int) []byte, hash []string) ([]Request, error) {
	f.dendritesOnce.Do(func() {
		for _, v := range f.Validators {
			f.dendrites = append(f.dendrites, &axon.Client{Signer: v})
		}
	})
	out := make([]Request, n)
	target := axon.Target{URL: "http://miner", Hotkey: f.Miner.Address()}
	// Validator v's requests are signed by worker v mod workers, in order.
	workers := 4
	if len(f.Validators)%workers != 0 {
		workers = 1
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				syn, err := axon.NewRaw(name, fields(i), hash)
				if err == nil {
					var req *http.Request
					req, err = f.dendrites[i%len(f.dendrites)].Request(context.Background(), target, syn, AxonTimeout)
					if err == nil {
						var body []byte
						body, err = io.ReadAll(req.Body)
						out[i] = Request{Header: req.Header, Body: body}
					}
				}
				if err != nil {
					errs[w] = fmt.Errorf("bench: sign Axon request %d: %w", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
