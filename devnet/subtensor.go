package devnet

import (
	"encoding/binary"

	"github.com/minerkit/minerkit/scale"
)

// SubtensorModule event indices (current subtensor).
const (
	evNetworkAdded             uint8 = 0
	evStakeAdded               uint8 = 2
	evStakeRemoved             uint8 = 3
	evWeightsSet               uint8 = 5
	evNeuronRegistered         uint8 = 6
	evMaxAllowedUidsSet        uint8 = 9
	evWeightsSetRateLimitSet   uint8 = 22
	evImmunityPeriodSet        uint8 = 23
	evMaxAllowedValidatorsSet  uint8 = 27
	evAxonServed               uint8 = 28
	evPrometheusServed         uint8 = 29
	evWeightsVersionKeySet     uint8 = 32
	evServingRateLimitSet      uint8 = 35
	evTempoSet                 uint8 = 52
	evCommitRevealEnabledEvent uint8 = 101
)

// spec218Events maps SubtensorModule's event indices (HEAD's, above) to
// spec 218's (its metadata); an event missing here is not emitted there.
var spec218Events = map[uint8]uint8{
	evNetworkAdded: 0, evStakeAdded: 2, evStakeRemoved: 3, evWeightsSet: 4, evNeuronRegistered: 5,
	evMaxAllowedUidsSet: 8, evWeightsSetRateLimitSet: 20, evImmunityPeriodSet: 21, evMaxAllowedValidatorsSet: 23,
	evAxonServed: 24, evPrometheusServed: 25, evWeightsVersionKeySet: 29, evServingRateLimitSet: 32, evTempoSet: 45,
}

// Per-UID vectors of a subnet, each a Vec indexed by UID (Rank, Trust and
// PruningScores only on spec 218: HEAD removed them).
var uidVectorsU16 = []string{"Rank", "Trust", "Consensus", "Incentive", "Dividends", "ValidatorTrust", "PruningScores"}

// uidVectors are the per-UID u16 vectors the presented runtime keeps.
func (x *exec) uidVectors() []string {
	if x.rt.spec218 {
		return uidVectorsU16
	}
	return []string{"Consensus", "Incentive", "Dividends", "ValidatorTrust"}
}

func (x *exec) stErr(name string) *dispatchError { return x.rt.errs[palletSubtensor].err(name) }

func (x *exec) subnetExists(netuid uint16) bool {
	return x.s.boolean(keyNet("NetworksAdded", netuid), false)
}

func (x *exec) uidOf(netuid uint16, hot accountID) (uint16, bool) {
	v, ok := x.s.o.get(keyNetHot("Uids", netuid, hot))
	if !ok || len(v) < 2 {
		return 0, false
	}
	return uint16(v[0]) | uint16(v[1])<<8, true
}

func (x *exec) hotkeyAt(netuid, uid uint16) accountID {
	a, _ := x.s.account32(keyNetUID("Keys", netuid, uid))
	return a
}

// createSubnet writes a new subnet with the given parameters.
func (x *exec) createSubnet(netuid uint16, owner, ownerHot accountID, p SubnetParams) {
	s := x.s
	s.putBool(keyNet("NetworksAdded", netuid), true)
	s.putU64(keyNet("NetworkRegisteredAt", netuid), uint64(x.block))
	s.putAcc(keyNet("SubnetOwner", netuid), owner)
	s.putAcc(keyNet("SubnetOwnerHotkey", netuid), ownerHot)
	s.putU16(keyNet("SubnetworkN", netuid), 0)
	x.setSubnetParams(netuid, p)
	x.anchorEpochs(netuid, true)
	total := s.u16(keyPlain("SubtensorModule", "TotalNetworks"), 0)
	s.putU16(keyPlain("SubtensorModule", "TotalNetworks"), total+1)
}

