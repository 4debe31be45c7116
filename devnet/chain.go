package devnet

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
	"golang.org/x/crypto/blake2b"
)

// chain holds the blocks, the state and the transaction pool, and builds
// blocks. Finality is instant: every block is final once produced.
type chain struct {
	rt *runtime
	st *store

	mu      sync.RWMutex // guards the fields below
	blocks  []*block     // by number
	byHash  map[[32]byte]uint32
	pool    *pool
	watch   map[[32]byte][]func(txStatus)
	lsn     map[int]func(*block)
	nextLsn int

	buildMu sync.Mutex // serializes block production
	maxTx   int        // extrinsics per block
	// lag is how many blocks finality trails the head (0: instant).
	lag uint32
	// awaitFinal holds, per block number, the watchers of the transactions
	// it included, until the block is final (lag > 0).
	awaitFinal map[uint32][]func(txStatus)
	// now gives block n's timestamp in Unix milliseconds.
	now func(n uint32) uint64
}

// txStatus is one author_extrinsicUpdate notification.
type txStatus struct {
	kind  string   // ready, future, inBlock, finalized, usurped, invalid, dropped
	block [32]byte // the block (inBlock, finalized) or the replacing transaction (usurped)
}

func (s txStatus) json() any {
	switch s.kind {
	case "inBlock", "finalized", "usurped":
		return map[string]string{s.kind: hexHash(s.block)}
	}
	return s.kind
}

func newChain(rt *runtime, g *Genesis, ids accountIDs) (*chain, error) {
	c := &chain{rt: rt, st: newStore(0), byHash: make(map[[32]byte]uint32), pool: newPool(),
		watch: make(map[[32]byte][]func(txStatus)), lsn: make(map[int]func(*block)), maxTx: 4096}
	x := &exec{rt: rt, s: state{o: newOverlay(storeAt{c.st, 0})}}
	x.setPhase(phaseInitialization, 0)
	if err := g.build(x, ids); err != nil {
		return nil, err
	}
	x.s.putU32(keyPlain("System", "Number"), 0)
	c.st.commit(0, x.s.o.changes)
	h := header{number: 0, stateRoot: nextStateRoot([32]byte{}, x.s.o.changes), extrinsicsRoot: extrinsicsRoot(nil)}
	c.appendBlock(&block{header: h, hash: h.hash()})
	return c, nil
}

func (c *chain) appendBlock(b *block) {
	c.blocks = append(c.blocks, b)
	c.byHash[b.hash] = b.header.number
}

func (c *chain) genesisHash() [32]byte {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.blocks[0].hash
}

// finalized returns the latest final block: the head, or lag blocks behind it.
func (c *chain) finalized() *block {
	c.mu.RLock()
	defer c.mu.RUnlock()
	h := uint32(len(c.blocks) - 1)
	if h <= c.lag {
		return c.blocks[0]
	}
	return c.blocks[h-c.lag]
}

func (c *chain) head() *block {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.blocks[len(c.blocks)-1]
}

func (c *chain) blockByNumber(n uint64) (*block, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if n >= uint64(len(c.blocks)) {
		return nil, false
	}
	return c.blocks[n], true
}

func (c *chain) blockByHash(h [32]byte) (*block, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n, ok := c.byHash[h]
	if !ok {
		return nil, false
	}
	return c.blocks[n], true
}

// stateAt returns a read-only view of the state after block b.
func (c *chain) stateAt(b *block) state {
	return state{o: newOverlay(storeAt{c.st, b.header.number})}
}

// clock returns block n's timestamp: c.now, or the wall clock.
func (c *chain) clock(n uint32) uint64 {
	if c.now != nil {
		return c.now(n)
	}
	return uint64(time.Now().UnixMilli())
}

// listen registers fn to run after every new block; it returns a cancel func.
func (c *chain) listen(fn func(*block)) func() {
	c.mu.Lock()
	id := c.nextLsn
	c.nextLsn++
	c.lsn[id] = fn
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		delete(c.lsn, id)
		c.mu.Unlock()
	}
}

// TxError is a transaction pool rejection, carried to clients as a
// JSON-RPC error with Substrate's code (1010 invalid, 1011 unknown, 1012
// temporarily banned, 1013 already imported, 1014 priority too low).
type TxError struct {
	Code    int
	Message string
	Data    string
}

func (e *TxError) Error() string { return fmt.Sprintf("devnet: %d %s: %s", e.Code, e.Message, e.Data) }

