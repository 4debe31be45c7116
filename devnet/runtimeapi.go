package devnet

import (
	"fmt"

	"github.com/minerkit/minerkit/scale"
)

// runtimeCall answers state_call for the runtime APIs the devnet declares.
func (n *Node) runtimeCall(method string, in []byte, b *block) ([]byte, error) {
	d := scale.NewDecoder(in)
	st := n.chain.stateAt(b)
	x := &exec{rt: n.rt, s: st, block: b.header.number}
	switch method {
	case "Core_version":
		return n.rt.runtimeVersionSCALE(), nil
	case "Metadata_metadata":
		return scale.AppendBytes(nil, n.rt.metaBytes), nil
	case "Metadata_metadata_versions":
		return scale.AppendVec(nil, []uint32{14, 15}, scale.AppendU32), nil
	case "Metadata_metadata_at_version":
		v, err := d.U32()
		if err != nil {
			return nil, fmt.Errorf("metadata_at_version: %w", err)
		}
		switch v {
		case 14:
			return scale.AppendBytes([]byte{1}, n.rt.metaBytes), nil
		case 15:
			return scale.AppendBytes([]byte{1}, n.rt.metaV15), nil
		}
		return []byte{0}, nil
	case "AccountNonceApi_account_nonce":
		who, err := decodeAccount(d)
		if err != nil {
			return nil, fmt.Errorf("account_nonce: %w", err)
		}
		return scale.AppendU32(nil, st.account(who).nonce), nil
	case "TransactionPaymentApi_query_info", "TransactionPaymentApi_query_fee_details":
		// (uxt: Extrinsic, len: u32); the extrinsic carries its own length prefix.
		rest := d.Rest()
		if len(rest) < 4 {
			return nil, fmt.Errorf("query_info: input too short")
		}
		fee, err := n.queryFee(rest[:len(rest)-4])
		if err != nil {
			return nil, err
		}
		if method == "TransactionPaymentApi_query_fee_details" {
			// FeeDetails{inclusion_fee: Option<InclusionFee{base, len, adjusted_weight}>, tip}
			out := []byte{1}
			out = scale.AppendU64(out, n.genesis.FeeBase)
			out = scale.AppendU64(out, fee-min(fee, n.genesis.FeeBase))
			out = scale.AppendU64(out, 0)
			return scale.AppendU64(out, 0), nil
		}
		out := scale.AppendCompact(nil, baseRefTime)
		out = scale.AppendCompact(out, baseProofSize)
		out = append(out, 0) // Normal
		return scale.AppendU64(out, fee), nil
	case "TaggedTransactionQueue_validate_transaction":
		// (source: TransactionSource, tx: Extrinsic, block_hash: H256)
		if len(in) < 1+1+32 {
			return nil, fmt.Errorf("validate_transaction: input too short")
		}
		return n.validateTransaction(in[1 : len(in)-32])
	case "NeuronInfoRuntimeApi_get_neurons_lite":
		netuid, err := d.U16()
		if err != nil {
			return nil, fmt.Errorf("get_neurons_lite: %w", err)
		}
		if !x.subnetExists(netuid) {
			return []byte{0}, nil
		}
		count := st.u16(keyNet("SubnetworkN", netuid), 0)
		out := scale.AppendCompact(nil, uint64(count))
		vecs := x.loadVectors(netuid)
		for uid := uint16(0); uid < count; uid++ {
			out = x.appendNeuronLite(out, netuid, uid, vecs)
		}
		if n.rt.spec218 {
			return scale.AppendBytes(nil, out), nil
		}
		return out, nil
	case "NeuronInfoRuntimeApi_get_neuron_lite":
		netuid, err := d.U16()
		if err != nil {
			return nil, fmt.Errorf("get_neuron_lite: %w", err)
		}
		uid, err := d.U16()
		if err != nil {
			return nil, fmt.Errorf("get_neuron_lite: %w", err)
		}
		if !x.subnetExists(netuid) || uid >= st.u16(keyNet("SubnetworkN", netuid), 0) {
			return []byte{0}, nil
		}
		if n.rt.spec218 {
			return scale.AppendBytes(nil, x.appendNeuronLite(nil, netuid, uid, x.loadVectors(netuid))), nil
		}
		return x.appendNeuronLite([]byte{1}, netuid, uid, x.loadVectors(netuid)), nil
	case "SubnetInfoRuntimeApi_get_metagraph":
		if n.rt.spec218 {
			break
		}
		netuid, err := d.U16()
		if err != nil {
			return nil, fmt.Errorf("get_metagraph: %w", err)
		}
		if !x.subnetExists(netuid) {
			return []byte{0}, nil
		}
		return x.appendMetagraph([]byte{1}, netuid, netuid), nil
	case "SubnetInfoRuntimeApi_get_mechagraph":
		if n.rt.spec218 {
			break
		}
		netuid, err := d.U16()
		if err != nil {
			return nil, fmt.Errorf("get_mechagraph: %w", err)
		}
		mecid, err := d.U8()
		if err != nil {
			return nil, fmt.Errorf("get_mechagraph: %w", err)
		}
		if !x.subnetExists(netuid) || mecid >= x.mechanismCount(netuid) {
			return []byte{0}, nil
		}
		return x.appendMetagraph([]byte{1}, netuid, mechIndex(netuid, mecid)), nil
	}
	return nil, fmt.Errorf("devnet does not implement runtime API method %s (see rpc_methods and the devnet documentation)", method)
}