func (x *exec) setSubnetParams(netuid uint16, p SubnetParams) {
	s := x.s
	s.putU16(keyNet("Tempo", netuid), p.Tempo)
	s.putU64(keyNet("Burn", netuid), p.Burn)
	s.putU16(keyNet("MaxAllowedUids", netuid), p.MaxAllowedUids)
	s.putU16(keyNet("MaxAllowedValidators", netuid), p.MaxAllowedValidators)
	s.putU16(keyNet("ImmunityPeriod", netuid), p.ImmunityPeriod)
	s.putU64(keyNet("WeightsSetRateLimit", netuid), p.WeightsSetRateLimit)
	s.putU64(keyNet("ServingRateLimit", netuid), p.ServingRateLimit)
	s.putBool(keyNet("CommitRevealWeightsEnabled", netuid), p.CommitRevealWeightsEnabled)
	if p.MaxBurn == 0 { // unset in a genesis file: HEAD's default, not a cap of 0
		p.MaxBurn = defaultMaxBurn
	}
	s.putU64(keyNet("MinBurn", netuid), p.MinBurn)
	s.putU64(keyNet("MaxBurn", netuid), p.MaxBurn)
	s.putU16(keyNet("BurnHalfLife", netuid), p.BurnHalfLife)
	s.o.set(keyNet("BurnIncreaseMult", netuid), scale.AppendU128(nil, u64f64(p.BurnIncreaseMult)))
	s.putU64(keyNet("SubnetTAO", netuid), p.PoolTAO)
	s.putU64(keyNet("SubnetAlphaIn", netuid), p.PoolAlpha)
	s.putU16(keyNet("MinAllowedWeights", netuid), p.MinAllowedWeights)
	s.putU16(keyNet("MaxWeightsLimit", netuid), p.MaxWeightsLimit)
	s.putU16(keyNet("MaxRegistrationsPerBlock", netuid), p.MaxRegistrationsPerBlock)
	s.putU16(keyNet("ActivityCutoff", netuid), p.ActivityCutoff)
	s.putU16(keyNet("Kappa", netuid), p.Kappa)
	s.putU64(keyNet("BondsMovingAverage", netuid), p.BondsMovingAverage)
	s.putU64(keyNet("WeightsVersionKey", netuid), p.WeightsVersionKey)
}

// appendNeuron gives hot the next UID of netuid.
func (x *exec) appendNeuron(netuid uint16, hot accountID) uint16 {
	s := x.s
	uid := s.u16(keyNet("SubnetworkN", netuid), 0)
	s.putU16(keyNet("SubnetworkN", netuid), uid+1)
	for _, item := range x.uidVectors() {
		s.putVecU16(keyNet(item, netuid), append(s.vecU16(keyNet(item, netuid)), 0))
	}
	s.putVecU64(keyNet("Emission", netuid), append(s.vecU64(keyNet("Emission", netuid)), 0))
	s.putVecU64(keyNet("LastUpdate", netuid), append(s.vecU64(keyNet("LastUpdate", netuid)), uint64(x.block)))
	s.putVecBool(keyNet("Active", netuid), append(s.vecBool(keyNet("Active", netuid)), true))
	s.putVecBool(keyNet("ValidatorPermit", netuid), append(s.vecBool(keyNet("ValidatorPermit", netuid)), false))
	x.bindNeuron(netuid, uid, hot)
	return uid
}

