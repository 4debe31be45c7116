package devnet

import (
	"github.com/minerkit/minerkit/internal/metabuild"
	"github.com/minerkit/minerkit/substrate"
)

// The runtime API section of metadata v15: the methods runtimeCall answers,
// with the types of their inputs and outputs, so that clients decode the
// results from metadata as they do on finney.

func (m *metaBuilder) compact(p substrate.Primitive) substrate.TypeID { return m.b.Compact(m.prim(p)) }

func (m *metaBuilder) prometheusInfo() substrate.TypeID {
	return m.once("PrometheusInfo", func() substrate.TypeID {
		return m.b.Composite([]string{"pallet_subtensor", "pallet", "PrometheusInfo"},
			metabuild.FT("block", m.prim(substrate.PrimU64), "u64"), metabuild.FT("version", m.prim(substrate.PrimU32), "u32"),
			metabuild.FT("ip", m.prim(substrate.PrimU128), "u128"), metabuild.FT("port", m.prim(substrate.PrimU16), "u16"),
			metabuild.FT("ip_type", m.prim(substrate.PrimU8), "u8"))
	})
}

func (m *metaBuilder) neuronInfoLite() substrate.TypeID {
	return m.once("NeuronInfoLite", func() substrate.TypeID {
		acc := m.b.AccountID32()
		c16, c64 := m.compact(substrate.PrimU16), m.compact(substrate.PrimU64)
		boolT := m.prim(substrate.PrimBool)
		stake := m.b.Sequence(m.b.Tuple(acc, c64))
		return m.b.Composite([]string{"pallet_subtensor", "rpc_info", "neuron_info", "NeuronInfoLite"},
			metabuild.FT("hotkey", acc, "AccountId"), metabuild.FT("coldkey", acc, "AccountId"),
			metabuild.FT("uid", c16, "Compact<u16>"), metabuild.FT("netuid", c16, "Compact<NetUid>"),
			metabuild.FT("active", boolT, "bool"), metabuild.FT("axon_info", m.axonInfo(), "AxonInfo"),
			metabuild.FT("prometheus_info", m.prometheusInfo(), "PrometheusInfo"),
			metabuild.FT("stake", stake, "Vec<(AccountId, Compact<AlphaCurrency>)>"),
			metabuild.FT("rank", c16, "Compact<u16>"), metabuild.FT("emission", c64, "Compact<AlphaCurrency>"),
			metabuild.FT("incentive", c16, "Compact<u16>"), metabuild.FT("consensus", c16, "Compact<u16>"),
			metabuild.FT("trust", c16, "Compact<u16>"), metabuild.FT("validator_trust", c16, "Compact<u16>"),
			metabuild.FT("dividends", c16, "Compact<u16>"), metabuild.FT("last_update", c64, "Compact<u64>"),
			metabuild.FT("validator_permit", boolT, "bool"), metabuild.FT("pruning_score", c16, "Compact<u16>"))
	})
}

// byteStrings registers a composite of byte-string fields (identities).
func (m *metaBuilder) byteStrings(path []string, names ...string) substrate.TypeID {
	fs := make([]substrate.Field, len(names))
	for i, n := range names {
		fs[i] = metabuild.FT(n, m.b.Bytes(), "Vec<u8>")
	}
	return m.b.Composite(path, fs...)
}

