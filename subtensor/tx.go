package subtensor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
	"github.com/minerkit/minerkit/substrate/rpc"
)

// TxOptions says how to send a transaction. The zero value waits for
// inclusion in a block, with no tip and a 64-block mortal era.
type TxOptions struct {
	// WaitFinalization waits for the block to be finalized, not just
	// included.
	WaitFinalization bool
	// Tip is paid to the block author on top of the fee.
	Tip Rao
	// Period is the mortal era's length in blocks (default 64).
	Period uint64
	// OnStatus, if non-nil, is told about progress ("submitted", "in block
	// 123", "finalized") for a spinner.
	OnStatus func(status string)
}

// Event is one event emitted by a transaction.
type Event struct {
	Pallet string          `json:"pallet"`
	Name   string          `json:"name"`
	Fields substrate.Value `json:"fields"`
}

func (e Event) String() string { return e.Pallet + "." + e.Name }

// UnmarshalJSON reads what MarshalJSON wrote, so that --json output can be
// read back; the fields stay undecoded (Fields is left invalid).
func (e *Event) UnmarshalJSON(b []byte) error {
	var v struct {
		Pallet string `json:"pallet"`
		Name   string `json:"name"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	e.Pallet, e.Name = v.Pallet, v.Name
	return nil
}

// TxResult is what a transaction did.
type TxResult struct {
	// Call is "Pallet.call_name".
	Call string `json:"call"`
	// Skipped is true when nothing needed sending (already registered,
	// commitment unchanged); Note says why. Nothing was paid.
	Skipped bool   `json:"skipped,omitempty"`
	Note    string `json:"note,omitempty"`
	// Hash is the extrinsic's hash.
	Hash rpc.Hash `json:"hash"`
	// Block and BlockHash locate the block that included it; Index is its
	// position in that block.
	Block     uint64   `json:"block"`
	BlockHash rpc.Hash `json:"block_hash"`
	Index     int      `json:"index"`
	Finalized bool     `json:"finalized"`
	// Fee is the fee paid (TransactionPayment.TransactionFeePaid), and
	// FeeKnown whether the chain reported it.
	Fee      Rao     `json:"fee"`
	FeeKnown bool    `json:"fee_known"`
	Events   []Event `json:"events"`

	dispatchErr *substrate.DispatchError
}

// Event returns the first event pallet.name of the transaction.
func (r *TxResult) Event(pallet, name string) (Event, bool) {
	if r == nil {
		return Event{}, false
	}
	for _, e := range r.Events {
		if e.Pallet == pallet && e.Name == name {
			return e, true
		}
	}
	return Event{}, false
}

func (o TxOptions) status(s string) {
	if o.OnStatus != nil {
		o.OnStatus(s)
	}
}

// NewCall builds pallet.call from arguments given by name, checked against
// the runtime's metadata.
func (c *Client) NewCall(pallet, call string, args ...substrate.NamedValue) (substrate.Call, error) {
	cl, err := c.Metadata().NewCallNamed(pallet, call, args...)
	if err != nil {
		return substrate.Call{}, fmt.Errorf("subtensor: build %s.%s: %w", pallet, call, err)
	}
	return cl, nil
}

// Sign builds a signed extrinsic for call: nonce from the pool, a mortal
// era born at the best block, the runtime's signed extensions in order.
func (c *Client) Sign(ctx context.Context, signer keys.Signer, call substrate.Call, o TxOptions) ([]byte, error) {
	rt, err := c.refreshRuntime(ctx)
	if err != nil {
		return nil, err
	}
	pub := signer.Public()
	nonce, err := c.rpc.SystemAccountNextIndex(ctx, pub.Address())
	if err != nil {
		return nil, fmt.Errorf("subtensor: read the nonce of %s: %w", pub.Address(), err)
	}
	head, err := c.rpc.ChainGetHeader(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("subtensor: read best block: %w", err)
	}
	period := o.Period
	if period == 0 {
		period = 64
	}
	num := uint64(head.Number)
	era := substrate.MortalEra(num, period)
	birth, err := c.rpc.ChainGetBlockHash(ctx, era.Birth(num))
	if err != nil {
		return nil, fmt.Errorf("subtensor: read era birth block %d: %w", era.Birth(num), err)
	}
	so := &substrate.SignOptions{
		SpecVersion: rt.version.SpecVersion,
		TxVersion:   rt.version.TransactionVersion,
		GenesisHash: c.genesis,
		Era:         era,
		BirthHash:   birth,
		Nonce:       nonce,
		Tip:         scale.Uint128{Lo: uint64(o.Tip)},
	}
	ext, err := rt.md.SignExtrinsic(call.Bytes(), signer, so)
	if err != nil {
		return nil, fmt.Errorf("subtensor: sign %s: %w", call, err)
	}
	return ext, nil
}

// Submit signs call, submits it and waits for its block (or finalization),
// then reads its events. An extrinsic that failed on chain returns a
// *ChainError (and the result, for its block and events).
func (c *Client) Submit(ctx context.Context, signer keys.Signer, call substrate.Call, o TxOptions) (*TxResult, error) {
	ext, err := c.Sign(ctx, signer, call, o)
	if err != nil {
		return nil, err
	}
	res := &TxResult{Call: call.String(), Hash: substrate.HashBlake2_256(ext)}
	st, err := c.rpc.AuthorSubmitAndWatchExtrinsic(ctx, ext)
	if errors.Is(err, rpc.ErrSubscriptionsUnsupported) {
		return c.submitAndPoll(ctx, res, call, ext, o)
	}
	if err != nil {
		return nil, c.poolError(call, err)
	}
	o.status("submitted " + call.String())
	var included rpc.Hash
loop:
	for {
		select {
		case <-ctx.Done():
			uctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = st.Unsubscribe(uctx)
			cancel()
			if !included.IsZero() {
				break loop
			}
			return nil, fmt.Errorf("subtensor: %s: stopped waiting before it was included (it may still land; check with minerkit status): %w", call, ctx.Err())
		case s, ok := <-st.C():
			if !ok {
				if !included.IsZero() {
					break loop
				}
				err := st.Err()
				if err == nil {
					err = errors.New("watch ended")
				}
				return nil, fmt.Errorf("subtensor: %s: lost track of the transaction (%w); it may still land: check before sending it again", call, err)
			}
			switch s.Kind {
			case rpc.StatusInBlock:
				included = s.Block
				if !o.WaitFinalization {
					_ = st.Unsubscribe(ctx)
					break loop
				}
				o.status("in block, waiting for finalization")
			case rpc.StatusFinalized:
				included, res.Finalized = s.Block, true
				break loop
			case rpc.StatusInvalid, rpc.StatusDropped, rpc.StatusUsurped:
				return nil, fmt.Errorf("subtensor: %s: the node reports the transaction %s; nothing was executed: retry", call, s.Kind)
			case rpc.StatusRetracted:
				included = rpc.Hash{}
				o.status("block retracted, waiting again")
			case rpc.StatusFinalityTimeout:
				return nil, fmt.Errorf("subtensor: %s: finality timed out for block %s; check the chain before retrying", call, s.Block)
			}
		}
	}
	if err := c.readOutcome(ctx, res, included, ext); err != nil {
		return res, err
	}
	if res.Finalized {
		o.status(fmt.Sprintf("finalized in block %d", res.Block))
	} else {
		o.status(fmt.Sprintf("in block %d", res.Block))
	}
	return res, res.failure()
}

// submitAndPoll is Submit for transports without subscriptions (HTTP): it
// submits, then reads each new block until one contains the extrinsic
// (the best block; on chains with instant finality that is final too).
func (c *Client) submitAndPoll(ctx context.Context, res *TxResult, call substrate.Call, ext []byte, o TxOptions) (*TxResult, error) {
	head, err := c.rpc.ChainGetHeader(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("subtensor: read best block: %w", err)
	}
	if _, err := c.rpc.AuthorSubmitExtrinsic(ctx, ext); err != nil {
		return nil, c.poolError(call, err)
	}
	o.status("submitted " + call.String())
	period := o.Period
	if period == 0 {
		period = 64
	}
	next, last := uint64(head.Number)+1, uint64(head.Number)+period+1
	tick := min(max(c.BlockTime()/2, 50*time.Millisecond), 2*time.Second)
	for next <= last {
		best, err := c.rpc.ChainGetHeader(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("subtensor: %s: lost track of the transaction (%w); it may still land: check before sending it again", call, err)
		}
		for ; next <= uint64(best.Number) && next <= last; next++ {
			h, err := c.rpc.ChainGetBlockHash(ctx, next)
			if err != nil {
				return nil, fmt.Errorf("subtensor: read block %d: %w", next, err)
			}
			blk, err := c.rpc.ChainGetBlock(ctx, &h)
			if err != nil {
				return nil, fmt.Errorf("subtensor: read block %d: %w", next, err)
			}
			for _, x := range blk.Block.Extrinsics {
				if bytes.Equal(x, ext) {
					if err := c.readOutcome(ctx, res, h, ext); err != nil {
						return res, err
					}
					o.status(fmt.Sprintf("in block %d", res.Block))
					return res, res.failure()
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("subtensor: %s: stopped waiting before it was included (it may still land): %w", call, ctx.Err())
		case <-time.After(tick):
		}
	}
	return nil, fmt.Errorf("subtensor: %s: not included within its %d-block validity; it has expired and can be sent again", call, period)
}

// poolError turns a submit error into words.
func (c *Client) poolError(call substrate.Call, err error) error {
	var re *rpc.Error
	if errors.As(err, &re) {
		if n, ok := re.CustomCode(); ok {
			name, advice, known := TxError(n)
			if !known {
				name, advice = "unknown", fmt.Sprintf("custom error %d is not in this client's table; check the subtensor runtime version", n)
			}
			return &ChainError{Advice: advice, Err: &wrapped{msg: fmt.Sprintf("%s rejected by the transaction pool: %s (custom error %d)", call, name, n), err: err}}
		}
		return &ChainError{Err: fmt.Errorf("%s rejected by the transaction pool: %w", call, err)}
	}
	return fmt.Errorf("subtensor: submit %s: %w", call, err)
}

// wrapped shows msg but keeps err for errors.Is and errors.As.
type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

// readOutcome finds the extrinsic in its block and collects its events.
func (c *Client) readOutcome(ctx context.Context, res *TxResult, blockHash rpc.Hash, ext []byte) error {
	blk, err := c.rpc.ChainGetBlock(ctx, &blockHash)
	if err != nil {
		return fmt.Errorf("subtensor: read block %s: %w", blockHash, err)
	}
	res.BlockHash, res.Block, res.Index = blockHash, uint64(blk.Block.Header.Number), -1
	for i, x := range blk.Block.Extrinsics {
		if bytes.Equal(x, ext) {
			res.Index = i
			break
		}
	}
	if res.Index < 0 {
		return fmt.Errorf("subtensor: %s: block %d does not contain the transaction", res.Call, res.Block)
	}
	md := c.Metadata()
	raw, ok, err := c.rpc.StateGetStorage(ctx, substrate.StoragePrefix("System", "Events"), &blockHash)
	if err != nil {
		return fmt.Errorf("subtensor: read events of block %d: %w", res.Block, err)
	}
	if !ok {
		return fmt.Errorf("subtensor: block %d has no events; cannot tell whether %s succeeded", res.Block, res.Call)
	}
	evs, err := md.DecodeEvents(raw)
	if err != nil {
		return fmt.Errorf("subtensor: decode events of block %d: %w", res.Block, err)
	}
	out, err := md.FindExtrinsicResult(evs, uint32(res.Index))
	if err != nil {
		return fmt.Errorf("subtensor: %s in block %d: %w", res.Call, res.Block, err)
	}
	for _, e := range out.Events {
		ev := Event{Pallet: e.Pallet, Name: e.Name, Fields: substrate.Value{Kind: substrate.ValComposite, Fields: e.Fields}}
		res.Events = append(res.Events, ev)
		if ev.Pallet == "TransactionPayment" && ev.Name == "TransactionFeePaid" {
			if f, ok := e.Field("actual_fee"); ok {
				v, _ := f.Uint64()
				res.Fee, res.FeeKnown = Rao(v), true
			}
		}
	}
	if !out.Success && out.Err != nil {
		res.dispatchErr = out.Err
	}
	return nil
}

// failure returns the ChainError of a failed extrinsic, or nil.
func (r *TxResult) failure() error {
	de := r.dispatchErr
	if de == nil {
		return nil
	}
	ce := &ChainError{Block: r.Block, Pallet: de.Pallet, Name: de.Name, Docs: de.Docs}
	if de.Name == "" {
		ce.Err = fmt.Errorf("%s failed: %s", r.Call, de.Error())
		switch de.Kind {
		case "BadOrigin":
			ce.Advice = Advice("*", "BadOrigin")
		case "Token":
			ce.Advice = "the account cannot pay or would drop below the existential deposit (500 rao); fund it"
		}
		return ce
	}
	ce.Advice = Advice(ce.Pallet, ce.Name)
	return ce
}