// replaceNeuron gives uid to hot, dropping its previous hotkey.
func (x *exec) replaceNeuron(netuid, uid uint16, hot accountID) {
	s := x.s
	old := x.hotkeyAt(netuid, uid)
	s.o.del(keyNetHot("Uids", netuid, old))
	s.o.del(keyNetHot("Axons", netuid, old))
	s.o.del(keyNetHot("Prometheus", netuid, old))
	for m := range x.mechanismCount(netuid) {
		idx := mechIndex(netuid, m)
		s.o.del(keyNetUID("Weights", idx, uid))
		s.o.del(keyNetUID("Bonds", idx, uid))
		if m > 0 {
			if v := s.vecU64(keyNet("LastUpdate", idx)); int(uid) < len(v) {
				v[uid] = uint64(x.block)
				s.putVecU64(keyNet("LastUpdate", idx), v)
			}
			if v := s.vecU16(keyNet("Incentive", idx)); int(uid) < len(v) {
				v[uid] = 0
				s.putVecU16(keyNet("Incentive", idx), v)
			}
		}
	}
	for _, item := range x.uidVectors() {
		v := s.vecU16(keyNet(item, netuid))
		if int(uid) < len(v) {
			v[uid] = 0
			s.putVecU16(keyNet(item, netuid), v)
		}
	}
	if v := s.vecU64(keyNet("Emission", netuid)); int(uid) < len(v) {
		v[uid] = 0
		s.putVecU64(keyNet("Emission", netuid), v)
	}
	if v := s.vecU64(keyNet("LastUpdate", netuid)); int(uid) < len(v) {
		v[uid] = uint64(x.block)
		s.putVecU64(keyNet("LastUpdate", netuid), v)
	}
	if v := s.vecBool(keyNet("ValidatorPermit", netuid)); int(uid) < len(v) {
		v[uid] = false
		s.putVecBool(keyNet("ValidatorPermit", netuid), v)
	}
	x.bindNeuron(netuid, uid, hot)
}

func (x *exec) bindNeuron(netuid, uid uint16, hot accountID) {
	s := x.s
	s.putAcc(keyNetUID("Keys", netuid, uid), hot)
	s.putU16(keyNetHot("Uids", netuid, hot), uid)
	s.putU64(keyNetUID("BlockAtRegistration", netuid, uid), uint64(x.block))
}

// neuronToPrune picks the UID a registration on a full subnet replaces.
// HEAD (subnets/registration.rs get_neuron_to_prune): the lowest emission,
// then the oldest registration, then the lowest UID, among neurons that are
// neither the owner's immortal keys nor immune; an immune one only when
// MinNonImmuneUids (10) or fewer non-immune neurons remain. Spec 218: the
// lowest pruning score among non-immune neurons, none when all are immune.
func (x *exec) neuronToPrune(netuid uint16) (uint16, bool) {
	n := x.s.u16(keyNet("SubnetworkN", netuid), 0)
	immunity := uint64(x.s.u16(keyNet("ImmunityPeriod", netuid), 0))
	immune := func(uid uint16) bool {
		return uint64(x.block)-x.s.u64(keyNetUID("BlockAtRegistration", netuid, uid), 0) < immunity
	}
	if x.rt.spec218 {
		scores := x.s.vecU16(keyNet("PruningScores", netuid))
		best, found := uint16(0), false
		var bestScore uint16
		for uid := uint16(0); uid < n; uid++ {
			if immune(uid) {
				continue
			}
			var sc uint16
			if int(uid) < len(scores) {
				sc = scores[uid]
			}
			if !found || sc < bestScore {
				best, bestScore, found = uid, sc, true
			}
		}
		return best, found
	}
	immortal := x.immortalOwnerUIDs(netuid)
	emission := x.s.vecU64(keyNet("Emission", netuid))
	type cand struct {
		e, reg uint64
		uid    uint16
		ok     bool
	}
	better := func(a, b cand) bool {
		if !b.ok {
			return true
		}
		if a.e != b.e {
			return a.e < b.e
		}
		if a.reg != b.reg {
			return a.reg < b.reg
		}
		return a.uid < b.uid
	}
	var free uint16
	var bestFree, bestImmune cand
	for uid := uint16(0); uid < n; uid++ {
		if immortal[uid] {
			continue
		}
		c := cand{reg: x.s.u64(keyNetUID("BlockAtRegistration", netuid, uid), 0), uid: uid, ok: true}
		if int(uid) < len(emission) {
			c.e = emission[uid]
		}
		if immune(uid) {
			if better(c, bestImmune) {
				bestImmune = c
			}
			continue
		}
		free++
		if better(c, bestFree) {
			bestFree = c
		}
	}
	if bestFree.ok && free > minNonImmuneUids {
		return bestFree.uid, true
	}
	return bestImmune.uid, bestImmune.ok
}

