package devnet

import (
	"fmt"
	"time"

	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// Runtime identity. spec_version moves when the devnet's metadata changes
// in a way clients could notice.
const (
	specName           = "node-subtensor"
	specVersion        = 425
	transactionVersion = 1
)

// Runtime generations the devnet can present (Genesis.Runtime).
const (
	// RuntimeHEAD is subtensor HEAD (14bc6f9, spec 425): get_metagraph and
	// mechagraphs, commit-reveal on, register_limit, burn decay, epochs
	// every tempo blocks, TaoWeight one value. The default.
	RuntimeHEAD = "head"
	// RuntimeSpec218 is node-subtensor spec 218, the runtime
	// ../shared/realchain serves: no get_metagraph (clients read
	// get_neurons_lite, whose stake list is empty, and storage), TaoWeight
	// a map by netuid, Alpha a plain u64, its own extension list and
	// error and event indices, epochs on (n + netuid + 1) % (tempo + 1),
	// a fixed burn and a per-block registration cap. Its metadata is held
	// against the real one (devnet/testdata/spec218-metadata.scale.gz).
	RuntimeSpec218 = "spec218"
)

// spec218Version is the spec_version RuntimeSpec218 reports.
const spec218Version = 218

// spec218Extensions is spec 218's transaction extension list (its
// metadata's extrinsic.signed_extensions); only CheckMortality, CheckNonce,
// ChargeTransactionPayment (a compact tip) and CheckMetadataHash carry data.
var spec218Extensions = []string{
	"CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality", "CheckNonce",
	"CheckWeight", "ChargeTransactionPayment", "SubtensorSignedExtension", "CommitmentsSignedExtension", "CheckMetadataHash",
}

// signedExtensions is the transaction extension list of subtensor HEAD,
// spec 425 (runtime/src/lib.rs TxExtension: SystemTxExtension,
// CustomTxExtension, CheckMetadataHash). Only CheckMortality, CheckNonce,
// ChargeTransactionPaymentWrapper (a compact tip) and CheckMetadataHash
// carry data; subtensor's own extensions are empty.
var signedExtensions = []string{
	"CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality", "CheckNonce",
	"CheckWeight", "ChargeTransactionPaymentWrapper", "SudoTransactionExtension", "CheckShieldedTxValidity",
	"SubtensorTransactionExtension", "DrandPriority", "CheckMetadataHash",
}

// palletSpec is one pallet's calls, errors and events.
type palletSpec struct {
	name   string
	index  uint8
	calls  map[uint8]*callSpec
	order  []*callSpec
	errors *errorTable
}

// runtime is the devnet's state transition function and its description.
type runtime struct {
	cfg       *Genesis
	spec218   bool   // RuntimeSpec218's shape, else HEAD's
	version   uint32 // spec_version
	exts      []string
	apis      []runtimeAPI
	blockTime time.Duration // Timestamp.MinimumPeriod is half of it
	pallets   map[uint8]*palletSpec
	errs      map[uint8]*errorTable
	meta      *substrate.Metadata
	metaBytes []byte // "meta" || 14 || RuntimeMetadataV14 (state_getMetadata)
	metaV15   []byte // "meta" || 15 || RuntimeMetadataV15 (Metadata_metadata_at_version(15))
}

func newRuntime(g *Genesis, blockTime time.Duration) (*runtime, error) {
	rt := &runtime{cfg: g, blockTime: blockTime, pallets: make(map[uint8]*palletSpec), errs: make(map[uint8]*errorTable),
		version: specVersion, exts: signedExtensions, apis: runtimeAPIs}
	switch g.Runtime {
	case "", RuntimeHEAD:
	case RuntimeSpec218:
		rt.spec218, rt.version, rt.exts, rt.apis = true, spec218Version, spec218Extensions, spec218APIs
	default:
		return nil, fmt.Errorf("devnet: genesis runtime %q: want %q or %q", g.Runtime, RuntimeHEAD, RuntimeSpec218)
	}
	add := func(name string, index uint8, errs []moduleError, calls ...*callSpec) {
		p := &palletSpec{name: name, index: index, calls: make(map[uint8]*callSpec)}
		for _, c := range calls {
			c.pallet = index
			p.calls[c.index] = c
			p.order = append(p.order, c)
		}
		if errs != nil {
			p.errors = newErrorTable(index, errs)
			rt.errs[index] = p.errors
		}
		rt.pallets[index] = p
	}
	a := func(name string, k argKind, typeName string) argSpec {
		return argSpec{name: name, kind: k, typeName: typeName}
	}
	dest := a("dest", argMultiAddress, "AccountIdLookupOf<T>")
	value := a("value", argCompactU64, "T::Balance")
	netuid := a("netuid", argU16, "NetUid")
	hotkey := a("hotkey", argAccount, "T::AccountId")

	add("System", palletSystem, nil,
		&callSpec{index: 0, name: "remark", args: []argSpec{a("remark", argBytes, "Vec<u8>")}, fn: callRemark, docs: "Make some on-chain remark."},
		&callSpec{index: 7, name: "remark_with_event", args: []argSpec{a("remark", argBytes, "Vec<u8>")}, fn: callRemarkWithEvent, docs: "Make some on-chain remark and emit an event."},
	)
	add("Balances", palletBalances, balancesErrors(),
		&callSpec{index: 0, name: "transfer_allow_death", args: []argSpec{dest, value}, fn: callTransferAllowDeath, docs: "Transfer some liquid free balance to another account."},
		&callSpec{index: 3, name: "transfer_keep_alive", args: []argSpec{dest, value}, fn: callTransferKeepAlive, docs: "Same as transfer_allow_death but refuses to kill the sender."},
		&callSpec{index: 4, name: "transfer_all", args: []argSpec{dest, a("keep_alive", argBool, "bool")}, fn: callTransferAll, docs: "Transfer the entire transferable balance."},
		&callSpec{index: 8, name: "force_set_balance", args: []argSpec{a("who", argMultiAddress, "AccountIdLookupOf<T>"), a("new_free", argCompactU64, "T::Balance")}, fn: callForceSetBalance, docs: "Set the free balance of an account (root)."},
	)
	add("Timestamp", palletTimestamp, nil,
		&callSpec{index: 0, name: "set", free: true, args: []argSpec{a("now", argCompactU64, "T::Moment")}, fn: callTimestampSet, docs: "Set the current time (inherent)."},
	)
	add("TransactionPayment", palletTransactionPayment, nil)
	subtensorCalls := []*callSpec{
		&callSpec{index: 0, name: "set_weights", free: true, args: []argSpec{netuid, a("dests", argVecU16, "Vec<u16>"), a("weights", argVecU16, "Vec<u16>"), a("version_key", argU64, "u64")}, fn: callSetWeights, docs: "Set the calling validator's weights on a subnet."},
		&callSpec{index: 2, name: "add_stake", args: []argSpec{hotkey, netuid, a("amount_staked", argU64, "TaoBalance")}, fn: callAddStake, docs: "Stake TAO from the signing coldkey to a hotkey on a subnet."},
		&callSpec{index: 3, name: "remove_stake", args: []argSpec{hotkey, netuid, a("amount_unstaked", argU64, "AlphaBalance")}, fn: callRemoveStake, docs: "Unstake from a hotkey on a subnet back to the signing coldkey."},
		&callSpec{index: 4, name: "serve_axon", free: true, args: []argSpec{netuid, a("version", argU32, "u32"), a("ip", argU128, "u128"), a("port", argU16, "u16"),
			a("ip_type", argU8, "u8"), a("protocol", argU8, "u8"), a("placeholder1", argU8, "u8"), a("placeholder2", argU8, "u8")}, fn: callServeAxon, docs: "Publish the signing hotkey's axon endpoint."},
		&callSpec{index: 5, name: "serve_prometheus", free: true, args: []argSpec{netuid, a("version", argU32, "u32"), a("ip", argU128, "u128"), a("port", argU16, "u16"),
			a("ip_type", argU8, "u8")}, fn: callServePrometheus, docs: "Publish the signing hotkey's Prometheus endpoint."},
		&callSpec{index: 7, name: "burned_register", args: []argSpec{netuid, hotkey}, fn: callBurnedRegister, docs: "Register a hotkey on a subnet by burning the subnet's Burn price from the signing coldkey."},
	}
	if rt.spec218 {
		subtensorCalls = append(subtensorCalls,
			&callSpec{index: 59, name: "register_network", args: []argSpec{hotkey, a("mechid", argU16, "u16")}, fn: callRegisterNetwork, docs: "Create a subnet owned by the signing coldkey."})
	} else {
		subtensorCalls = append(subtensorCalls,
			&callSpec{index: 119, name: "set_mechanism_weights", free: true, args: []argSpec{netuid, a("mecid", argU8, "MechId"), a("dests", argVecU16, "Vec<u16>"),
				a("weights", argVecU16, "Vec<u16>"), a("version_key", argU64, "u64")}, fn: callSetMechanismWeights, docs: "Set the calling validator's weights on one mechanism of a subnet."},
			&callSpec{index: 134, name: "register_limit", args: []argSpec{netuid, hotkey, a("limit_price", argU64, "u64")}, fn: callRegisterLimit, docs: "Register like burned_register, but fail if the burn price is above limit_price."},
			&callSpec{index: 59, name: "register_network", args: []argSpec{hotkey}, fn: callRegisterNetwork, docs: "Create a subnet owned by the signing coldkey."})
	}
	add("SubtensorModule", palletSubtensor, subtensorErrors(rt.spec218), subtensorCalls...)

	add("Sudo", palletSudo, sudoErrors(),
		&callSpec{index: 0, name: "sudo", free: true, args: []argSpec{a("call", argCall, "Box<<T as Config>::RuntimeCall>")}, fn: callSudo, docs: "Dispatch a call with Root origin."},
		&callSpec{index: 2, name: "set_key", free: true, args: []argSpec{a("new", argMultiAddress, "AccountIdLookupOf<T>")}, fn: callSudoSetKey, docs: "Set the sudo key."},
	)
	add("Commitments", palletCommitments, commitmentsErrors(rt.spec218),
		&callSpec{index: 0, name: "set_commitment", free: true, args: []argSpec{netuid, a("info", argCommitmentInfo, "Box<CommitmentInfo<T::MaxFields>>")}, fn: callSetCommitment, docs: "Set the signing hotkey's commitment on a subnet."},
	)
	rateU64 := func(idx uint8, name, arg, item string, owner bool, ev uint8) *callSpec {
		return &callSpec{index: idx, name: name, args: []argSpec{netuid, a(arg, argU64, "u64")}, fn: adminSetterU64(item, owner, ev)}
	}
	u16Setter := func(idx uint8, name, arg, item string, owner bool, ev uint8, check func(*exec, uint16, uint16) error) *callSpec {
		return &callSpec{index: idx, name: name, args: []argSpec{netuid, a(arg, argU16, "u16")}, fn: adminSetterU16(item, owner, ev, check)}
	}
	adminCalls := []*callSpec{
		rateU64(3, "sudo_set_serving_rate_limit", "serving_rate_limit", "ServingRateLimit", true, evServingRateLimitSet),
		rateU64(6, "sudo_set_weights_version_key", "weights_version_key", "WeightsVersionKey", true, evWeightsVersionKeySet),
		rateU64(7, "sudo_set_weights_set_rate_limit", "weights_set_rate_limit", "WeightsSetRateLimit", false, evWeightsSetRateLimitSet),
		u16Setter(13, "sudo_set_immunity_period", "immunity_period", "ImmunityPeriod", true, evImmunityPeriodSet, nil),
		u16Setter(15, "sudo_set_max_allowed_uids", "max_allowed_uids", "MaxAllowedUids", false, evMaxAllowedUidsSet, checkMaxUids),
		u16Setter(25, "sudo_set_max_allowed_validators", "max_allowed_validators", "MaxAllowedValidators", false, evMaxAllowedValidatorsSet, checkMaxValidators),
		u16Setter(30, "sudo_set_tempo", "tempo", "Tempo", false, evTempoSet, func(x *exec, netuid, _ uint16) error {
			x.anchorEpochs(netuid, false) // the call is transactional: undone if it fails
			return nil
		}),
		&callSpec{index: 49, name: "sudo_set_commit_reveal_weights_enabled", args: []argSpec{netuid, a("enabled", argBool, "bool")}, fn: callSetCommitReveal},
	}
	if !rt.spec218 {
		adminCalls = append(adminCalls,
			&callSpec{index: 76, name: "sudo_set_mechanism_count", args: []argSpec{netuid, a("mechanism_count", argU8, "MechId")}, fn: callSetMechanismCount,
				docs: "Set the number of mechanisms of a subnet (owner or root)."},
			&callSpec{index: 77, name: "sudo_set_mechanism_emission_split", args: []argSpec{netuid, a("maybe_split", argOptVecU16, "Option<Vec<u16>>")}, fn: callSetMechanismEmissionSplit,
				docs: "Set how a subnet's emission is split between its mechanisms, in parts of 65535 (owner or root)."})
	}
	add("AdminUtils", palletAdminUtils, adminErrors(), adminCalls...)
	if err := rt.buildMetadata(); err != nil {
		return nil, err
	}
	return rt, nil
}

// decodeCall reads a call: pallet index, call index, arguments.
func (rt *runtime) decodeCall(d *scale.Decoder, depth int) (*call, error) {
	start := d.Offset()
	pi, err := d.U8()
	if err != nil {
		return nil, err
	}
	ci, err := d.U8()
	if err != nil {
		return nil, err
	}
	p := rt.pallets[pi]
	if p == nil {
		return nil, fmt.Errorf("devnet: no pallet with index %d", pi)
	}
	spec := p.calls[ci]
	if spec == nil {
		return nil, fmt.Errorf("devnet: pallet %s has no call with index %d", p.name, ci)
	}
	c := &call{spec: spec, args: make([]any, len(spec.args))}
	for i, arg := range spec.args {
		if c.args[i], err = rt.decodeArg(d, arg.kind, depth); err != nil {
			return nil, fmt.Errorf("devnet: %s.%s argument %s: %w", p.name, spec.name, arg.name, err)
		}
	}
	c.raw = d.Since(start)
	return c, nil
}
