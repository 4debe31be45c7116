package devnet

import (
	"github.com/minerkit/minerkit/scale"
)

const evCommitment uint8 = 0

func (x *exec) cmErr(name string) *dispatchError { return x.rt.errs[palletCommitments].err(name) }

// usage is pallet_commitments::UsageTracker: space used in the current epoch.
func (x *exec) commitmentUsage(netuid uint16, who accountID) (epoch, used uint64) {
	v, ok := x.s.o.get(keyCommit("UsedSpaceOf", netuid, who))
	if !ok || len(v) < 16 {
		return 0, 0
	}
	d := scale.NewDecoder(v)
	epoch, _ = d.U64()
	used, _ = d.U64()
	return epoch, used
}

func callSetCommitment(x *exec, o origin, a []any) error {
	who, err := o.signed()
	if err != nil {
		return err
	}
	netuid, fields := a[0].(uint16), a[1].([]commitmentData)
	if _, ok := x.uidOf(netuid, who); !ok {
		return x.cmErr("AccountNotAllowedCommit")
	}
	if uint32(len(fields)) > x.rt.cfg.CommitmentMaxFields {
		return x.cmErr("TooManyFieldsInCommitmentInfo")
	}
	// Spec 218 rate-limits commitments per account; HEAD
	// (pallets/commitments/src/lib.rs set_commitment) has no rate limit but
	// a space budget per tempo, each commitment counting at least 100 bytes.
	if limit := uint64(x.rt.cfg.CommitmentRateLimit); limit > 0 && x.rt.spec218 {
		if last, ok := x.s.o.get(keyCommit("LastCommitment", netuid, who)); ok && len(last) >= 4 {
			lb := uint64(last[0]) | uint64(last[1])<<8 | uint64(last[2])<<16 | uint64(last[3])<<24
			if uint64(x.block)-lb < limit {
				return x.cmErr("CommitmentSetRateLimitExceeded")
			}
		}
	}
	var size uint64
	for _, fd := range fields {
		size += fd.size()
	}
	size = max(size, 100)
	tempo := uint64(x.s.u16(keyNet("Tempo", netuid), 0))
	epoch := uint64(0)
	if tempo > 0 {
		epoch = uint64(x.block) / (tempo + 1)
	}
	usedEpoch, used := x.commitmentUsage(netuid, who)
	if usedEpoch != epoch {
		used = 0
	}
	if used+size > uint64(x.s.u32(keyPlain("Commitments", "MaxSpace"), x.rt.cfg.CommitmentMaxSpace)) && !x.rt.spec218 {
		return x.cmErr("SpaceLimitExceeded")
	}
	x.s.o.set(keyCommit("UsedSpaceOf", netuid, who), scale.AppendU64(scale.AppendU64(nil, epoch), used+size))
	reg := scale.AppendU64(nil, 0) // deposit
	reg = scale.AppendU32(reg, x.block)
	reg = scale.AppendVec(reg, fields, appendCommitmentData)
	x.s.o.set(keyCommit("CommitmentOf", netuid, who), reg)
	x.s.putU32(keyCommit("LastCommitment", netuid, who), x.block)
	x.emit(palletCommitments, evCommitment, appendAcc(scale.AppendU16(nil, netuid), who))
	return nil
}