// minNonImmuneUids is HEAD's DefaultMinNonImmuneUids.
const minNonImmuneUids = 10

// immortalOwnerUIDs follows HEAD get_immune_owner_tuples with
// ImmuneOwnerUidsLimit 1: the subnet owner hotkey's UID, or else the
// owner coldkey's earliest registered hotkey on the subnet.
func (x *exec) immortalOwnerUIDs(netuid uint16) map[uint16]bool {
	out := make(map[uint16]bool, 1)
	if oh, ok := x.s.account32(keyNet("SubnetOwnerHotkey", netuid)); ok {
		if uid, ok := x.uidOf(netuid, oh); ok {
			out[uid] = true
			return out
		}
	}
	cold, ok := x.s.account32(keyNet("SubnetOwner", netuid))
	if !ok {
		return out
	}
	best, found := uint16(0), false
	var bestBlock uint64
	for _, hot := range x.s.vecAcc(keyHot("OwnedHotkeys", cold)) {
		uid, ok := x.uidOf(netuid, hot)
		if !ok {
			continue
		}
		b := x.s.u64(keyNetUID("BlockAtRegistration", netuid, uid), 0)
		if !found || b < bestBlock || b == bestBlock && uid < best {
			best, bestBlock, found = uid, b, true
		}
	}
	if found {
		out[best] = true
	}
	return out
}

// associate records cold as the owner of hot, or fails if another coldkey owns it.
func (x *exec) associate(cold, hot accountID) error {
	if owner, ok := x.s.account32(keyHot("Owner", hot)); ok {
		if owner != cold {
			return x.stErr("NonAssociatedColdKey")
		}
		return nil
	}
	x.s.putAcc(keyHot("Owner", hot), cold)
	owned := x.s.vecAcc(keyHot("OwnedHotkeys", cold))
	x.s.putVecAcc(keyHot("OwnedHotkeys", cold), append(owned, hot))
	return nil
}

func callBurnedRegister(x *exec, o origin, a []any) error {
	cold, err := o.signed()
	if err != nil {
		return err
	}
	netuid, hot := a[0].(uint16), a[1].(accountID)
	if netuid == 0 {
		return x.stErr("RegistrationNotPermittedOnRootSubnet")
	}
	if !x.subnetExists(netuid) {
		return x.stErr("SubNetworkDoesNotExist")
	}
	// Spec 218 caps registrations per block; HEAD (subnets/registration.rs
	// do_register) only counts them, the burn's bump being the brake.
	regs := x.s.u16(keyNet("RegistrationsThisBlock", netuid), 0)
	if x.rt.spec218 && regs >= x.s.u16(keyNet("MaxRegistrationsPerBlock", netuid), 1) {
		return x.stErr("TooManyRegistrationsThisBlock")
	}
	if _, ok := x.uidOf(netuid, hot); ok {
		return x.stErr("HotKeyAlreadyRegisteredInSubNet")
	}
	burn := x.s.u64(keyNet("Burn", netuid), 0)
	if x.s.account(cold).free < burn {
		return x.stErr("NotEnoughBalanceToStake")
	}
	if err := x.associate(cold, hot); err != nil {
		return err
	}
	if err := x.debit(cold, burn, true); err != nil {
		return x.stErr("NotEnoughBalanceToStake")
	}
	x.addIssuance(-int64(burn))
	var uid uint16
	n := x.s.u16(keyNet("SubnetworkN", netuid), 0)
	if n < x.s.u16(keyNet("MaxAllowedUids", netuid), 0) {
		uid = x.appendNeuron(netuid, hot)
	} else {
		var ok bool
		if uid, ok = x.neuronToPrune(netuid); !ok {
			return x.stErr("NoNeuronIdAvailable")
		}
		x.replaceNeuron(netuid, uid, hot)
	}
	x.s.putU16(keyNet("RegistrationsThisBlock", netuid), regs+1)
	x.bumpBurn(netuid)
	x.emit(palletSubtensor, evNeuronRegistered, appendAcc(scale.AppendU16(scale.AppendU16(nil, netuid), uid), hot))
	return nil
}

