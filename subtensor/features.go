package subtensor

import (
	"slices"

	"github.com/minerkit/minerkit/substrate"
	"golang.org/x/crypto/blake2b"
)

// Features is what the connected runtime offers, detected from its metadata
// (and its runtime version) once per spec_version.
type Features struct {
	SpecName    string `json:"spec_name"`
	SpecVersion uint32 `json:"spec_version"`
	TxVersion   uint32 `json:"transaction_version"`
	// MetadataVersion is 15 when the node served v15 metadata (runtime API
	// types known), else 14.
	MetadataVersion uint8 `json:"metadata_version"`
	// DynamicTAO is true when stake lives in TotalHotkeyAlpha(hotkey, netuid)
	// (dynamic TAO); false means the old TotalHotkeyStake(hotkey).
	DynamicTAO bool `json:"dynamic_tao"`
	// EpochEveryTempo: epochs run every Tempo blocks anchored on
	// LastEpochBlock (HEAD should_run_epoch); false means the older rule,
	// one epoch every Tempo + 1 blocks.
	EpochEveryTempo bool `json:"epoch_every_tempo"`
	// AddStakeNetuid: add_stake takes (hotkey, netuid, amount) rather than
	// (hotkey, amount).
	AddStakeNetuid bool `json:"add_stake_netuid"`
	// RegisterLimit: SubtensorModule.register_limit(netuid, hotkey,
	// limit_price) exists, so --max-burn is enforced by the chain itself.
	RegisterLimit bool `json:"register_limit"`
	// CommitmentMaxFields is Commitments.MaxFields (0 when there is no
	// Commitments pallet).
	CommitmentMaxFields int `json:"commitment_max_fields"`
	// CommitmentBigRaw: the Data enum has BigRaw (up to 512 bytes).
	CommitmentBigRaw bool `json:"commitment_big_raw"`
	// MetagraphAPI: SubnetInfoRuntimeApi_get_metagraph is available (and,
	// with v15 metadata, its layout is the one DecodeMetagraph reads).
	MetagraphAPI bool `json:"metagraph_api"`
	// MetagraphLayout is the detected layout of the Metagraph struct.
	MetagraphLayout MetagraphLayout `json:"-"`
	// NeuronLiteLayout is NeuronInfoLite as the runtime declares it (v15;
	// the zero layout where its API returns opaque bytes).
	NeuronLiteLayout NeuronLiteLayout `json:"-"`
	// NeuronsLiteAPI: NeuronInfoRuntimeApi is available.
	NeuronsLiteAPI bool `json:"neurons_lite_api"`
	// TransferKeepAlive / TransferAllowDeath name the Balances calls found.
	TransferKeepAlive  string `json:"transfer_keep_alive"`
	TransferAllowDeath string `json:"transfer_allow_death"`
}

// metagraphFields is the field order of the current Metagraph struct.
var metagraphFields = []string{
	"netuid", "name", "symbol", "identity", "network_registered_at", "owner_hotkey", "owner_coldkey",
	"block", "tempo", "last_step", "blocks_since_last_step", "subnet_emission", "alpha_in", "alpha_out",
	"tao_in", "alpha_out_emission", "alpha_in_emission", "tao_in_emission", "pending_alpha_emission",
	"pending_root_emission", "subnet_volume", "moving_price", "rho", "kappa", "min_allowed_weights",
	"max_weights_limit", "weights_version", "weights_rate_limit", "activity_cutoff", "max_validators",
	"num_uids", "max_uids", "burn", "difficulty", "registration_allowed", "pow_registration_allowed",
	"immunity_period", "min_difficulty", "max_difficulty", "min_burn", "max_burn", "adjustment_alpha",
	"adjustment_interval", "target_regs_per_interval", "max_regs_per_block", "serving_rate_limit",
	"commit_reveal_weights_enabled", "commit_reveal_period", "liquid_alpha_enabled", "alpha_high",
	"alpha_low", "bonds_moving_avg", "hotkeys", "coldkeys", "identities", "axons", "active",
	"validator_permit", "pruning_score", "last_update", "emission", "dividends", "incentives", "consensus",
	"trust", "rank", "block_at_registration", "alpha_stake", "tao_stake", "total_stake",
	"tao_dividends_per_hotkey", "alpha_dividends_per_hotkey",
}

// runtimeAPIID is the 8-byte id a runtime version lists for an API trait:
// blake2b-64 of its name.
func runtimeAPIID(name string) [8]byte {
	h, _ := blake2b.New(8, nil)
	h.Write([]byte(name))
	var id [8]byte
	copy(id[:], h.Sum(nil))
	return id
}