func invalidTx(data string) *TxError {
	return &TxError{Code: 1010, Message: "Invalid Transaction", Data: data}
}

// Validity messages, worded as Substrate words them.
const (
	msgBadSignature = "Transaction has a bad signature"
	msgStale        = "Transaction is outdated"
	msgPayment      = "Inability to pay some fees (e.g. account balance too low)"
	msgAncientBirth = "Transaction has an ancient birth block"
	msgExhausts     = "Transaction would exhaust the block limits"
)

// fee returns what a transaction pays: the devnet's fixed base and per-byte
// fee for paying calls, plus the tip.
func (rt *runtime) fee(c *call, length int, tip uint64) uint64 {
	if c.spec.free {
		return tip
	}
	return rt.cfg.FeeBase + rt.cfg.FeePerByte*uint64(length) + tip
}

// checked is a decoded, signature-checked transaction.
type checked struct {
	raw   []byte
	hash  [32]byte
	who   accountID
	nonce uint32
	tip   uint64
	era   substrate.Era
	birth uint64 // the era's birth block as validated
	call  *call
	fee   uint64
}

// check decodes and verifies a submitted extrinsic against the head. It
// takes no lock but the chain's read lock; the signature check is the
// expensive part and runs concurrently for concurrent submitters.
func (c *chain) check(raw []byte) (*checked, error) {
	meta := c.rt.meta
	x, err := meta.DecodeExtrinsic(raw)
	if err != nil {
		return nil, &TxError{Code: 1001, Message: "Extrinsic has invalid format", Data: err.Error()}
	}
	if !x.Signed {
		return nil, &TxError{Code: 1011, Message: "Unknown Transaction Validity", Data: "Could not find an unsigned validator for the unsigned transaction"}
	}
	if !x.HasSigner {
		return nil, &TxError{Code: 1010, Message: "Invalid Transaction", Data: "Transaction call is not expected"}
	}
	d := scale.NewDecoder(x.CallBytes)
	cl, err := c.rt.decodeCall(d, 0)
	if err == nil {
		err = d.Finish()
	}
	if err != nil {
		return nil, &TxError{Code: 1001, Message: "Extrinsic has invalid format", Data: err.Error()}
	}
	if x.Nonce > 0xFFFFFFFF || !x.Tip.IsUint64() {
		return nil, invalidTx(msgPayment)
	}
	head := c.head()
	current := uint64(head.header.number)
	genesis := c.genesisHash()
	birthHash := genesis
	var birth uint64
	if !x.Era.Immortal() {
		birth = x.Era.Birth(current)
		if birth > current {
			return nil, invalidTx(msgAncientBirth)
		}
		birthHash = [32]byte{}
		if current-birth < blockHashCount {
			if b, ok := c.blockByNumber(birth); ok {
				birthHash = b.hash
			}
		}
	}
	opts := &substrate.SignOptions{SpecVersion: c.rt.version, TxVersion: transactionVersion, GenesisHash: genesis, BirthHash: birthHash}
	if err := meta.VerifyExtrinsic(x, opts); err != nil {
		if errors.Is(err, substrate.ErrBadSignature) {
			return nil, invalidTx(msgBadSignature)
		}
		return nil, invalidTx(msgBadSignature + ": " + err.Error())
	}
	tip := x.Tip.Lo
	return &checked{raw: append([]byte(nil), raw...), hash: blake2b.Sum256(raw), who: x.Signer, nonce: uint32(x.Nonce),
		tip: tip, era: x.Era, birth: birth, call: cl, fee: c.rt.fee(cl, len(raw), tip)}, nil
}