// callRegisterLimit follows HEAD subnets/registration.rs do_register_limit:
// the caller's price cap is checked against Burn on chain, so a price that
// rose since the caller read it fails instead of being paid.
func callRegisterLimit(x *exec, o origin, a []any) error {
	netuid, limit := a[0].(uint16), a[2].(uint64)
	if netuid == 0 {
		return x.stErr("RegistrationNotPermittedOnRootSubnet")
	}
	if !x.subnetExists(netuid) {
		return x.stErr("SubNetworkDoesNotExist")
	}
	if x.s.u64(keyNet("Burn", netuid), 0) > limit {
		return x.stErr("RegistrationPriceLimitExceeded")
	}
	return callBurnedRegister(x, o, a[:2])
}

func callRegisterNetwork(x *exec, o origin, a []any) error {
	cold, err := o.signed()
	if err != nil {
		return err
	}
	hot := a[0].(accountID)
	lock := x.rt.cfg.NetworkLockCost
	if x.s.account(cold).free < lock {
		return x.stErr("NotEnoughBalanceToStake")
	}
	if err := x.associate(cold, hot); err != nil {
		return err
	}
	if err := x.debit(cold, lock, true); err != nil {
		return x.stErr("NotEnoughBalanceToStake")
	}
	netuid := uint16(1)
	for x.subnetExists(netuid) {
		netuid++
	}
	x.createSubnet(netuid, cold, hot, x.rt.cfg.SubnetDefaults)
	x.s.putU64(keyNet("SubnetLocked", netuid), lock)
	x.appendNeuron(netuid, hot)
	x.emit(palletSubtensor, evNetworkAdded, scale.AppendU16(scale.AppendU16(nil, netuid), 0))
	return nil
}

// IP address rules of subtensor's is_valid_ip_address.
func validIP(ipType uint8, ip scale.Uint128) bool {
	switch ipType {
	case 4:
		v := ip.Lo
		return ip.Hi == 0 && v != 0 && v < 0xFFFFFFFF && v != 0x7F000001
	case 6:
		zero := ip.Hi == 0 && ip.Lo == 0
		max := ip.Hi == ^uint64(0) && ip.Lo == ^uint64(0)
		loopback := ip.Hi == 0 && ip.Lo == 1
		return !zero && !max && !loopback
	}
	return false
}

// Custom transaction validity codes of subtensor's transaction extension.
const (
	customStakeTooLow    = 1
	customNotRegistered  = 10
	customInvalidIP      = 11
	customServingRate    = 12
	customInvalidPort    = 13
	customNoCustomReject = 0
)

// checkServeAxon applies serve_axon's rules, returning the module error and
// the matching pool (custom validity) code.
func (x *exec) checkServeAxon(hot accountID, netuid uint16, ip scale.Uint128, port uint16, ipType uint8) (*dispatchError, int) {
	if _, ok := x.uidOf(netuid, hot); !ok {
		return x.stErr("HotKeyNotRegisteredInNetwork"), customNotRegistered
	}
	if ipType != 4 && ipType != 6 {
		return x.stErr("InvalidIpType"), customInvalidIP
	}
	if !validIP(ipType, ip) {
		return x.stErr("InvalidIpAddress"), customInvalidIP
	}
	if port == 0 {
		return x.stErr("InvalidPort"), customInvalidPort
	}
	if prev, ok := x.s.axon(netuid, hot); ok {
		limit := x.s.u64(keyNet("ServingRateLimit", netuid), 50)
		if limit > 0 && prev.block > 0 && uint64(x.block)-prev.block < limit {
			return x.stErr("ServingRateLimitExceeded"), customServingRate
		}
	}
	return nil, customNoCustomReject
}