// detectFeatures reads Features from metadata and the runtime version's API
// list (apis holds the 8-byte ids; nil when unknown).
func detectFeatures(md *substrate.Metadata, specName string, spec, tx uint32, apis [][]byte) Features {
	f := Features{SpecName: specName, SpecVersion: spec, TxVersion: tx, MetadataVersion: md.Version}
	if p, ok := md.Pallet("SubtensorModule"); ok {
		_, f.DynamicTAO = p.StorageEntry("TotalHotkeyAlpha")
		_, f.EpochEveryTempo = p.StorageEntry("LastEpochBlock")
		if v, ok := p.Call("add_stake"); ok {
			f.AddStakeNetuid = slices.ContainsFunc(v.Fields, func(fl substrate.Field) bool { return fl.Name == "netuid" })
		}
		_, f.RegisterLimit = p.Call("register_limit")
	}
	if p, ok := md.Pallet("Commitments"); ok {
		if c, ok := p.Constant("MaxFields"); ok && len(c.Value) == 4 {
			f.CommitmentMaxFields = int(le32(c.Value))
		} else {
			f.CommitmentMaxFields = 3
		}
		if v, ok := p.Call("set_commitment"); ok {
			f.CommitmentBigRaw = dataHasBigRaw(md.Types, v)
		}
	}
	if p, ok := md.Pallet("Balances"); ok {
		for _, n := range []string{"transfer_keep_alive"} {
			if _, ok := p.Call(n); ok {
				f.TransferKeepAlive = n
			}
		}
		for _, n := range []string{"transfer_allow_death", "transfer"} {
			if _, ok := p.Call(n); ok {
				f.TransferAllowDeath = n
				break
			}
		}
	}
	has := func(api string) bool {
		if md.Version >= 15 {
			_, ok := md.RuntimeAPI(api)
			return ok
		}
		if apis == nil {
			return true // unknown: try, and fall back on failure
		}
		id := runtimeAPIID(api)
		for _, a := range apis {
			if string(a) == string(id[:]) {
				return true
			}
		}
		return false
	}
	f.NeuronsLiteAPI = has("NeuronInfoRuntimeApi")
	f.MetagraphAPI = has("SubnetInfoRuntimeApi")
	if f.MetagraphAPI && md.Version >= 15 {
		f.MetagraphLayout, f.MetagraphAPI = metagraphLayoutFromV15(md)
	}
	if f.NeuronsLiteAPI && md.Version >= 15 {
		f.NeuronLiteLayout = neuronLiteLayoutFromV15(md)
	}
	return f
}

// dataHasBigRaw looks for the BigRaw variant in the Data type reached from
// set_commitment's info argument.
func dataHasBigRaw(r *substrate.Registry, call *substrate.Variant) bool {
	seen := map[substrate.TypeID]bool{}
	var walk func(id substrate.TypeID, depth int) bool
	walk = func(id substrate.TypeID, depth int) bool {
		if depth > 8 || seen[id] {
			return false
		}
		seen[id] = true
		t, ok := r.Type(id)
		if !ok {
			return false
		}
		switch t.Kind {
		case substrate.KindVariant:
			if _, ok := t.VariantByName("BigRaw"); ok {
				return true
			}
			for _, v := range t.Variants {
				for _, fl := range v.Fields {
					if walk(fl.Type, depth+1) {
						return true
					}
				}
			}
		case substrate.KindComposite:
			for _, fl := range t.Fields {
				if walk(fl.Type, depth+1) {
					return true
				}
			}
		case substrate.KindSequence, substrate.KindArray:
			return walk(t.Elem, depth+1)
		}
		return false
	}
	for _, fl := range call.Fields {
		if walk(fl.Type, 0) {
			return true
		}
	}
	return false
}

// metagraphLayoutFromV15 reads get_metagraph's output type: the runtime's
// Metagraph fields by name and type (DecodeMetagraph reads known ones by
// name and skips the rest) and the identity field counts. ok is false when
// the output is not an Option of a struct with hotkeys (the client then
// uses get_neurons_lite).
func metagraphLayoutFromV15(md *substrate.Metadata) (MetagraphLayout, bool) {
	m, err := md.LookupRuntimeAPI("SubnetInfoRuntimeApi", "get_metagraph")
	if err != nil {
		return MetagraphLayout{}, false
	}
	r := md.Types
	t, ok := r.Type(m.Output)
	if !ok || t.Kind != substrate.KindVariant {
		return MetagraphLayout{}, false
	}
	some, ok := t.VariantByName("Some")
	if !ok || len(some.Fields) != 1 {
		return MetagraphLayout{}, false
	}
	mt, ok := r.Type(some.Fields[0].Type)
	if !ok || mt.Kind != substrate.KindComposite {
		return MetagraphLayout{}, false
	}
	l := MetagraphLayout{reg: r}
	hotkeys := false
	for _, fl := range mt.Fields {
		f := layoutField{name: fl.Name, typ: fl.Type}
		switch fl.Name {
		case "identity":
			l.SubnetIdentityFields = optionInnerFieldCount(r, fl.Type)
			f.skip = l.SubnetIdentityFields <= 0
		case "identities":
			if st, ok := r.Type(fl.Type); ok && st.Kind == substrate.KindSequence {
				l.ChainIdentityFields = optionInnerFieldCount(r, st.Elem)
			}
			f.skip = l.ChainIdentityFields <= 0
		case "hotkeys":
			hotkeys = true
		}
		l.fields = append(l.fields, f)
	}
	if !hotkeys {
		return MetagraphLayout{}, false
	}
	if l.SubnetIdentityFields <= 0 {
		l.SubnetIdentityFields = 0 // withDefaults; the field is skipped
	}
	if l.ChainIdentityFields <= 0 {
		l.ChainIdentityFields = 0
	}
	return l, true
}

// optionInnerFieldCount returns the number of fields of T in Option<T>, if
// every field is a byte string; else -1.
func optionInnerFieldCount(r *substrate.Registry, id substrate.TypeID) int {
	t, ok := r.Type(id)
	if !ok || t.Kind != substrate.KindVariant {
		return -1
	}
	some, ok := t.VariantByName("Some")
	if !ok || len(some.Fields) != 1 {
		return -1
	}
	in, ok := r.Type(some.Fields[0].Type)
	if !ok || in.Kind != substrate.KindComposite {
		return -1
	}
	for _, fl := range in.Fields {
		ft, ok := r.Type(fl.Type)
		if !ok || ft.Kind != substrate.KindSequence {
			return -1
		}
		et, ok := r.Type(ft.Elem)
		if !ok || et.Kind != substrate.KindPrimitive || et.Primitive != substrate.PrimU8 {
			return -1
		}
	}
	return len(in.Fields)
}