// queryFee decodes an extrinsic (signature not checked) and returns its fee.
func (n *Node) queryFee(raw []byte) (uint64, error) {
	x, err := n.rt.meta.DecodeExtrinsic(raw)
	if err != nil {
		return 0, err
	}
	d := scale.NewDecoder(x.CallBytes)
	c, err := n.rt.decodeCall(d, 0)
	if err != nil {
		return 0, err
	}
	return n.rt.fee(c, len(raw), x.Tip.Lo), nil
}

// subnetVectors holds a subnet's per-UID vectors, read once per call.
type subnetVectors struct {
	u16  map[string][]uint16
	u64  map[string][]uint64
	bool map[string][]bool
}

func (x *exec) loadVectors(netuid uint16) *subnetVectors {
	v := &subnetVectors{u16: map[string][]uint16{}, u64: map[string][]uint64{}, bool: map[string][]bool{}}
	for _, item := range uidVectorsU16 {
		v.u16[item] = x.s.vecU16(keyNet(item, netuid))
	}
	for _, item := range []string{"Emission", "LastUpdate"} {
		v.u64[item] = x.s.vecU64(keyNet(item, netuid))
	}
	for _, item := range []string{"Active", "ValidatorPermit"} {
		v.bool[item] = x.s.vecBool(keyNet(item, netuid))
	}
	return v
}

func (v *subnetVectors) U16(item string, uid uint16) uint16 {
	if s := v.u16[item]; int(uid) < len(s) {
		return s[uid]
	}
	return 0
}

func (v *subnetVectors) U64(item string, uid uint16) uint64 {
	if s := v.u64[item]; int(uid) < len(s) {
		return s[uid]
	}
	return 0
}

func (v *subnetVectors) Bool(item string, uid uint16) bool {
	s := v.bool[item]
	return int(uid) < len(s) && s[uid]
}

