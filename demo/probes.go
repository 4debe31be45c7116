package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/minerkit/minerkit/axon"
	"github.com/minerkit/minerkit/computeoffer"
	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/subtensor"
	"github.com/minerkit/minerkit/wallet"
)

// loadOrCreate returns the coldkey and hotkey "default" of wallet name in
// dir, creating them (unencrypted: they are throwaway) when missing.
func loadOrCreate(dir, name string) (cold, hot *keys.Keypair, err error) {
	w, err := wallet.New(dir, name, "default")
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(w.ColdkeyFile()); err == nil {
		if cold, err = w.Coldkey(nil); err != nil {
			return nil, nil, fmt.Errorf("demo: load wallet %s from %s: %w (use another directory)", name, dir, err)
		}
		if hot, err = w.HotkeyPair(nil); err != nil {
			return nil, nil, fmt.Errorf("demo: load wallet %s from %s: %w (use another directory)", name, dir, err)
		}
		return cold, hot, nil
	}
	gen := func() (*keys.Keypair, string, error) {
		phrase, err := keys.GenerateMnemonic(12)
		if err != nil {
			return nil, "", err
		}
		kp, err := keys.FromMnemonic(phrase, "")
		return kp, phrase, err
	}
	cold, cPhrase, err := gen()
	if err != nil {
		return nil, nil, fmt.Errorf("demo: generate a coldkey: %w", err)
	}
	hot, hPhrase, err := gen()
	if err != nil {
		return nil, nil, fmt.Errorf("demo: generate a hotkey: %w", err)
	}
	if err := w.CreateColdkey(cold, cPhrase, nil, false); err != nil {
		return nil, nil, fmt.Errorf("demo: write wallet %s: %w", name, err)
	}
	if err := w.CreateHotkey(hot, hPhrase, nil, false); err != nil {
		return nil, nil, fmt.Errorf("demo: write wallet %s: %w", name, err)
	}
	return cold, hot, nil
}

