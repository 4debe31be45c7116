package devnet

import (
	"fmt"
	"sort"

	"github.com/minerkit/minerkit/internal/metabuild"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// metaBuilder describes the devnet's pallets to substrate's metadata
// builder: the same registry model, encoder and decoder the minerkit client
// uses, so both sides agree by construction.
type metaBuilder struct {
	rt *runtime
	mb *metabuild.MetadataBuilder
	b  *metabuild.RegistryBuilder

	cache map[string]substrate.TypeID
}

func (m *metaBuilder) once(key string, mk func() substrate.TypeID) substrate.TypeID {
	if id, ok := m.cache[key]; ok {
		return id
	}
	id := mk()
	m.cache[key] = id
	return id
}

func (m *metaBuilder) prim(p substrate.Primitive) substrate.TypeID { return m.b.Primitive(p) }

func (m *metaBuilder) weight() substrate.TypeID {
	return m.once("Weight", func() substrate.TypeID {
		c := m.b.Compact(m.prim(substrate.PrimU64))
		return m.b.Composite([]string{"sp_weights", "weight_v2", "Weight"}, metabuild.FT("ref_time", c, "u64"), metabuild.FT("proof_size", c, "u64"))
	})
}

func (m *metaBuilder) boundedBytes() substrate.TypeID {
	return m.once("BoundedBytes", func() substrate.TypeID {
		return m.b.Composite([]string{"bounded_collections", "bounded_vec", "BoundedVec"}, substrate.Field{Type: m.b.Bytes(), TypeName: "Vec<T>"})
	})
}

func (m *metaBuilder) commitmentData() substrate.TypeID {
	return m.once("Data", func() substrate.TypeID {
		u8 := m.prim(substrate.PrimU8)
		vs := make([]substrate.Variant, 0, 137)
		vs = append(vs, metabuild.V("None", 0))
		for n := 0; n <= 128; n++ {
			vs = append(vs, metabuild.V(fmt.Sprintf("Raw%d", n), uint8(n+1), substrate.Field{Type: m.b.Array(uint32(n), u8)}))
		}
		h := m.b.Array(32, u8)
		for i, name := range []string{"BlakeTwo256", "Sha256", "Keccak256", "ShaThree256"} {
			vs = append(vs, metabuild.V(name, uint8(130+i), substrate.Field{Type: h}))
		}
		if m.rt.spec218 {
			return m.b.Variant([]string{"pallet_commitments", "types", "Data"}, vs...)
		}
		bv := m.boundedBytes()
		vs = append(vs,
			metabuild.V("TimelockEncrypted", 134, metabuild.FT("encrypted", bv, "BoundedVec<u8, ConstU32<MAX_TIMELOCK_COMMITMENT_SIZE_BYTES>>"),
				metabuild.FT("reveal_round", m.prim(substrate.PrimU64), "u64")),
			metabuild.V("ResetBondsFlag", 135),
			metabuild.V("BigRaw", 136, substrate.Field{Type: bv, TypeName: "BoundedVec<u8, ConstU32<MAX_BIGRAW_COMMITMENT_SIZE_BYTES>>"}),
		)
		return m.b.Variant([]string{"pallet_commitments", "types", "Data"}, vs...)
	})
}

func (m *metaBuilder) commitmentInfo() substrate.TypeID {
	return m.once("CommitmentInfo", func() substrate.TypeID {
		data := m.commitmentData()
		fields := m.b.Composite([]string{"bounded_collections", "bounded_vec", "BoundedVec"}, substrate.Field{Type: m.b.Sequence(data), TypeName: "Vec<T>"})
		return m.b.Composite([]string{"pallet_commitments", "types", "CommitmentInfo"}, metabuild.FT("fields", fields, "BoundedVec<Data, FieldLimit>"))
	})
}

func (m *metaBuilder) axonInfo() substrate.TypeID {
	return m.once("AxonInfo", func() substrate.TypeID {
		u8 := m.prim(substrate.PrimU8)
		return m.b.Composite([]string{"pallet_subtensor", "pallet", "AxonInfo"},
			metabuild.FT("block", m.prim(substrate.PrimU64), "u64"), metabuild.FT("version", m.prim(substrate.PrimU32), "u32"),
			metabuild.FT("ip", m.prim(substrate.PrimU128), "u128"), metabuild.FT("port", m.prim(substrate.PrimU16), "u16"),
			metabuild.FT("ip_type", u8, "u8"), metabuild.FT("protocol", u8, "u8"),
			metabuild.FT("placeholder1", u8, "u8"), metabuild.FT("placeholder2", u8, "u8"))
	})
}

func (m *metaBuilder) dispatchClass() substrate.TypeID {
	return m.once("DispatchClass", func() substrate.TypeID {
		return m.b.Variant([]string{"frame_support", "dispatch", "DispatchClass"}, metabuild.V("Normal", 0), metabuild.V("Operational", 1), metabuild.V("Mandatory", 2))
	})
}

func (m *metaBuilder) dispatchInfo() substrate.TypeID {
	return m.once("DispatchInfo", func() substrate.TypeID {
		class := m.dispatchClass()
		pays := m.b.Variant([]string{"frame_support", "dispatch", "Pays"}, metabuild.V("Yes", 0), metabuild.V("No", 1))
		return m.b.Composite([]string{"frame_support", "dispatch", "DispatchInfo"},
			metabuild.FT("weight", m.weight(), "Weight"), metabuild.FT("class", class, "DispatchClass"), metabuild.FT("pays_fee", pays, "Pays"))
	})
}

func (m *metaBuilder) accountInfo() substrate.TypeID {
	return m.once("AccountInfo", func() substrate.TypeID {
		u32, u64 := m.prim(substrate.PrimU32), m.prim(substrate.PrimU64)
		flags := m.b.Composite([]string{"pallet_balances", "types", "ExtraFlags"}, substrate.Field{Type: m.prim(substrate.PrimU128), TypeName: "u128"})
		data := m.b.Composite([]string{"pallet_balances", "types", "AccountData"},
			metabuild.FT("free", u64, "Balance"), metabuild.FT("reserved", u64, "Balance"), metabuild.FT("frozen", u64, "Balance"), metabuild.FT("flags", flags, "ExtraFlags"))
		return m.b.Composite([]string{"frame_system", "AccountInfo"},
			metabuild.FT("nonce", u32, "Nonce"), metabuild.FT("consumers", u32, "RefCount"), metabuild.FT("providers", u32, "RefCount"),
			metabuild.FT("sufficients", u32, "RefCount"), metabuild.FT("data", data, "AccountData"))
	})
}

func (m *metaBuilder) runtimeVersionType() substrate.TypeID {
	return m.once("RuntimeVersion", func() substrate.TypeID {
		str, u32, u8 := m.prim(substrate.PrimStr), m.prim(substrate.PrimU32), m.prim(substrate.PrimU8)
		apis := m.b.Sequence(m.b.Tuple(m.b.Array(8, u8), u32))
		return m.b.Composite([]string{"sp_version", "RuntimeVersion"},
			metabuild.FT("spec_name", str, "RuntimeString"), metabuild.FT("impl_name", str, "RuntimeString"),
			metabuild.FT("authoring_version", u32, "u32"), metabuild.FT("spec_version", u32, "u32"), metabuild.FT("impl_version", u32, "u32"),
			metabuild.FT("apis", apis, "ApisVec"), metabuild.FT("transaction_version", u32, "u32"), metabuild.FT("state_version", u8, "u8"))
	})
}

// ev builds an event variant with unnamed fields (as subtensor declares
// most of its events) or named ones (name:type pairs).
func ev(index uint8, name string, fields ...substrate.Field) substrate.Variant {
	return metabuild.V(name, index, fields...)
}

func (m *metaBuilder) errorVariants(t *errorTable) []substrate.Variant {
	vs := make([]substrate.Variant, len(t.list))
	for i, e := range t.list {
		vs[i] = substrate.Variant{Name: e.name, Index: e.index, Docs: docs(e.docs)}
	}
	return vs
}

func docs(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func (m *metaBuilder) callVariants(p *palletSpec) []substrate.Variant {
	calls := append([]*callSpec(nil), p.order...)
	sort.Slice(calls, func(i, j int) bool { return calls[i].index < calls[j].index })
	vs := make([]substrate.Variant, len(calls))
	for i, c := range calls {
		fs := make([]substrate.Field, len(c.args))
		for j, a := range c.args {
			fs[j] = metabuild.FT(a.name, m.argType(a.kind), a.typeName)
		}
		vs[i] = substrate.Variant{Name: c.name, Index: c.index, Fields: fs, Docs: docs(c.docs)}
	}
	return vs
}

func (m *metaBuilder) constant(name string, ty substrate.TypeID, value []byte, doc string) *substrate.Constant {
	return &substrate.Constant{Name: name, Type: ty, Value: value, Docs: docs(doc)}
}

// mechID is subtensor_runtime_common::MechId, a u8.
func (m *metaBuilder) mechID() substrate.TypeID {
	return m.once("MechId", func() substrate.TypeID {
		return m.b.Composite([]string{"subtensor_runtime_common", "MechId"}, substrate.Field{Type: m.prim(substrate.PrimU8), TypeName: "u8"})
	})
}

// subtensorEvents declares SubtensorModule's events at the indices of the
// runtime the devnet presents (spec218Events for spec 218, where StakeAdded
// and StakeRemoved have no fifth amount).
func (m *metaBuilder) subtensorEvents() []substrate.Variant {
	u16, u64, boolT, acc := m.prim(substrate.PrimU16), m.prim(substrate.PrimU64), m.prim(substrate.PrimBool), m.b.AccountID32()
	f := func(t substrate.TypeID) substrate.Field { return metabuild.F("", t) }
	stake := []substrate.Field{f(acc), f(acc), f(u64), f(u64), f(u16), f(u64)}
	if m.rt.spec218 {
		stake = stake[:5]
	}
	all := []substrate.Variant{
		ev(evNetworkAdded, "NetworkAdded", f(u16), f(u16)),
		ev(evStakeAdded, "StakeAdded", stake...),
		ev(evStakeRemoved, "StakeRemoved", stake...),
		ev(evWeightsSet, "WeightsSet", f(u16), f(u16)),
		ev(evNeuronRegistered, "NeuronRegistered", f(u16), f(u16), f(acc)),
		ev(evMaxAllowedUidsSet, "MaxAllowedUidsSet", f(u16), f(u16)),
		ev(evWeightsSetRateLimitSet, "WeightsSetRateLimitSet", f(u16), f(u64)),
		ev(evImmunityPeriodSet, "ImmunityPeriodSet", f(u16), f(u16)),
		ev(evMaxAllowedValidatorsSet, "MaxAllowedValidatorsSet", f(u16), f(u16)),
		ev(evAxonServed, "AxonServed", f(u16), f(acc)),
		ev(evPrometheusServed, "PrometheusServed", f(u16), f(acc)),
		ev(evWeightsVersionKeySet, "WeightsVersionKeySet", f(u16), f(u64)),
		ev(evServingRateLimitSet, "ServingRateLimitSet", f(u16), f(u64)),
		ev(evTempoSet, "TempoSet", f(u16), f(u16)),
		ev(evCommitRevealEnabledEvent, "CommitRevealEnabled", f(u16), f(boolT)),
	}
	if !m.rt.spec218 {
		return all
	}
	out := all[:0]
	for _, v := range all {
		if i, ok := spec218Events[v.Index]; ok {
			v.Index = i
			out = append(out, v)
		}
	}
	return out
}

// Storage items one runtime generation has and the other does not.
var (
	headOnlyStorage = map[string]bool{
		"MaxMechanismCount": true, "MechanismCountCurrent": true, "MechanismEmissionSplit": true,
		"BurnHalfLife": true, "BurnIncreaseMult": true, "LastEpochBlock": true, "PendingEpochAt": true,
		"StakeThreshold": true, "MaxSpace": true, "UsedSpaceOf": true,
	}
	// Removed from HEAD in April 2026 (rank, trust and pruning scores are no
	// longer computed).
	spec218OnlyStorage = map[string]bool{"Rank": true, "Trust": true, "PruningScores": true}
)

// shapeStorage keeps the storage items the presented runtime has, with its
// types: spec 218 holds Alpha as a plain u64 and TaoWeight as a map by
// netuid; HEAD holds Alpha as U64F64 and TaoWeight as one value.
func (m *metaBuilder) shapeStorage(all []*substrate.StorageEntry) []*substrate.StorageEntry {
	out := all[:0]
	for _, e := range all {
		if m.rt.spec218 && headOnlyStorage[e.Name] || !m.rt.spec218 && spec218OnlyStorage[e.Name] {
			continue
		}
		if m.rt.spec218 {
			u16, u64 := m.prim(substrate.PrimU16), m.prim(substrate.PrimU64)
			switch e.Name {
			case "Alpha":
				e.ValueType, e.Default = u64, make([]byte, 8)
			case "TaoWeight":
				e.Plain, e.Hashers, e.KeyType = false, []substrate.StorageHasher{substrate.Identity}, u16
			}
		}
		out = append(out, e)
	}
	return out
}

// buildMetadata assembles and encodes the devnet's metadata v14.
func (rt *runtime) buildMetadata() error {
	mb := metabuild.NewMetadataBuilder()
	mb.SignedExtensions = rt.exts
	m := &metaBuilder{rt: rt, mb: mb, b: mb.Types, cache: make(map[string]substrate.TypeID)}
	b := m.b
	u8, u16, u32, u64, boolT := m.prim(substrate.PrimU8), m.prim(substrate.PrimU16), m.prim(substrate.PrimU32), m.prim(substrate.PrimU64), m.prim(substrate.PrimBool)
	acc, h256 := b.AccountID32(), b.H256()
	de := b.DispatchError()
	dres := b.Result(b.Tuple(), de)
	opt, def := substrate.ModifierOptional, substrate.ModifierDefault
	plain := metabuild.PlainStorage
	mapS := metabuild.MapStorage
	hs := func(h ...substrate.StorageHasher) []substrate.StorageHasher { return h }
	id, b2c, t64c := substrate.Identity, substrate.Blake2_128Concat, substrate.Twox64Concat
	zero := func(n int) []byte { return make([]byte, n) }
	le16 := func(v uint16) []byte { return scale.AppendU16(nil, v) }
	le64 := func(v uint64) []byte { return scale.AppendU64(nil, v) }
	netHot := b.Tuple(u16, acc)
	netNet := b.Tuple(u16, u16)
	vecU16, vecU64, vecBool := b.Sequence(u16), b.Sequence(u64), b.Sequence(boolT)
	pairs := b.Sequence(b.Tuple(u16, u16))

	accountDefault := append(zero(40), scale.AppendU128(nil, extraFlagsNewLogic)...)
	mb.AddPallet(&metabuild.PalletDef{
		Name: "System", Index: palletSystem,
		Calls: m.callVariants(rt.pallets[palletSystem]),
		Events: []substrate.Variant{
			ev(evSystemExtrinsicSuccess, "ExtrinsicSuccess", metabuild.FT("dispatch_info", m.dispatchInfo(), "DispatchInfo")),
			ev(evSystemExtrinsicFailed, "ExtrinsicFailed", metabuild.FT("dispatch_error", de, "DispatchError"), metabuild.FT("dispatch_info", m.dispatchInfo(), "DispatchInfo")),
			ev(2, "CodeUpdated"),
			ev(evSystemNewAccount, "NewAccount", metabuild.FT("account", acc, "T::AccountId")),
			ev(evSystemKilledAccount, "KilledAccount", metabuild.FT("account", acc, "T::AccountId")),
			ev(evSystemRemarked, "Remarked", metabuild.FT("sender", acc, "T::AccountId"), metabuild.FT("hash", h256, "T::Hash")),
		},
		Errors: []substrate.Variant{metabuild.V("InvalidSpecName", 0), metabuild.V("CallFiltered", 5)},
		Storage: []*substrate.StorageEntry{
			mapS("Account", hs(b2c), acc, m.accountInfo(), def, accountDefault),
			plain("ExtrinsicCount", u32, opt, nil),
			mapS("BlockHash", hs(t64c), u32, h256, def, zero(32)),
			plain("Number", u32, def, zero(4)),
			plain("ParentHash", h256, def, zero(32)),
			plain("Events", mb.EventRecords(), def, []byte{0}),
			plain("EventCount", u32, def, zero(4)),
		},
		Constants: []*substrate.Constant{
			m.constant("BlockHashCount", u32, scale.AppendU32(nil, blockHashCount), "Maximum number of block number to block hash mappings to keep."),
			m.constant("Version", m.runtimeVersionType(), rt.runtimeVersionSCALE(), "The runtime version."),
			m.constant("SS58Prefix", u16, le16(42), "The SS58 address prefix."),
		},
	})
	mb.AddPallet(&metabuild.PalletDef{
		Name: "Balances", Index: palletBalances,
		Calls: m.callVariants(rt.pallets[palletBalances]),
		Events: []substrate.Variant{
			ev(evBalancesEndowed, "Endowed", metabuild.FT("account", acc, "T::AccountId"), metabuild.FT("free_balance", u64, "T::Balance")),
			ev(evBalancesDustLost, "DustLost", metabuild.FT("account", acc, "T::AccountId"), metabuild.FT("amount", u64, "T::Balance")),
			ev(evBalancesTransfer, "Transfer", metabuild.FT("from", acc, "T::AccountId"), metabuild.FT("to", acc, "T::AccountId"), metabuild.FT("amount", u64, "T::Balance")),
			ev(evBalancesSet, "BalanceSet", metabuild.FT("who", acc, "T::AccountId"), metabuild.FT("free", u64, "T::Balance")),
			ev(evBalancesDeposit, "Deposit", metabuild.FT("who", acc, "T::AccountId"), metabuild.FT("amount", u64, "T::Balance")),
			ev(evBalancesWithdraw, "Withdraw", metabuild.FT("who", acc, "T::AccountId"), metabuild.FT("amount", u64, "T::Balance")),
		},
		Errors:  m.errorVariants(rt.errs[palletBalances]),
		Storage: []*substrate.StorageEntry{plain("TotalIssuance", u64, def, zero(8))},
		Constants: []*substrate.Constant{
			m.constant("ExistentialDeposit", u64, le64(rt.cfg.ExistentialDeposit), "The minimum amount required to keep an account open."),
		},
	})
	mb.AddPallet(&metabuild.PalletDef{
		Name: "Timestamp", Index: palletTimestamp,
		Calls: m.callVariants(rt.pallets[palletTimestamp]),
		Storage: []*substrate.StorageEntry{
			plain("Now", u64, def, zero(8)),
			plain("DidUpdate", boolT, def, zero(1)),
		},
		Constants: []*substrate.Constant{
			m.constant("MinimumPeriod", u64, le64(uint64(rt.blockTime.Milliseconds()/2)), "Half the block time, in milliseconds."),
		},
	})
	mb.AddPallet(&metabuild.PalletDef{
		Name: "TransactionPayment", Index: palletTransactionPayment,
		Events: []substrate.Variant{
			ev(evTxFeePaid, "TransactionFeePaid", metabuild.FT("who", acc, "T::AccountId"), metabuild.FT("actual_fee", u64, "BalanceOf<T>"), metabuild.FT("tip", u64, "BalanceOf<T>")),
		},
		Storage: []*substrate.StorageEntry{
			plain("NextFeeMultiplier", m.prim(substrate.PrimU128), def, scale.AppendU128(nil, scale.Uint128{Lo: 1_000_000_000_000_000_000})),
		},
		Constants: []*substrate.Constant{m.constant("OperationalFeeMultiplier", u8, []byte{5}, "")},
	})
	netMap := func(name string, v substrate.TypeID, d []byte) *substrate.StorageEntry {
		return mapS(name, hs(id), u16, v, def, d)
	}
	mb.AddPallet(&metabuild.PalletDef{
		Name: "SubtensorModule", Index: palletSubtensor,
		Calls:  m.callVariants(rt.pallets[palletSubtensor]),
		Events: m.subtensorEvents(),
		Errors: m.errorVariants(rt.errs[palletSubtensor]),
		Storage: m.shapeStorage([]*substrate.StorageEntry{
			plain("TotalNetworks", u16, def, zero(2)),
			plain("TotalStake", u64, def, zero(8)),
			plain("StakeThreshold", u64, def, zero(8)),
			plain("TaoWeight", u64, def, le64(defaultTaoWeight)),
			mapS("Owner", hs(b2c), acc, acc, def, zero(32)),
			mapS("OwnedHotkeys", hs(b2c), acc, b.Sequence(acc), def, []byte{0}),
			mapS("StakingHotkeys", hs(b2c), acc, b.Sequence(acc), def, []byte{0}),
			mapS("TotalHotkeyAlpha", hs(b2c, id), b.Tuple(acc, u16), u64, def, zero(8)),
			mapS("ChildKeys", hs(b2c, id), b.Tuple(acc, u16), b.Sequence(b.Tuple(u64, acc)), def, []byte{0}),
			mapS("ParentKeys", hs(b2c, id), b.Tuple(acc, u16), b.Sequence(b.Tuple(u64, acc)), def, []byte{0}),
			mapS("Alpha", hs(b2c, b2c, id), b.Tuple(acc, acc, u16),
				b.Composite([]string{"substrate_fixed", "FixedU128"}, metabuild.FT("bits", m.prim(substrate.PrimU128), "u128")), def, zero(16)),
			netMap("NetworksAdded", boolT, zero(1)),
			netMap("NetworkRegisteredAt", u64, zero(8)),
			netMap("SubnetworkN", u16, zero(2)),
			netMap("Tempo", u16, le16(360)),
			netMap("SubnetOwner", acc, zero(32)),
			netMap("SubnetOwnerHotkey", acc, zero(32)),
			netMap("SubnetLocked", u64, zero(8)),
			netMap("PendingEmission", u64, zero(8)),
			netMap("BlocksSinceLastStep", u64, zero(8)),
			netMap("LastEpochBlock", u64, zero(8)),
			netMap("SubnetTAO", u64, zero(8)),
			netMap("SubnetAlphaIn", u64, zero(8)),
			netMap("PendingEpochAt", u64, zero(8)),
			netMap("ServingRateLimit", u64, le64(50)),
			netMap("MaxAllowedUids", u16, le16(4096)),
			netMap("ImmunityPeriod", u16, le16(4096)),
			netMap("MaxWeightsLimit", u16, le16(1000)),
			netMap("WeightsVersionKey", u64, zero(8)),
			netMap("MinAllowedWeights", u16, le16(1024)),
			netMap("MaxAllowedValidators", u16, le16(128)),
			netMap("WeightsSetRateLimit", u64, le64(100)),
			netMap("CommitRevealWeightsEnabled", boolT, zero(1)),
			netMap("Burn", u64, le64(1_000_000_000)),
			netMap("MinBurn", u64, le64(defaultMinBurn)),
			netMap("MaxBurn", u64, le64(defaultMaxBurn)),
			netMap("BurnHalfLife", u16, le16(defaultBurnHalfLife)),
			netMap("BurnIncreaseMult", b.Composite([]string{"substrate_fixed", "FixedU128"}, metabuild.FT("bits", m.prim(substrate.PrimU128), "u128")), scale.AppendU128(nil, u64f64(defaultBurnIncreaseMult))),
			netMap("MaxRegistrationsPerBlock", u16, le16(1)),
			netMap("RegistrationsThisBlock", u16, zero(2)),
			netMap("ActivityCutoff", u16, le16(5000)),
			netMap("Kappa", u16, le16(32767)),
			netMap("BondsMovingAverage", u64, le64(900000)),
			mapS("Uids", hs(id, b2c), netHot, u16, opt, nil),
			mapS("Keys", hs(id, id), netNet, acc, def, zero(32)),
			netMap("Active", vecBool, []byte{0}),
			netMap("Rank", vecU16, []byte{0}),
			netMap("Trust", vecU16, []byte{0}),
			netMap("Consensus", vecU16, []byte{0}),
			netMap("Incentive", vecU16, []byte{0}),
			netMap("Dividends", vecU16, []byte{0}),
			netMap("Emission", vecU64, []byte{0}),
			netMap("LastUpdate", vecU64, []byte{0}),
			netMap("ValidatorTrust", vecU16, []byte{0}),
			netMap("PruningScores", vecU16, []byte{0}),
			netMap("ValidatorPermit", vecBool, []byte{0}),
			mapS("Weights", hs(id, id), netNet, pairs, def, []byte{0}),
			mapS("Bonds", hs(id, id), netNet, pairs, def, []byte{0}),
			mapS("BlockAtRegistration", hs(id, id), netNet, u64, def, zero(8)),
			mapS("Axons", hs(id, b2c), netHot, m.axonInfo(), opt, nil),
			mapS("Prometheus", hs(id, b2c), netHot, m.prometheusInfo(), opt, nil),
			plain("MaxMechanismCount", m.mechID(), def, []byte{defaultMaxMechanismCount}),
			mapS("MechanismCountCurrent", hs(t64c), u16, m.mechID(), def, []byte{1}),
			mapS("MechanismEmissionSplit", hs(t64c), u16, vecU16, opt, nil),
		}),
	})
	mb.AddPallet(&metabuild.PalletDef{
		Name: "Sudo", Index: palletSudo,
		Calls: m.callVariants(rt.pallets[palletSudo]),
		Events: []substrate.Variant{
			ev(evSudid, "Sudid", metabuild.FT("sudo_result", dres, "DispatchResult")),
			ev(evKeyChanged, "KeyChanged", metabuild.FT("old", b.Option(acc), "Option<T::AccountId>"), metabuild.FT("new", acc, "T::AccountId")),
		},
		Errors:  m.errorVariants(rt.errs[palletSudo]),
		Storage: []*substrate.StorageEntry{plain("Key", acc, opt, nil)},
	})
	registration := b.Composite([]string{"pallet_commitments", "types", "Registration"},
		metabuild.FT("deposit", u64, "Balance"), metabuild.FT("block", u32, "BlockNumber"), metabuild.FT("info", m.commitmentInfo(), "CommitmentInfo<MaxFields>"))
	usage := b.Composite([]string{"pallet_commitments", "types", "UsageTracker"}, metabuild.FT("last_epoch", u64, "u64"), metabuild.FT("used_space", u64, "u64"))
	mb.AddPallet(&metabuild.PalletDef{
		Name: "Commitments", Index: palletCommitments,
		Calls:  m.callVariants(rt.pallets[palletCommitments]),
		Events: []substrate.Variant{ev(evCommitment, "Commitment", metabuild.FT("netuid", u16, "NetUid"), metabuild.FT("who", acc, "T::AccountId"))},
		Errors: m.errorVariants(rt.errs[palletCommitments]),
		Storage: m.shapeStorage([]*substrate.StorageEntry{
			mapS("CommitmentOf", hs(id, t64c), netHot, registration, opt, nil),
			mapS("LastCommitment", hs(id, t64c), netHot, u32, opt, nil),
			mapS("UsedSpaceOf", hs(id, t64c), netHot, usage, opt, nil),
			plain("MaxSpace", u32, def, scale.AppendU32(nil, rt.cfg.CommitmentMaxSpace)),
		}),
		Constants: []*substrate.Constant{
			m.constant("MaxFields", u32, scale.AppendU32(nil, rt.cfg.CommitmentMaxFields), "The maximum number of fields in a commitment."),
			m.constant("InitialDeposit", u64, zero(8), ""),
			m.constant("FieldDeposit", u64, zero(8), ""),
			m.constant("RateLimit", u32, scale.AppendU32(nil, rt.cfg.CommitmentRateLimit), "Blocks between two commitments of one account."),
		}[:3+b2i(rt.spec218)], // HEAD has no RateLimit: a space budget per tempo instead
	})
	mb.AddPallet(&metabuild.PalletDef{
		Name: "AdminUtils", Index: palletAdminUtils,
		Calls:  m.callVariants(rt.pallets[palletAdminUtils]),
		Errors: m.errorVariants(rt.errs[palletAdminUtils]),
	})
	md, err := mb.Build(15)
	if err != nil {
		return fmt.Errorf("devnet: build metadata: %w", err)
	}
	md.APIs = m.runtimeAPIMetadata(md.Extrinsic.Type)
	if err := md.Index(); err != nil {
		return fmt.Errorf("devnet: index metadata: %w", err)
	}
	v15, err := metabuild.Encode(md)
	if err != nil {
		return fmt.Errorf("devnet: encode metadata v15: %w", err)
	}
	md.Version = 14
	v14, err := metabuild.Encode(md)
	if err != nil {
		return fmt.Errorf("devnet: encode metadata v14: %w", err)
	}
	// Decode what we serve, so the devnet runs on exactly the bytes clients see.
	if _, err := substrate.DecodeMetadata(v15); err != nil {
		return fmt.Errorf("devnet: metadata v15 does not decode: %w", err)
	}
	if rt.meta, err = substrate.DecodeMetadata(v14); err != nil {
		return fmt.Errorf("devnet: metadata v14 does not decode: %w", err)
	}
	rt.metaBytes, rt.metaV15 = v14, v15
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