// appendNeuronLite encodes NeuronInfoLite for one UID.
func (x *exec) appendNeuronLite(b []byte, netuid, uid uint16, v *subnetVectors) []byte {
	hot := x.hotkeyAt(netuid, uid)
	cold, ok := x.s.account32(keyHot("Owner", hot))
	if !ok {
		cold = hot
	}
	b = appendAcc(b, hot)
	b = appendAcc(b, cold)
	b = scale.AppendCompact(b, uint64(uid))
	b = scale.AppendCompact(b, uint64(netuid))
	b = scale.AppendBool(b, v.Bool("Active", uid))
	ax, _ := x.s.axon(netuid, hot)
	b = ax.appendSCALE(b)
	if p, ok := x.s.o.get(keyNetHot("Prometheus", netuid, hot)); ok && len(p) == 8+4+16+2+1 {
		b = append(b, p...)
	} else {
		b = append(b, make([]byte, 8+4+16+2+1)...)
	}
	// HEAD rpc_info/neuron_info.rs get_neuron_lite: one stake entry, the
	// owner coldkey with TotalHotkeyAlpha; rank, trust and pruning score are
	// no longer computed (0). Spec 218 lists no stake at all (its list
	// read a storage map that alpha stake no longer fills) but still has
	// rank, trust and pruning scores.
	if x.rt.spec218 {
		b = scale.AppendCompact(b, 0)
	} else {
		b = scale.AppendCompact(b, 1)
		b = appendAcc(b, cold)
		b = scale.AppendCompact(b, x.hotkeyStake(hot, netuid))
	}
	b = scale.AppendCompact(b, uint64(v.U16("Rank", uid)))
	b = scale.AppendCompact(b, v.U64("Emission", uid))
	b = scale.AppendCompact(b, uint64(v.U16("Incentive", uid)))
	b = scale.AppendCompact(b, uint64(v.U16("Consensus", uid)))
	b = scale.AppendCompact(b, uint64(v.U16("Trust", uid)))
	b = scale.AppendCompact(b, uint64(v.U16("ValidatorTrust", uid)))
	b = scale.AppendCompact(b, uint64(v.U16("Dividends", uid)))
	b = scale.AppendCompact(b, v.U64("LastUpdate", uid))
	b = scale.AppendBool(b, v.Bool("ValidatorPermit", uid))
	return scale.AppendCompact(b, uint64(v.U16("PruningScores", uid)))
}