// metagraph registers the Metagraph struct in the field order appendMetagraph writes.
func (m *metaBuilder) metagraph() substrate.TypeID {
	return m.once("Metagraph", func() substrate.TypeID {
		b := m.b
		acc := b.AccountID32()
		c16, c64 := m.compact(substrate.PrimU16), m.compact(substrate.PrimU64)
		boolT := m.prim(substrate.PrimBool)
		cbytes := b.Sequence(m.compact(substrate.PrimU8))
		subnetID := m.byteStrings([]string{"pallet_subtensor", "utils", "identity", "SubnetIdentityOfV3"},
			"subnet_name", "github_repo", "subnet_contact", "subnet_url", "discord", "description", "logo_url", "additional")
		chainID := m.byteStrings([]string{"pallet_subtensor", "utils", "identity", "ChainIdentityOfV2"},
			"name", "url", "github_repo", "image", "discord", "description", "additional")
		fixed := b.Composite([]string{"substrate_fixed", "FixedI128"}, metabuild.FT("bits", m.prim(substrate.PrimI128), "i128"))
		pairs := b.Sequence(b.Tuple(acc, c64))
		f := metabuild.FT
		fields := []substrate.Field{
			f("netuid", c16, "Compact<NetUid>"), f("name", cbytes, "Vec<Compact<u8>>"), f("symbol", cbytes, "Vec<Compact<u8>>"),
			f("identity", b.Option(subnetID), "Option<SubnetIdentityOfV3>"), f("network_registered_at", c64, "Compact<u64>"),
			f("owner_hotkey", acc, "AccountId"), f("owner_coldkey", acc, "AccountId"),
			f("block", c64, "Compact<u64>"), f("tempo", c16, "Compact<u16>"), f("last_step", c64, "Compact<u64>"),
			f("blocks_since_last_step", c64, "Compact<u64>"), f("subnet_emission", c64, "Compact<u64>"),
		}
		for _, n := range []string{"alpha_in", "alpha_out", "tao_in", "alpha_out_emission", "alpha_in_emission", "tao_in_emission", "pending_alpha_emission", "pending_root_emission"} {
			fields = append(fields, f(n, c64, "Compact<u64>"))
		}
		fields = append(fields,
			f("subnet_volume", m.compact(substrate.PrimU128), "Compact<u128>"), f("moving_price", fixed, "I96F32"),
			f("rho", c16, "Compact<u16>"), f("kappa", c16, "Compact<u16>"), f("min_allowed_weights", c16, "Compact<u16>"),
			f("max_weights_limit", c16, "Compact<u16>"), f("weights_version", c64, "Compact<u64>"),
			f("weights_rate_limit", c64, "Compact<u64>"), f("activity_cutoff", c16, "Compact<u16>"),
			f("max_validators", c16, "Compact<u16>"), f("num_uids", c16, "Compact<u16>"), f("max_uids", c16, "Compact<u16>"),
			f("burn", c64, "Compact<u64>"), f("difficulty", c64, "Compact<u64>"), f("registration_allowed", boolT, "bool"),
			f("pow_registration_allowed", boolT, "bool"), f("immunity_period", c16, "Compact<u16>"),
			f("min_difficulty", c64, "Compact<u64>"), f("max_difficulty", c64, "Compact<u64>"),
			f("min_burn", c64, "Compact<u64>"), f("max_burn", c64, "Compact<u64>"), f("adjustment_alpha", c64, "Compact<u64>"),
			f("adjustment_interval", c16, "Compact<u16>"), f("target_regs_per_interval", c16, "Compact<u16>"),
			f("max_regs_per_block", c16, "Compact<u16>"), f("serving_rate_limit", c64, "Compact<u64>"),
			f("commit_reveal_weights_enabled", boolT, "bool"), f("commit_reveal_period", c64, "Compact<u64>"),
			f("liquid_alpha_enabled", boolT, "bool"), f("alpha_high", c16, "Compact<u16>"), f("alpha_low", c16, "Compact<u16>"),
			f("bonds_moving_avg", c64, "Compact<u64>"),
			f("hotkeys", b.Sequence(acc), "Vec<AccountId>"), f("coldkeys", b.Sequence(acc), "Vec<AccountId>"),
			f("identities", b.Sequence(b.Option(chainID)), "Vec<Option<ChainIdentityOfV2>>"),
			f("axons", b.Sequence(m.axonInfo()), "Vec<AxonInfo>"),
			f("active", b.Sequence(boolT), "Vec<bool>"), f("validator_permit", b.Sequence(boolT), "Vec<bool>"),
			f("pruning_score", b.Sequence(c16), "Vec<Compact<u16>>"), f("last_update", b.Sequence(c64), "Vec<Compact<u64>>"),
			f("emission", b.Sequence(c64), "Vec<Compact<AlphaCurrency>>"), f("dividends", b.Sequence(c16), "Vec<Compact<u16>>"),
			f("incentives", b.Sequence(c16), "Vec<Compact<u16>>"), f("consensus", b.Sequence(c16), "Vec<Compact<u16>>"),
			f("trust", b.Sequence(c16), "Vec<Compact<u16>>"), f("rank", b.Sequence(c16), "Vec<Compact<u16>>"),
			f("block_at_registration", b.Sequence(c64), "Vec<Compact<u64>>"),
			f("alpha_stake", b.Sequence(c64), "Vec<Compact<AlphaCurrency>>"), f("tao_stake", b.Sequence(c64), "Vec<Compact<TaoCurrency>>"),
			f("total_stake", b.Sequence(c64), "Vec<Compact<TaoCurrency>>"),
			f("tao_dividends_per_hotkey", pairs, "Vec<(AccountId, Compact<TaoCurrency>)>"),
			f("alpha_dividends_per_hotkey", pairs, "Vec<(AccountId, Compact<AlphaCurrency>)>"),
		)
		return b.Composite([]string{"pallet_subtensor", "rpc_info", "metagraph", "Metagraph"}, fields...)
	})
}

