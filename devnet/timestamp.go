package devnet

import (
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// callTimestampSet is Timestamp.set, the inherent every block starts with.
// Only the block author (origin none) may call it: signed calls fail.
func callTimestampSet(x *exec, o origin, a []any) error {
	return errBadOrigin
}

// applyTimestamp applies the Timestamp.set inherent as extrinsic 0 and
// returns its encoding for the block body.
func (x *exec) applyTimestamp(nowMs uint64) []byte {
	x.setPhase(phaseApplyExtrinsic, 0)
	x.s.putU64(keyPlain("Timestamp", "Now"), nowMs)
	x.s.putBool(keyPlain("Timestamp", "DidUpdate"), true)
	info := scale.AppendCompact(nil, baseRefTime)
	info = scale.AppendCompact(info, 0)
	info = append(info, 2, 1) // DispatchClass::Mandatory, Pays::No
	x.emit(palletSystem, evSystemExtrinsicSuccess, info)
	call := scale.AppendCompact([]byte{palletTimestamp, 0}, nowMs)
	return substrate.UnsignedExtrinsic(call)
}