// appendMetagraph encodes the Metagraph struct of current subtensor
// runtimes (the layout minerkit's subtensor package decodes). Fields the
// devnet does not model (dTAO pool state, identities, difficulty) are zero.
//
// idx is the mechanism's storage index (netuid for mechanism 0): HEAD
// get_mechagraph is get_metagraph with netuid, last_update and incentives
// those of the mechanism (rpc_info/metagraph.rs).
func (x *exec) appendMetagraph(b []byte, netuid, idx uint16) []byte {
	s := x.s
	c := func(v uint64) { b = scale.AppendCompact(b, v) }
	name := fmt.Sprintf("devnet subnet %d", netuid)
	cb := func(str string) {
		c(uint64(len(str)))
		for i := 0; i < len(str); i++ {
			c(uint64(str[i]))
		}
	}
	n := s.u16(keyNet("SubnetworkN", netuid), 0)
	c(uint64(idx))
	cb(name)
	cb("τ")
	b = append(b, 0) // identity: None
	c(s.u64(keyNet("NetworkRegisteredAt", netuid), 0))
	ownerHot, _ := s.account32(keyNet("SubnetOwnerHotkey", netuid))
	ownerCold, _ := s.account32(keyNet("SubnetOwner", netuid))
	b = appendAcc(b, ownerHot)
	b = appendAcc(b, ownerCold)
	c(uint64(x.block))
	tempo := s.u16(keyNet("Tempo", netuid), 0)
	c(uint64(tempo))
	last := s.u64(keyNet("LastEpochBlock", netuid), 0)
	c(last)                                         // last_step
	c(uint64(x.block) - min(last, uint64(x.block))) // blocks_since_last_step
	c(x.rt.cfg.EmissionPerBlock)
	c(s.u64(keyNet("SubnetAlphaIn", netuid), 0)) // alpha_in
	c(0)                                         // alpha_out
	c(s.u64(keyNet("SubnetTAO", netuid), 0))     // tao_in
	for i := 0; i < 5; i++ {                     // alpha_out_emission … pending_root_emission
		c(0)
	}
	b = scale.AppendCompactU128(b, scale.Uint128{})
	b = scale.AppendI128(b, scale.I128From64(1<<32)) // moving_price 1.0 (I96F32)
	c(10)                                            // rho
	c(uint64(s.u16(keyNet("Kappa", netuid), 32767)))
	c(uint64(s.u16(keyNet("MinAllowedWeights", netuid), 0)))
	c(uint64(s.u16(keyNet("MaxWeightsLimit", netuid), 65535)))
	c(s.u64(keyNet("WeightsVersionKey", netuid), 0))
	c(s.u64(keyNet("WeightsSetRateLimit", netuid), 0))
	c(uint64(s.u16(keyNet("ActivityCutoff", netuid), 5000)))
	c(uint64(s.u16(keyNet("MaxAllowedValidators", netuid), 0)))
	c(uint64(n))
	c(uint64(s.u16(keyNet("MaxAllowedUids", netuid), 0)))
	burn := s.u64(keyNet("Burn", netuid), 0)
	c(burn)
	c(0)                           // difficulty
	b = scale.AppendBool(b, true)  // registration_allowed
	b = scale.AppendBool(b, false) // pow_registration_allowed
	c(uint64(s.u16(keyNet("ImmunityPeriod", netuid), 0)))
	c(0) // min_difficulty
	c(0) // max_difficulty
	c(burn)
	c(burn)
	c(0) // adjustment_alpha
	c(0) // adjustment_interval
	c(0) // target_regs_per_interval
	c(uint64(s.u16(keyNet("MaxRegistrationsPerBlock", netuid), 1)))
	c(s.u64(keyNet("ServingRateLimit", netuid), 0))
	b = scale.AppendBool(b, s.boolean(keyNet("CommitRevealWeightsEnabled", netuid), false))
	c(1)                           // commit_reveal_period
	b = scale.AppendBool(b, false) // liquid_alpha_enabled
	c(0)
	c(0)
	c(s.u64(keyNet("BondsMovingAverage", netuid), 900_000))
	hots := make([]accountID, n)
	colds := make([]accountID, n)
	for uid := uint16(0); uid < n; uid++ {
		hots[uid] = x.hotkeyAt(netuid, uid)
		colds[uid], _ = s.account32(keyHot("Owner", hots[uid]))
	}
	accts := func(v []accountID) {
		c(uint64(len(v)))
		for _, a := range v {
			b = appendAcc(b, a)
		}
	}
	accts(hots)
	accts(colds)
	c(uint64(n)) // identities: all None
	for i := uint16(0); i < n; i++ {
		b = append(b, 0)
	}
	c(uint64(n))
	for _, h := range hots {
		ax, _ := s.axon(netuid, h)
		b = ax.appendSCALE(b)
	}
	bools := func(item string) {
		v := s.vecBool(keyNet(item, netuid))
		c(uint64(len(v)))
		for _, x := range v {
			b = scale.AppendBool(b, x)
		}
	}
	u16s := func(item string, key uint16) {
		v := s.vecU16(keyNet(item, key))
		c(uint64(len(v)))
		for _, x := range v {
			c(uint64(x))
		}
	}
	u64s := func(item string, key uint16) {
		v := s.vecU64(keyNet(item, key))
		c(uint64(len(v)))
		for _, x := range v {
			c(x)
		}
	}
	bools("Active")
	bools("ValidatorPermit")
	c(0) // pruning_score: empty since HEAD stopped computing it (rpc_info/metagraph.rs)
	u64s("LastUpdate", idx)
	u64s("Emission", netuid)
	u16s("Dividends", netuid)
	u16s("Incentive", idx)
	u16s("Consensus", netuid)
	c(0) // trust: empty (HEAD)
	c(0) // rank: empty (HEAD)
	c(uint64(n))
	for uid := uint16(0); uid < n; uid++ {
		c(s.u64(keyNetUID("BlockAtRegistration", netuid, uid), 0))
	}
	// HEAD rpc_info/metagraph.rs: alpha_stake, tao_stake and total_stake
	// are get_stake_weights_for_network's three vectors.
	alphas, roots, weights := make([]uint64, n), make([]uint64, n), make([]uint64, n)
	for i, h := range hots {
		weights[i], alphas[i], roots[i] = x.stakeWeight(h, netuid)
	}
	for _, v := range [][]uint64{alphas, roots, weights} {
		c(uint64(len(v)))
		for _, s := range v {
			c(s)
		}
	}
	c(0) // tao_dividends_per_hotkey
	c(0) // alpha_dividends_per_hotkey
	return b
}
