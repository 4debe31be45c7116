package devnet

import (
	"github.com/minerkit/minerkit/scale"
)

// Base weights reported in DispatchInfo (ref_time picoseconds); fees do
// not depend on them.
const (
	baseRefTime   = 100_000_000
	baseProofSize = 1_000
)

// produce builds, executes and commits the next block from the pool.
func (c *chain) produce() *block {
	c.buildMu.Lock()
	defer c.buildMu.Unlock()

	c.mu.RLock()
	parent := c.blocks[len(c.blocks)-1]
	candidates := append([]*checked(nil), c.pool.arrival...)
	c.mu.RUnlock()

	n := parent.header.number + 1
	ov := newOverlay(storeAt{c.st, parent.header.number})
	x := &exec{rt: c.rt, s: state{o: ov}, block: n}

	// on_initialize
	x.setPhase(phaseInitialization, 0)
	x.s.putU32(keyPlain("System", "Number"), n)
	x.s.o.set(keyPlain("System", "ParentHash"), append([]byte(nil), parent.hash[:]...))
	x.s.o.set(keyBlockHash(n-1), append([]byte(nil), parent.hash[:]...))
	if n > blockHashCount+1 {
		x.s.o.del(keyBlockHash(n - blockHashCount - 1))
	}
	for _, netuid := range c.netuids(parent.header.number) {
		x.s.o.del(keyNet("RegistrationsThisBlock", netuid))
		if netuid == 0 {
			continue
		}
		x.decayBurn(netuid)
		x.s.putU64(keyNet("PendingEmission", netuid), x.s.u64(keyNet("PendingEmission", netuid), 0)+c.rt.cfg.EmissionPerBlock)
		tempo := x.s.u16(keyNet("Tempo", netuid), 0)
		due := epochDue(uint64(n), tempo, x.s.u64(keyNet("LastEpochBlock", netuid), 0), x.s.u64(keyNet("PendingEpochAt", netuid), 0))
		if c.rt.spec218 {
			due = epochDue218(uint64(n), netuid, tempo)
		}
		if due {
			x.runEpoch(netuid)
			x.s.putU64(keyNet("LastEpochBlock", netuid), uint64(n))
			x.s.putU64(keyNet("PendingEpochAt", netuid), 0)
		}
	}

	// Apply extrinsics: arrival order, each sender's nonces in sequence.
	var included, dropped []*checked
	nowMs := c.clock(n)
	if prev := x.s.u64(keyPlain("Timestamp", "Now"), 0); nowMs <= prev {
		nowMs = prev + 1
	}
	exts := [][]byte{x.applyTimestamp(nowMs)}
	expected := make(map[accountID]uint32)
	progress := true
	done := make(map[*checked]bool)
	for progress && len(included) < c.maxTx {
		progress = false
		for _, tx := range candidates {
			if done[tx] || len(included) >= c.maxTx {
				continue
			}
			if !tx.era.Immortal() && uint64(n) >= tx.birth+tx.era.Period {
				done[tx] = true // expired while waiting (a future nonce never filled)
				dropped = append(dropped, tx)
				continue
			}
			want, ok := expected[tx.who]
			if !ok {
				want = x.s.account(tx.who).nonce
				expected[tx.who] = want
			}
			switch {
			case tx.nonce < want:
				done[tx] = true
				dropped = append(dropped, tx)
				continue
			case tx.nonce > want:
				continue
			}
			done[tx] = true
			if !c.apply(x, tx, uint32(len(exts))) {
				dropped = append(dropped, tx)
				continue
			}
			expected[tx.who] = want + 1
			included = append(included, tx)
			exts = append(exts, tx.raw)
			progress = true
		}
	}

	// on_finalize: publish this block's events.
	x.s.o.set(keyPlain("System", "Events"), x.eventsValue())
	x.s.putU32(keyPlain("System", "EventCount"), uint32(len(x.events)))
	x.s.o.del(keyPlain("System", "ExtrinsicCount"))
	x.s.o.del(keyPlain("Timestamp", "DidUpdate"))

	h := header{parent: parent.hash, number: n, stateRoot: nextStateRoot(parent.header.stateRoot, ov.changes), extrinsicsRoot: extrinsicsRoot(exts)}
	b := &block{header: h, hash: h.hash(), extrinsics: exts}

	c.mu.Lock()
	c.st.commit(n, ov.changes)
	c.appendBlock(b)
	type note struct {
		fns []func(txStatus)
		st  []txStatus
	}
	var notes []note
	for _, tx := range included {
		c.pool.remove(tx)
		if fns := c.watch[tx.hash]; fns != nil {
			if c.lag == 0 {
				notes = append(notes, note{fns, []txStatus{{kind: "inBlock", block: b.hash}, {kind: "finalized", block: b.hash}}})
			} else {
				notes = append(notes, note{fns, []txStatus{{kind: "inBlock", block: b.hash}}})
				if c.awaitFinal == nil {
					c.awaitFinal = make(map[uint32][]func(txStatus))
				}
				c.awaitFinal[n] = append(c.awaitFinal[n], fns...)
			}
			delete(c.watch, tx.hash)
		}
	}
	if c.lag > 0 && n > c.lag {
		f := n - c.lag
		if fns := c.awaitFinal[f]; fns != nil {
			notes = append(notes, note{fns, []txStatus{{kind: "finalized", block: c.blocks[f].hash}}})
			delete(c.awaitFinal, f)
		}
	}
	for _, tx := range dropped {
		c.pool.remove(tx)
		if fns := c.watch[tx.hash]; fns != nil {
			notes = append(notes, note{fns, []txStatus{{kind: "invalid"}}})
			delete(c.watch, tx.hash)
		}
	}
	c.pool.compact()
	listeners := make([]func(*block), 0, len(c.lsn))
	for _, fn := range c.lsn {
		listeners = append(listeners, fn)
	}
	c.mu.Unlock()

	for _, fn := range listeners {
		fn(b)
	}
	for _, nt := range notes {
		for _, st := range nt.st {
			for _, fn := range nt.fns {
				fn(st)
			}
		}
	}
	return b
}

