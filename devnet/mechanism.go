package devnet

import (
	"math/bits"

	"github.com/minerkit/minerkit/scale"
)

// Subnet mechanisms, as HEAD has them (pallets/subtensor/src/subnets/
// mechanism.rs): a subnet runs one epoch per mechanism, each with its own
// weights, bonds, last-update and incentive vectors, stored under the index
// netuid + mecid × 4096, and splits its emission between them.
const (
	globalMaxSubnetCount       = 4096 // GLOBAL_MAX_SUBNET_COUNT
	maxMechanismsPerSubnet     = 16   // MAX_MECHANISM_COUNT_PER_SUBNET
	defaultMaxMechanismCount   = 2    // DefaultMaxMechanismCount
	defaultMaxAllowedUidsChain = 256  // SubtensorInitialMaxAllowedUids (runtime/src/lib.rs)
)

// mechIndex is get_mechanism_storage_index: the key of a mechanism's
// Weights, Bonds, LastUpdate and Incentive entries (netuid itself for
// mechanism 0).
func mechIndex(netuid uint16, mecid uint8) uint16 {
	return uint16(mecid)*globalMaxSubnetCount + netuid
}

// keyNetT64 is SubtensorModule.item(netuid Twox64Concat).
func keyNetT64(item string, netuid uint16) string {
	return string(appendT64C(prefixKey("SubtensorModule", item), scale.AppendU16(nil, netuid)))
}

// mechanismCount is MechanismCountCurrent (default 1; always 1 on spec 218,
// which has no mechanisms).
func (x *exec) mechanismCount(netuid uint16) uint8 {
	if x.rt.spec218 {
		return 1
	}
	if v, ok := x.s.o.get(keyNetT64("MechanismCountCurrent", netuid)); ok && len(v) == 1 && v[0] > 0 {
		return v[0]
	}
	return 1
}

// splitEmission is split_emissions: amount shared by MechanismEmissionSplit
// (parts of 65535), evenly when unset, the rounding remainder to
// mechanism 0.
func (x *exec) splitEmission(netuid uint16, amount uint64) []uint64 {
	count := int(x.mechanismCount(netuid))
	out := make([]uint64, count)
	split := x.emissionSplit(netuid)
	if split == nil {
		for i := range out {
			out[i] = amount / uint64(count)
		}
	} else {
		for i := 0; i < count && i < len(split); i++ {
			hi, lo := bits.Mul64(amount, uint64(split[i]))
			out[i], _ = bits.Div64(hi, lo, 65535) // split[i] ≤ 65535: no overflow
		}
	}
	var sum uint64
	for _, v := range out {
		sum += v
	}
	out[0] += amount - sum
	return out
}

func (x *exec) emissionSplit(netuid uint16) []uint16 {
	v, ok := x.s.o.get(keyNetT64("MechanismEmissionSplit", netuid))
	if !ok {
		return nil
	}
	d := scale.NewDecoder(v)
	split, err := scale.DecodeVec(d, (*scale.Decoder).U16)
	if err != nil {
		return nil
	}
	return split
}

// callSetMechanismWeights is set_mechanism_weights (call 119): set_weights
// for one mechanism of the subnet.
func callSetMechanismWeights(x *exec, o origin, a []any) error {
	hot, err := o.signed()
	if err != nil {
		return err
	}
	netuid, mecid := a[0].(uint16), a[1].(uint8)
	if x.s.boolean(keyNet("CommitRevealWeightsEnabled", netuid), false) {
		return x.stErr("CommitRevealEnabled")
	}
	if !x.subnetExists(netuid) || mecid >= x.mechanismCount(netuid) {
		return x.stErr("MechanismDoesNotExist")
	}
	return x.setWeights(hot, netuid, mecid, a[2].([]uint16), a[3].([]uint16), a[4].(uint64))
}

// callSetMechanismCount is AdminUtils.sudo_set_mechanism_count (76), by the
// subnet owner or root: do_set_mechanism_count's checks, then
// update_mechanism_counts_if_needed (dropping the removed mechanisms'
// weights, bonds, incentive and last updates, and the split).
func callSetMechanismCount(x *exec, o origin, a []any) error {
	netuid, count := a[0].(uint16), a[1].(uint8)
	if err := x.ensureOwnerOrRoot(o, netuid, true); err != nil {
		return err
	}
	if !x.subnetExists(netuid) {
		return x.stErr("MechanismDoesNotExist")
	}
	maxCount := uint8(defaultMaxMechanismCount)
	if v, ok := x.s.o.get(keyPlain("SubtensorModule", "MaxMechanismCount")); ok && len(v) == 1 {
		maxCount = v[0]
	}
	if count == 0 || count > maxCount || count > maxMechanismsPerSubnet {
		return x.stErr("InvalidValue")
	}
	if uint32(x.s.u16(keyNet("MaxAllowedUids", netuid), 0))*uint32(count) > defaultMaxAllowedUidsChain {
		return x.stErr("TooManyUIDsPerMechanism")
	}
	old := x.mechanismCount(netuid)
	if old == count {
		return nil
	}
	n := x.s.u16(keyNet("SubnetworkN", netuid), 0)
	for m := count; m < old; m++ {
		idx := mechIndex(netuid, m)
		for uid := uint16(0); uid < n; uid++ {
			x.s.o.del(keyNetUID("Weights", idx, uid))
			x.s.o.del(keyNetUID("Bonds", idx, uid))
		}
		x.s.o.del(keyNet("Incentive", idx))
		x.s.o.del(keyNet("LastUpdate", idx))
	}
	x.s.o.set(keyNetT64("MechanismCountCurrent", netuid), []byte{count})
	x.s.o.del(keyNetT64("MechanismEmissionSplit", netuid))
	return nil
}

// callSetMechanismEmissionSplit is AdminUtils.sudo_set_mechanism_emission_split
// (77): do_set_emission_split, parts of 65535 that add up to 65535, at
// most one per mechanism; None resets to even.
func callSetMechanismEmissionSplit(x *exec, o origin, a []any) error {
	netuid, split := a[0].(uint16), a[1].([]uint16)
	if err := x.ensureOwnerOrRoot(o, netuid, true); err != nil {
		return err
	}
	if !x.subnetExists(netuid) {
		return x.stErr("MechanismDoesNotExist")
	}
	if split == nil {
		x.s.o.del(keyNetT64("MechanismEmissionSplit", netuid))
		return nil
	}
	if len(split) == 0 || len(split) > int(x.mechanismCount(netuid)) {
		return x.stErr("InvalidValue")
	}
	var total uint64
	for _, v := range split {
		total += uint64(v)
	}
	if total != 65535 {
		return x.stErr("InvalidValue")
	}
	x.s.o.set(keyNetT64("MechanismEmissionSplit", netuid), scale.AppendVec(nil, split, scale.AppendU16))
	return nil
}