func callServeAxon(x *exec, o origin, a []any) error {
	hot, err := o.signed()
	if err != nil {
		return err
	}
	netuid := a[0].(uint16)
	ax := axonInfo{block: uint64(x.block), version: a[1].(uint32), ip: a[2].(scale.Uint128), port: a[3].(uint16),
		ipType: a[4].(uint8), protocol: a[5].(uint8), p1: a[6].(uint8), p2: a[7].(uint8)}
	if de, _ := x.checkServeAxon(hot, netuid, ax.ip, ax.port, ax.ipType); de != nil {
		return de
	}
	x.s.o.set(keyNetHot("Axons", netuid, hot), ax.appendSCALE(nil))
	x.emit(palletSubtensor, evAxonServed, appendAcc(scale.AppendU16(nil, netuid), hot))
	return nil
}

func callServePrometheus(x *exec, o origin, a []any) error {
	hot, err := o.signed()
	if err != nil {
		return err
	}
	netuid, version, ip, port, ipType := a[0].(uint16), a[1].(uint32), a[2].(scale.Uint128), a[3].(uint16), a[4].(uint8)
	if _, ok := x.uidOf(netuid, hot); !ok {
		return x.stErr("HotKeyNotRegisteredInNetwork")
	}
	if ipType != 4 && ipType != 6 {
		return x.stErr("InvalidIpType")
	}
	if !validIP(ipType, ip) {
		return x.stErr("InvalidIpAddress")
	}
	if port == 0 {
		return x.stErr("InvalidPort")
	}
	key := keyNetHot("Prometheus", netuid, hot)
	if prev, ok := x.s.o.get(key); ok && len(prev) >= 8 {
		last := binary.LittleEndian.Uint64(prev)
		limit := x.s.u64(keyNet("ServingRateLimit", netuid), 50)
		if limit > 0 && last > 0 && uint64(x.block)-last < limit {
			return x.stErr("ServingRateLimitExceeded")
		}
	}
	b := scale.AppendU64(nil, uint64(x.block))
	b = scale.AppendU32(b, version)
	b = scale.AppendU128(b, ip)
	b = scale.AppendU16(b, port)
	x.s.o.set(key, append(b, ipType))
	x.emit(palletSubtensor, evPrometheusServed, appendAcc(scale.AppendU16(nil, netuid), hot))
	return nil
}

func (x *exec) hotkeyStake(hot accountID, netuid uint16) uint64 {
	return x.s.u64(keyHotNet("TotalHotkeyAlpha", hot, netuid), 0)
}

func callSetWeights(x *exec, o origin, a []any) error {
	hot, err := o.signed()
	if err != nil {
		return err
	}
	netuid, dests, weights, versionKey := a[0].(uint16), a[1].([]uint16), a[2].([]uint16), a[3].(uint64)
	if !x.subnetExists(netuid) {
		return x.stErr("SubNetworkDoesNotExist")
	}
	if x.s.boolean(keyNet("CommitRevealWeightsEnabled", netuid), false) {
		return x.stErr("CommitRevealEnabled")
	}
	return x.setWeights(hot, netuid, 0, dests, weights, versionKey)
}