// probes makes the two calls the miner's guard must refuse: one signed by a
// hotkey that is not registered (403), and a validator's accepted request
// sent again byte for byte (401).
func (r *runner) probes(ctx context.Context) error {
	body := []byte("{}")
	hc := &http.Client{Timeout: 5 * time.Second}
	to := r.minerHot.Address()
	send := func(h http.Header) (int, string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url+"/cvm", bytes.NewReader(body))
		if err != nil {
			return 0, "", err
		}
		for k, v := range h {
			req.Header[k] = append([]string(nil), v...)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		var ref struct {
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(b, &ref)
		return resp.StatusCode, ref.Reason, nil
	}

	r.view.begin("refused403", "POST /cvm signed by demo-intruder, a hotkey that is not registered")
	st, reason, err := send(epistula.Sign(r.intruder, body, to, time.Now()))
	if err != nil {
		return fmt.Errorf("demo: call the miner as an unregistered hotkey: %w", err)
	}
	if st != http.StatusForbidden {
		return fmt.Errorf("demo: the miner answered %d %s to an unregistered hotkey; want 403", st, reason)
	}
	b := r.block()
	r.sum.Refusals = append(r.sum.Refusals, Refusal{What: "unregistered hotkey", Caller: r.intruder.Address(), Status: st, Reason: reason, Block: b})
	r.view.finish("refused403", b, "%d %s (an unregistered hotkey)", st, reason)

	r.view.begin("refused401", "the validator's signed request, sent twice")
	h := epistula.Sign(r.valHot, body, to, time.Now())
	first, reason1, err := send(h)
	if err != nil {
		return fmt.Errorf("demo: call the miner as the validator: %w", err)
	}
	if first/100 != 2 {
		return fmt.Errorf("demo: the miner answered %d %s to the validator's request; want 200", first, reason1)
	}
	st, reason, err = send(h)
	if err != nil {
		return fmt.Errorf("demo: replay the validator's request: %w", err)
	}
	if st != http.StatusUnauthorized {
		return fmt.Errorf("demo: the miner answered %d %s to a replayed request; want 401", st, reason)
	}
	b = r.block()
	r.sum.Refusals = append(r.sum.Refusals, Refusal{What: "replayed request", Caller: r.valHot.Address(), Status: st, Reason: reason, Block: b})
	r.view.finish("refused401", b, "%d %s (a signed request sent twice)", st, reason)
	return r.axonQuery(ctx)
}

// axonQuery sends the compute miner's ComputeOffer synapse the way a Python
// validator's dendrite does: the miner serves the Axon protocol beside
// Epistula, on the same port and behind the same guard.
func (r *runner) axonQuery(ctx context.Context) error {
	r.view.begin("axon", "ComputeOffer synapse from the validator, as the Python SDK's dendrite sends it")
	c := &axon.Client{Signer: r.valHot}
	syn := &computeoffer.ComputeOffer{Nonce: "00ff"}
	t0 := time.Now()
	err := c.Call(ctx, axon.Target{URL: r.url, Hotkey: r.minerHot.Address()}, syn, 5*time.Second)
	lat := time.Since(t0)
	if err != nil {
		return fmt.Errorf("demo: the miner's Axon synapse ComputeOffer: %w", err)
	}
	if syn.Offer == nil {
		return fmt.Errorf("demo: the miner answered ComputeOffer without an offer")
	}
	b := r.block()
	r.sum.Axon = AxonQuery{Synapse: "ComputeOffer", Status: *syn.Axon.StatusCode, GPUType: syn.Offer.GPUType,
		LatencyMs: float64(lat.Microseconds()) / 1000, Block: b}
	r.view.finish("axon", b, "POST /ComputeOffer %d %s: gpu %s, %.2f/h", *syn.Axon.StatusCode, *syn.Axon.StatusMessage,
		syn.Offer.GPUType, syn.Offer.BidPerHour)
	return nil
}

// watch follows the metagraph block by block until the miner's incentive and
// emission are above zero and every step was seen, then Settle blocks more.
func (r *runner) watch(ctx context.Context, minerErr <-chan error) error {
	r.view.begin("incentive", "waiting for an epoch after the validator's weights")
	settle := -1
	for {
		select {
		case err := <-minerErr:
			return fmt.Errorf("demo: the miner stopped: %w", err)
		default:
		}
		m, err := r.client.Metagraph(ctx, NetUID)
		if err != nil {
			return fmt.Errorf("demo: read the metagraph: %w", err)
		}
		inc := subtensor.U16Fraction(subtensor.GetU16(m.Incentives, int(r.minerUID)))
		em := subtensor.GetRao(m.Emission, int(r.minerUID))
		r.sum.Miner.Incentive, r.sum.Miner.Emission, r.sum.Miner.EmissionTAO = inc, uint64(em), em.Decimal()
		r.sum.Validator.Dividends = subtensor.U16Fraction(subtensor.GetU16(m.Dividends, int(r.valUID)))
		r.sum.Validator.Emission = uint64(subtensor.GetRao(m.Emission, int(r.valUID)))
		if inc > 0 && em > 0 && !r.view.isDone("incentive") {
			r.sum.Miner.FirstIncentiveBlock = m.Block
			r.view.finish("incentive", m.Block, "incentive %.4f, emission %s α per epoch", inc, em.Decimal())
		}
		st := r.val.Stats()
		r.view.setStatus(fmt.Sprintf("validator: %d/%d queries ok, weights %d× · miner: incentive %.4f, %s/epoch",
			st.OK, st.Queries, st.WeightsSet, inc, em))
		if settle < 0 && missing(r.view.Steps()) == "" {
			settle = r.o.Settle
		}
		if settle == 0 {
			return nil
		}
		if settle > 0 {
			settle--
		}
		if err := r.node.WaitBlocks(ctx, 1); err != nil {
			return err
		}
	}
}