// apply executes one transaction in x. It returns false when the
// transaction cannot pay its fee (then it is not included).
func (c *chain) apply(x *exec, tx *checked, index uint32) bool {
	x.setPhase(phaseApplyExtrinsic, index)
	if tx.fee > 0 {
		if err := x.debit(tx.who, tx.fee, true); err != nil {
			return false
		}
		x.addIssuance(-int64(tx.fee))
		x.emit(palletBalances, evBalancesWithdraw, scale.AppendU64(appendAcc(nil, tx.who), tx.fee))
	}
	acc := x.s.account(tx.who)
	acc.nonce++
	x.s.putAccount(tx.who, acc)
	err := x.transactional(func() error { return x.dispatch(origin{who: tx.who}, tx.call) })
	x.emit(palletTransactionPayment, evTxFeePaid, scale.AppendU64(scale.AppendU64(appendAcc(nil, tx.who), tx.fee), tx.tip))
	info := scale.AppendCompact(nil, baseRefTime)
	info = scale.AppendCompact(info, baseProofSize)
	info = append(info, 0) // DispatchClass::Normal
	if tx.call.spec.free {
		info = append(info, 1) // Pays::No
	} else {
		info = append(info, 0)
	}
	if err == nil {
		x.emit(palletSystem, evSystemExtrinsicSuccess, info)
	} else {
		x.emit(palletSystem, evSystemExtrinsicFailed, append(asDispatchError(err).appendSCALE(nil), info...))
	}
	return true
}

// netuids lists the subnets that exist at block at: the first
// TotalNetworks netuids with NetworksAdded set.
func (c *chain) netuids(at uint32) []uint16 {
	view := state{o: newOverlay(storeAt{c.st, at})}
	total := int(view.u16(keyPlain("SubtensorModule", "TotalNetworks"), 0))
	out := make([]uint16, 0, total)
	for id := 0; id <= 0xFFFF && len(out) < total; id++ {
		if view.boolean(keyNet("NetworksAdded", uint16(id)), false) {
			out = append(out, uint16(id))
		}
	}
	return out
}
