package devnet

import (
	"github.com/minerkit/minerkit/scale"
)

// origin is who dispatches a call: a signed account or root (through Sudo).
type origin struct {
	root bool
	who  accountID
}

// call is a decoded runtime call.
type call struct {
	spec *callSpec
	args []any
	raw  []byte // the call's encoding
}

// callFunc executes one call with its decoded arguments.
type callFunc func(x *exec, o origin, a []any) error

// callSpec is one call of a pallet: its metadata and its implementation.
type callSpec struct {
	pallet uint8
	index  uint8
	name   string
	args   []argSpec
	free   bool // Pays::No: no fee, as serve_axon, set_weights and set_commitment on finney
	fn     callFunc
	docs   string
}

// Event record phases (frame_system::Phase).
const (
	phaseApplyExtrinsic uint8 = 0
	phaseFinalization   uint8 = 1
	phaseInitialization uint8 = 2
)

// exec executes calls against one layer of state while a block is built.
type exec struct {
	rt     *runtime
	s      state
	block  uint32
	phase  []byte   // encoded Phase for the events emitted now
	events [][]byte // encoded EventRecords of the block so far
}

func (x *exec) setPhase(kind uint8, extrinsic uint32) {
	x.phase = append(x.phase[:0], kind)
	if kind == phaseApplyExtrinsic {
		x.phase = scale.AppendU32(x.phase, extrinsic)
	}
}

// emit records an event: pallet index, variant index and encoded fields.
func (x *exec) emit(pallet, variant uint8, fields []byte) {
	if x.rt.spec218 && pallet == palletSubtensor {
		v, ok := spec218Events[variant]
		if !ok {
			return // an event spec 218 does not have
		}
		if variant == evStakeAdded || variant == evStakeRemoved {
			fields = fields[:len(fields)-8] // no netuid-side amount before HEAD
		}
		variant = v
	}
	rec := make([]byte, 0, len(x.phase)+2+len(fields)+1)
	rec = append(rec, x.phase...)
	rec = append(rec, pallet, variant)
	rec = append(rec, fields...)
	rec = append(rec, 0) // no topics
	x.events = append(x.events, rec)
}

// transactional runs fn in a nested state layer that is kept only when fn
// succeeds; the events fn emitted are dropped with it on failure.
func (x *exec) transactional(fn func() error) error {
	parent := x.s
	nEvents := len(x.events)
	x.s = state{o: newOverlay(parent.o)}
	err := fn()
	if err == nil {
		x.s.o.mergeInto(parent.o)
	} else {
		x.events = x.events[:nEvents]
	}
	x.s = parent
	return err
}

// dispatch runs a call for an origin. A bug in a call must not stop the
// chain: a panic becomes DispatchError::Other for that extrinsic.
func (x *exec) dispatch(o origin, c *call) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errOtherDispatchFn
		}
	}()
	return c.spec.fn(x, o, c.args)
}

// signed returns the signer or BadOrigin.
func (o origin) signed() (accountID, error) {
	if o.root {
		return accountID{}, errBadOrigin
	}
	return o.who, nil
}

func appendAcc(b []byte, a accountID) []byte { return append(b, a[:]...) }

// eventsValue encodes the System.Events value of the block so far.
func (x *exec) eventsValue() []byte {
	n := 0
	for _, e := range x.events {
		n += len(e)
	}
	b := make([]byte, 0, n+5)
	b = scale.AppendCompact(b, uint64(len(x.events)))
	for _, e := range x.events {
		b = append(b, e...)
	}
	return b
}