// setWeights is do_set_mechanism_weights: the checks of set_weights, then
// the weights and the last update stored under the mechanism's index.
func (x *exec) setWeights(hot accountID, netuid uint16, mecid uint8, dests, weights []uint16, versionKey uint64) error {
	idx := mechIndex(netuid, mecid)
	if len(dests) != len(weights) {
		return x.stErr("WeightVecNotEqualSize")
	}
	uid, ok := x.uidOf(netuid, hot)
	if !ok {
		return x.stErr("HotKeyNotRegisteredInSubNet")
	}
	// HEAD check_weights_min_stake compares the stake weight.
	if w, _, _ := x.stakeWeight(hot, netuid); w < x.s.u64(keyPlain("SubtensorModule", "StakeThreshold"), 0) {
		return x.stErr("NotEnoughStakeToSetWeights")
	}
	if versionKey < x.s.u64(keyNet("WeightsVersionKey", netuid), 0) {
		return x.stErr("IncorrectWeightVersionKey")
	}
	n := x.s.u16(keyNet("SubnetworkN", netuid), 0)
	last := x.s.vecU64(keyNet("LastUpdate", idx))
	for len(last) < int(n) { // a mechanism added after its neurons registered
		last = append(last, 0)
	}
	limit := x.s.u64(keyNet("WeightsSetRateLimit", netuid), 0)
	if int(uid) < len(last) && last[uid] > 0 && limit > 0 && uint64(x.block)-last[uid] < limit {
		return x.stErr("SettingWeightsTooFast")
	}
	selfOnly := len(dests) == 1 && dests[0] == uid
	if !selfOnly {
		permits := x.s.vecBool(keyNet("ValidatorPermit", netuid))
		if int(uid) >= len(permits) || !permits[uid] {
			return x.stErr("NeuronNoValidatorPermit")
		}
	}
	seen := make(map[uint16]bool, len(dests))
	for _, d := range dests {
		if seen[d] {
			return x.stErr("DuplicateUids")
		}
		seen[d] = true
		if d >= n {
			return x.stErr("UidVecContainInvalidOne")
		}
	}
	if len(dests) > int(n) {
		return x.stErr("UidsLengthExceedUidsInSubNet")
	}
	minW := x.s.u16(keyNet("MinAllowedWeights", netuid), 0)
	if minW > n {
		minW = n
	}
	if !selfOnly && len(dests) < int(minW) {
		return x.stErr("WeightVecLengthIsLow")
	}
	var sum, max uint64
	for _, w := range weights {
		sum += uint64(w)
		if uint64(w) > max {
			max = uint64(w)
		}
	}
	if limit := uint64(x.s.u16(keyNet("MaxWeightsLimit", netuid), 65535)); len(weights) > 1 && sum > 0 && max*65535/sum > limit {
		return x.stErr("MaxWeightExceeded")
	}
	// Stored max-upscaled, as subtensor does.
	pairs := make([][2]uint16, 0, len(dests))
	for i, d := range dests {
		if weights[i] == 0 || max == 0 {
			continue
		}
		pairs = append(pairs, [2]uint16{d, uint16(uint64(weights[i]) * 65535 / max)})
	}
	x.s.putPairs(keyNetUID("Weights", idx, uid), pairs)
	if int(uid) < len(last) {
		last[uid] = uint64(x.block)
		x.s.putVecU64(keyNet("LastUpdate", idx), last)
	}
	x.emit(palletSubtensor, evWeightsSet, scale.AppendU16(scale.AppendU16(nil, idx), uid))
	return nil
}

// addStake moves amount rao of TAO into alpha stake 1:1 (the devnet has no
// AMM pool: see the package documentation).
func (x *exec) addStakeTo(cold, hot accountID, netuid uint16, amount uint64) {
	s := x.s
	s.putU64(keyHotNet("TotalHotkeyAlpha", hot, netuid), x.hotkeyStake(hot, netuid)+amount)
	x.putAlpha(hot, cold, netuid, x.alphaOf(hot, cold, netuid)+amount)
	s.putU64(keyPlain("SubtensorModule", "TotalStake"), s.u64(keyPlain("SubtensorModule", "TotalStake"), 0)+amount)
	staking := s.vecAcc(keyHot("StakingHotkeys", cold))
	for _, h := range staking {
		if h == hot {
			return
		}
	}
	s.putVecAcc(keyHot("StakingHotkeys", cold), append(staking, hot))
}