// submit validates raw and adds it to the pool. watch, if non-nil, gets
// the transaction's status updates (starting with ready or future).
func (c *chain) submit(raw []byte, watch func(txStatus)) ([32]byte, error) {
	tx, err := c.check(raw)
	if err != nil {
		return [32]byte{}, err
	}
	c.mu.Lock()
	head := c.blocks[len(c.blocks)-1]
	view := state{o: newOverlay(storeAt{c.st, head.header.number})}
	acc := view.account(tx.who)
	if tx.nonce < acc.nonce {
		c.mu.Unlock()
		return tx.hash, invalidTx(msgStale)
	}
	if _, dup := c.pool.byHash[tx.hash]; dup {
		c.mu.Unlock()
		return tx.hash, &TxError{Code: 1013, Message: "Transaction Already Imported", Data: "Transaction is already in the pool"}
	}
	var usurped []func(txStatus)
	if other := c.pool.get(tx.who, tx.nonce); other != nil {
		// Same sender and nonce: a higher tip replaces the pending one.
		if tx.tip <= other.tip {
			c.mu.Unlock()
			return tx.hash, &TxError{Code: 1014, Message: "Priority is too low", Data: fmt.Sprintf("(%d vs %d)", tx.tip, other.tip)}
		}
		c.pool.remove(other)
		c.pool.compact()
		usurped = c.watch[other.hash]
		delete(c.watch, other.hash)
	}
	if tx.fee > 0 && acc.free < tx.fee+c.rt.cfg.ExistentialDeposit {
		c.mu.Unlock()
		return tx.hash, invalidTx(msgPayment)
	}
	if code := c.customCheck(view, head.header.number+1, tx); code != 0 {
		c.mu.Unlock()
		return tx.hash, invalidTx(fmt.Sprintf("Custom error: %d", code))
	}
	if c.pool.len() >= maxPool {
		c.mu.Unlock()
		return tx.hash, &TxError{Code: 1016, Message: "Immediately Dropped", Data: "the transaction pool is full; retry after the next block"}
	}
	ready := tx.nonce == acc.nonce+uint32(c.pool.readyFrom(tx.who, acc.nonce))
	c.pool.add(tx)
	if watch != nil {
		c.watch[tx.hash] = append(c.watch[tx.hash], watch)
	}
	c.mu.Unlock()
	for _, fn := range usurped {
		fn(txStatus{kind: "usurped", block: tx.hash})
	}
	if watch != nil {
		if ready {
			watch(txStatus{kind: "ready"})
		} else {
			watch(txStatus{kind: "future"})
		}
	}
	return tx.hash, nil
}

// maxPool bounds the transaction pool.
const maxPool = 65536

// customCheck applies the subtensor transaction extension's pool checks.
func (c *chain) customCheck(view state, next uint32, tx *checked) int {
	x := &exec{rt: c.rt, s: view, block: next}
	a := tx.call.args
	switch {
	case tx.call.spec.pallet == palletSubtensor && tx.call.spec.name == "serve_axon":
		_, code := x.checkServeAxon(tx.who, a[0].(uint16), a[2].(scale.Uint128), a[3].(uint16), a[4].(uint8))
		return code
	case tx.call.spec.pallet == palletSubtensor && tx.call.spec.name == "set_weights":
		if w, _, _ := x.stakeWeight(tx.who, a[0].(uint16)); w < view.u64(keyPlain("SubtensorModule", "StakeThreshold"), 0) {
			return customStakeTooLow
		}
	}
	return 0
}

// pool holds submitted transactions until a block includes them.
type pool struct {
	byHash   map[[32]byte]*checked
	bySender map[accountID]map[uint32]*checked
	arrival  []*checked
}

func newPool() *pool {
	return &pool{byHash: make(map[[32]byte]*checked), bySender: make(map[accountID]map[uint32]*checked)}
}

func (p *pool) len() int { return len(p.byHash) }

func (p *pool) get(who accountID, nonce uint32) *checked { return p.bySender[who][nonce] }

// readyFrom counts the consecutive nonces of who pending from nonce on.
func (p *pool) readyFrom(who accountID, nonce uint32) int {
	m := p.bySender[who]
	n := 0
	for m[nonce+uint32(n)] != nil {
		n++
	}
	return n
}

func (p *pool) add(tx *checked) {
	p.byHash[tx.hash] = tx
	m := p.bySender[tx.who]
	if m == nil {
		m = make(map[uint32]*checked)
		p.bySender[tx.who] = m
	}
	m[tx.nonce] = tx
	p.arrival = append(p.arrival, tx)
}

func (p *pool) remove(tx *checked) {
	delete(p.byHash, tx.hash)
	if m := p.bySender[tx.who]; m != nil {
		delete(m, tx.nonce)
		if len(m) == 0 {
			delete(p.bySender, tx.who)
		}
	}
}

// compact drops removed transactions from the arrival order.
func (p *pool) compact() {
	out := p.arrival[:0]
	for _, tx := range p.arrival {
		if p.byHash[tx.hash] == tx {
			out = append(out, tx)
		}
	}
	for i := len(out); i < len(p.arrival); i++ {
		p.arrival[i] = nil
	}
	p.arrival = out
}