func apiMethod(name string, out substrate.TypeID, doc string, in ...substrate.RuntimeAPIParam) *substrate.RuntimeAPIMethod {
	return &substrate.RuntimeAPIMethod{Name: name, Inputs: in, Output: out, Docs: docs(doc)}
}

func param(name string, ty substrate.TypeID) substrate.RuntimeAPIParam {
	return substrate.RuntimeAPIParam{Name: name, Type: ty}
}

// runtimeAPIMetadata describes the runtime APIs of runtimeCall; uxt is the
// UncheckedExtrinsic type.
func (m *metaBuilder) runtimeAPIMetadata(uxt substrate.TypeID) []*substrate.RuntimeAPI {
	b := m.b
	u16, u32 := m.prim(substrate.PrimU16), m.prim(substrate.PrimU32)
	opaque := b.Composite([]string{"sp_core", "OpaqueMetadata"}, substrate.Field{Type: b.Bytes(), TypeName: "Vec<u8>"})
	class := m.dispatchClass()
	source, validity := m.validityTypes()
	dispatchInfo := b.Composite([]string{"pallet_transaction_payment", "types", "RuntimeDispatchInfo"},
		metabuild.FT("weight", m.weight(), "Weight"), metabuild.FT("class", class, "DispatchClass"),
		metabuild.FT("partial_fee", m.prim(substrate.PrimU64), "Balance"))
	apis := []*substrate.RuntimeAPI{
		{Name: "Core", Methods: []*substrate.RuntimeAPIMethod{apiMethod("version", m.runtimeVersionType(), "Returns the version of the runtime.")}},
		{Name: "Metadata", Methods: []*substrate.RuntimeAPIMethod{
			apiMethod("metadata", opaque, "Returns the metadata of a runtime."),
			apiMethod("metadata_at_version", b.Option(opaque), "Returns the metadata at a given version.", param("version", u32)),
			apiMethod("metadata_versions", b.Sequence(u32), "Returns the supported metadata versions."),
		}},
		{Name: "TaggedTransactionQueue", Methods: []*substrate.RuntimeAPIMethod{
			apiMethod("validate_transaction", validity, "Validate the transaction.",
				param("source", source), param("tx", uxt), param("block_hash", b.H256())),
		}},
		{Name: "AccountNonceApi", Methods: []*substrate.RuntimeAPIMethod{
			apiMethod("account_nonce", u32, "Get current account nonce of given AccountId.", param("account", b.AccountID32())),
		}},
		{Name: "TransactionPaymentApi", Methods: []*substrate.RuntimeAPIMethod{
			apiMethod("query_info", dispatchInfo, "", param("uxt", uxt), param("len", u32)),
		}},
	}
	if m.rt.spec218 {
		// Spec 218's runtime APIs return their SCALE result as a Vec<u8>
		// (get_neuron_lite: the bare NeuronInfoLite, or nothing), and it
		// has no get_metagraph.
		return append(apis, &substrate.RuntimeAPI{Name: "NeuronInfoRuntimeApi", Methods: []*substrate.RuntimeAPIMethod{
			apiMethod("get_neurons_lite", b.Bytes(), "", param("netuid", u16)),
			apiMethod("get_neuron_lite", b.Bytes(), "", param("netuid", u16), param("uid", u16)),
		}})
	}
	return append(apis,
		&substrate.RuntimeAPI{Name: "NeuronInfoRuntimeApi", Methods: []*substrate.RuntimeAPIMethod{
			apiMethod("get_neurons_lite", b.Sequence(m.neuronInfoLite()), "", param("netuid", u16)),
			apiMethod("get_neuron_lite", b.Option(m.neuronInfoLite()), "", param("netuid", u16), param("uid", u16)),
		}},
		&substrate.RuntimeAPI{Name: "SubnetInfoRuntimeApi", Methods: []*substrate.RuntimeAPIMethod{
			apiMethod("get_metagraph", b.Option(m.metagraph()), "", param("netuid", u16)),
			apiMethod("get_mechagraph", b.Option(m.metagraph()), "", param("netuid", u16), param("mecid", m.mechID())),
		}},
	)
}