// alphaOf reads Alpha(hot, cold, netuid): on HEAD a U64F64 whose integer
// part is the stake in rao, on spec 218 a plain u64.
func (x *exec) alphaOf(hot, cold accountID, netuid uint16) uint64 {
	v, ok := x.s.o.get(keyAlpha(hot, cold, netuid))
	switch {
	case ok && x.rt.spec218 && len(v) == 8:
		return binary.LittleEndian.Uint64(v)
	case ok && !x.rt.spec218 && len(v) == 16:
		return binary.LittleEndian.Uint64(v[8:16])
	}
	return 0
}

func (x *exec) putAlpha(hot, cold accountID, netuid uint16, v uint64) {
	if x.rt.spec218 {
		x.s.putU64(keyAlpha(hot, cold, netuid), v)
		return
	}
	x.s.o.set(keyAlpha(hot, cold, netuid), scale.AppendU128(nil, scale.Uint128{Hi: v}))
}

func callAddStake(x *exec, o origin, a []any) error {
	cold, err := o.signed()
	if err != nil {
		return err
	}
	hot, netuid, amount := a[0].(accountID), a[1].(uint16), a[2].(uint64)
	if !x.subnetExists(netuid) {
		return x.stErr("SubNetworkDoesNotExist")
	}
	if _, ok := x.s.account32(keyHot("Owner", hot)); !ok {
		return x.stErr("HotKeyAccountNotExists")
	}
	if amount == 0 || x.debit(cold, amount, true) != nil {
		return x.stErr("NotEnoughBalanceToStake")
	}
	x.addIssuance(-int64(amount))
	alpha := x.swapTaoForAlpha(netuid, amount)
	x.addStakeTo(cold, hot, netuid, alpha)
	// HEAD StakeAdded(coldkey, hotkey, tao, alpha, netuid, fee).
	b := appendAcc(appendAcc(nil, cold), hot)
	b = scale.AppendU64(scale.AppendU64(b, amount), alpha)
	x.emit(palletSubtensor, evStakeAdded, scale.AppendU64(scale.AppendU16(b, netuid), 0))
	return nil
}

func callRemoveStake(x *exec, o origin, a []any) error {
	cold, err := o.signed()
	if err != nil {
		return err
	}
	hot, netuid, amount := a[0].(accountID), a[1].(uint16), a[2].(uint64)
	if !x.subnetExists(netuid) {
		return x.stErr("SubNetworkDoesNotExist")
	}
	if amount == 0 {
		return x.stErr("StakeToWithdrawIsZero")
	}
	have := x.alphaOf(hot, cold, netuid)
	if have < amount {
		return x.stErr("NotEnoughStakeToWithdraw")
	}
	s := x.s
	x.putAlpha(hot, cold, netuid, have-amount)
	s.putU64(keyHotNet("TotalHotkeyAlpha", hot, netuid), x.hotkeyStake(hot, netuid)-amount)
	if ts := s.u64(keyPlain("SubtensorModule", "TotalStake"), 0); ts >= amount {
		s.putU64(keyPlain("SubtensorModule", "TotalStake"), ts-amount)
	}
	tao := x.swapAlphaForTao(netuid, amount)
	if err := x.credit(cold, tao); err != nil {
		return err
	}
	x.addIssuance(int64(tao))
	// HEAD StakeRemoved(coldkey, hotkey, tao, alpha, netuid, fee).
	b := appendAcc(appendAcc(nil, cold), hot)
	b = scale.AppendU64(scale.AppendU64(b, tao), amount)
	x.emit(palletSubtensor, evStakeRemoved, scale.AppendU64(scale.AppendU16(b, netuid), 0))
	return nil
}
