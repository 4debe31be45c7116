package devnet

import (
	"github.com/minerkit/minerkit/scale"
)

// Sudo event indices.
const (
	evSudid      uint8 = 0
	evKeyChanged uint8 = 1
)

func callSudo(x *exec, o origin, a []any) error {
	who, err := o.signed()
	if err != nil {
		return err
	}
	key, ok := x.s.account32(keyPlain("Sudo", "Key"))
	if !ok || key != who {
		return x.rt.errs[palletSudo].err("RequireSudo")
	}
	inner := a[0].(*call)
	res := x.transactional(func() error { return x.dispatch(origin{root: true}, inner) })
	var b []byte
	if res == nil {
		b = []byte{0}
	} else {
		b = asDispatchError(res).appendSCALE([]byte{1})
	}
	x.emit(palletSudo, evSudid, b)
	return nil
}

func callSudoSetKey(x *exec, o origin, a []any) error {
	who, err := o.signed()
	if err != nil {
		return err
	}
	key, ok := x.s.account32(keyPlain("Sudo", "Key"))
	if !ok || key != who {
		return x.rt.errs[palletSudo].err("RequireSudo")
	}
	newKey := a[0].(accountID)
	x.s.putAcc(keyPlain("Sudo", "Key"), newKey)
	x.emit(palletSudo, evKeyChanged, appendAcc(append([]byte{1}, key[:]...), newKey))
	return nil
}

// ensureOwnerOrRoot allows root, or the subnet's owner for the parameters
// subnet owners may set on the real chain.
func (x *exec) ensureOwnerOrRoot(o origin, netuid uint16, ownerAllowed bool) error {
	if !x.subnetExists(netuid) {
		return x.rt.errs[palletAdminUtils].err("SubnetDoesNotExist")
	}
	if o.root {
		return nil
	}
	if !ownerAllowed {
		return errBadOrigin
	}
	owner, ok := x.s.account32(keyNet("SubnetOwner", netuid))
	if !ok || owner != o.who {
		return errBadOrigin
	}
	return nil
}

func netU16Event(netuid, v uint16) []byte { return scale.AppendU16(scale.AppendU16(nil, netuid), v) }
func netU64Event(netuid uint16, v uint64) []byte {
	return scale.AppendU64(scale.AppendU16(nil, netuid), v)
}

// adminSetter builds an AdminUtils call that sets one per-subnet parameter.
func adminSetterU64(item string, ownerAllowed bool, event uint8) callFunc {
	return func(x *exec, o origin, a []any) error {
		netuid, v := a[0].(uint16), a[1].(uint64)
		if err := x.ensureOwnerOrRoot(o, netuid, ownerAllowed); err != nil {
			return err
		}
		x.s.putU64(keyNet(item, netuid), v)
		x.emit(palletSubtensor, event, netU64Event(netuid, v))
		return nil
	}
}

func adminSetterU16(item string, ownerAllowed bool, event uint8, check func(x *exec, netuid, v uint16) error) callFunc {
	return func(x *exec, o origin, a []any) error {
		netuid, v := a[0].(uint16), a[1].(uint16)
		if err := x.ensureOwnerOrRoot(o, netuid, ownerAllowed); err != nil {
			return err
		}
		if check != nil {
			if err := check(x, netuid, v); err != nil {
				return err
			}
		}
		x.s.putU16(keyNet(item, netuid), v)
		x.emit(palletSubtensor, event, netU16Event(netuid, v))
		return nil
	}
}

func checkMaxValidators(x *exec, netuid, v uint16) error {
	if v > x.s.u16(keyNet("MaxAllowedUids", netuid), 0) {
		return x.rt.errs[palletAdminUtils].err("MaxValidatorsLargerThanMaxUIds")
	}
	return nil
}

func checkMaxUids(x *exec, netuid, v uint16) error {
	if v < x.s.u16(keyNet("SubnetworkN", netuid), 0) {
		return x.rt.errs[palletAdminUtils].err("MaxAllowedUIdsLessThanCurrentUIds")
	}
	// HEAD ensure_max_uids_over_all_mechanisms.
	if uint32(v)*uint32(x.mechanismCount(netuid)) > defaultMaxAllowedUidsChain {
		return x.stErr("TooManyUIDsPerMechanism")
	}
	return nil
}

func callSetCommitReveal(x *exec, o origin, a []any) error {
	netuid, on := a[0].(uint16), a[1].(bool)
	if err := x.ensureOwnerOrRoot(o, netuid, true); err != nil {
		return err
	}
	x.s.putBool(keyNet("CommitRevealWeightsEnabled", netuid), on)
	x.emit(palletSubtensor, evCommitRevealEnabledEvent, scale.AppendBool(scale.AppendU16(nil, netuid), on))
	return nil
}
