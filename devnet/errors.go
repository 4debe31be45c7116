package devnet

import (
	"errors"
	"fmt"
)

// Pallet indices, as on finney.
const (
	palletSystem             uint8 = 0
	palletTimestamp          uint8 = 2
	palletBalances           uint8 = 5
	palletTransactionPayment uint8 = 6
	palletSubtensor          uint8 = 7
	palletSudo               uint8 = 12
	palletCommitments        uint8 = 18
	palletAdminUtils         uint8 = 19
)

// DispatchError variants used by the devnet (sp_runtime::DispatchError).
const (
	deOther        uint8 = 0
	deCannotLookup uint8 = 1
	deBadOrigin    uint8 = 2
	deModule       uint8 = 3
	deToken        uint8 = 7
	deArithmetic   uint8 = 8
)

// Token errors (sp_runtime::TokenError).
const (
	tokenFundsUnavailable uint8 = 0
	tokenBelowMinimum     uint8 = 2
	tokenNotExpendable    uint8 = 8
)

// dispatchError is why a call failed; it is written into
// System.ExtrinsicFailed exactly as the real runtime encodes it.
type dispatchError struct {
	kind   uint8 // DispatchError variant
	pallet uint8 // Module: pallet index
	index  uint8 // Module: error index; Token/Arithmetic: the inner variant
	name   string
}

func (e *dispatchError) Error() string { return "devnet: dispatch error " + e.name }

func (e *dispatchError) appendSCALE(b []byte) []byte {
	b = append(b, e.kind)
	switch e.kind {
	case deModule:
		b = append(b, e.pallet, e.index, 0, 0, 0)
	case deToken, deArithmetic:
		b = append(b, e.index)
	}
	return b
}

// asDispatchError turns any error from a call into a dispatchError
// (DispatchError::Other when it is not one already).
func asDispatchError(err error) *dispatchError {
	var de *dispatchError
	if errors.As(err, &de) {
		return de
	}
	return &dispatchError{kind: deOther, name: "Other"}
}

// moduleError is one entry of a pallet's Error enum.
type moduleError struct {
	index uint8
	name  string
	docs  string
}

// errorTable is a pallet's error enum; lookups by name panic on a typo,
// which the tests catch (the names are constants of this package, never
// outside input).
type errorTable struct {
	pallet uint8
	byName map[string]moduleError
	list   []moduleError
}

func newErrorTable(pallet uint8, list []moduleError) *errorTable {
	t := &errorTable{pallet: pallet, byName: make(map[string]moduleError, len(list)), list: list}
	for _, e := range list {
		t.byName[e.name] = e
	}
	return t
}

func (t *errorTable) err(name string) *dispatchError {
	e, ok := t.byName[name]
	if !ok {
		e, ok = t.byName[errorAliases[name]]
		name = e.name
	}
	if !ok {
		panic(fmt.Sprintf("devnet: no error %q in pallet %d", name, t.pallet))
	}
	return &dispatchError{kind: deModule, pallet: t.pallet, index: e.index, name: name}
}

var (
	errBadOrigin       = &dispatchError{kind: deBadOrigin, name: "BadOrigin"}
	errFundsUnavail    = &dispatchError{kind: deToken, index: tokenFundsUnavailable, name: "Token(FundsUnavailable)"}
	errBelowMinimum    = &dispatchError{kind: deToken, index: tokenBelowMinimum, name: "Token(BelowMinimum)"}
	errNotExpendable   = &dispatchError{kind: deToken, index: tokenNotExpendable, name: "Token(NotExpendable)"}
	errArithOverflow   = &dispatchError{kind: deArithmetic, index: 1, name: "Arithmetic(Overflow)"}
	errOtherDispatchFn = &dispatchError{kind: deOther, name: "Other"}
)

func me(i uint8, name, docs string) moduleError { return moduleError{index: i, name: name, docs: docs} }

// The error enums. Indices follow finney's metadata; docs say what to do.
func balancesErrors() []moduleError {
	return []moduleError{
		me(0, "VestingBalance", "Vesting balance too high to send value."),
		me(1, "LiquidityRestrictions", "Account liquidity restrictions prevent withdrawal."),
		me(2, "InsufficientBalance", "Balance too low to send value."),
		me(3, "ExistentialDeposit", "Value too low to create account due to existential deposit."),
		me(4, "Expendability", "Transfer/payment would kill account."),
		me(6, "DeadAccount", "Beneficiary account must pre-exist."),
	}
}

// subtensorErrors lists SubtensorModule's errors the devnet raises, at
// HEAD's indices (pallets/subtensor/src/macros/errors.rs, 14bc6f9) or spec
// 218's (its metadata); -1 where that runtime has no such error. Where
// HEAD renamed an error, the devnet raises the old name and the table maps
// it (errorAliases).
func subtensorErrors(spec218 bool) []moduleError {
	all := []struct {
		head, s218 int
		name, docs string
	}{
		{-1, 0, "SubNetworkDoesNotExist", "The subnet does not exist."},
		{76, 90, "SubnetNotExists", "The subnet does not exist."},
		{0, 1, "RootNetworkDoesNotExist", "The root network does not exist."},
		{1, 2, "InvalidIpType", "The IP type is not 4 or 6."},
		{2, 3, "InvalidIpAddress", "The IP address is not routable (0, broadcast or 127.0.0.1)."},
		{3, 4, "InvalidPort", "The port is 0."},
		{4, 5, "HotKeyNotRegisteredInSubNet", "The hotkey is not registered in this subnet."},
		{5, 6, "HotKeyAccountNotExists", "The hotkey account does not exist."},
		{6, 7, "HotKeyNotRegisteredInNetwork", "The hotkey is not registered in any subnet."},
		{7, 8, "NonAssociatedColdKey", "The coldkey does not own this hotkey."},
		{-1, 10, "StakeToWithdrawIsZero", "The amount to unstake is zero."},
		{82, -1, "AmountTooLow", "The amount is zero or below the minimum."},
		{9, 12, "NotEnoughStakeToWithdraw", "The hotkey has less stake than asked for."},
		{10, 13, "NotEnoughStakeToSetWeights", "The hotkey's stake is below the weights threshold."},
		{12, 14, "NotEnoughBalanceToStake", "The coldkey's free balance is too low for the stake or burn."},
		{15, 17, "NeuronNoValidatorPermit", "The neuron has no validator permit."},
		{16, 18, "WeightVecNotEqualSize", "dests and weights differ in length."},
		{17, 19, "DuplicateUids", "dests repeat a UID."},
		{18, 20, "UidVecContainInvalidOne", "dests contain a UID that does not exist."},
		{19, 21, "WeightVecLengthIsLow", "Fewer weights than MinAllowedWeights."},
		{20, 22, "TooManyRegistrationsThisBlock", "The subnet's registrations for this block are used up; retry next block."},
		{21, 23, "HotKeyAlreadyRegisteredInSubNet", "The hotkey already has a UID in this subnet."},
		{27, 28, "MaxWeightExceeded", "A weight exceeds MaxWeightsLimit."},
		{29, 30, "SettingWeightsTooFast", "WeightsSetRateLimit blocks have not passed since the last set_weights."},
		{30, 31, "IncorrectWeightVersionKey", "version_key is below the subnet's WeightsVersionKey."},
		{31, 32, "ServingRateLimitExceeded", "ServingRateLimit blocks have not passed since the last serve_axon."},
		{32, 33, "UidsLengthExceedUidsInSubNet", "More weights than neurons."},
		{41, 44, "NotSubnetOwner", "The signer does not own the subnet."},
		{42, 45, "RegistrationNotPermittedOnRootSubnet", "Registering on the root subnet is not supported."},
		{48, 51, "NoNeuronIdAvailable", "The subnet is full and every neuron is immune."},
		{53, 57, "CommitRevealEnabled", "Commit-reveal is on: commit and reveal weights instead."},
		{74, 88, "MechanismDoesNotExist", "The subnet has no mechanism with this index."},
		{114, -1, "InvalidValue", "The value is out of range."},
		{125, -1, "TooManyUIDsPerMechanism", "MaxAllowedUids times the mechanism count exceeds the chain's limit."},
		{134, -1, "RegistrationPriceLimitExceeded", "The burn price is above the caller's limit_price."},
	}
	var out []moduleError
	for _, e := range all {
		i := e.head
		if spec218 {
			i = e.s218
		}
		if i >= 0 {
			out = append(out, me(uint8(i), e.name, e.docs))
		}
	}
	return out
}

// errorAliases maps an error the devnet raises to the one a runtime that
// renamed it raises instead (HEAD: SubnetNotExists, AmountTooLow).
var errorAliases = map[string]string{
	"SubNetworkDoesNotExist": "SubnetNotExists",
	"StakeToWithdrawIsZero":  "AmountTooLow",
}

func sudoErrors() []moduleError {
	return []moduleError{me(0, "RequireSudo", "Sender must be the Sudo account.")}
}

// commitmentsErrors: HEAD limits commitments by space per tempo
// (pallets/commitments/src/lib.rs), spec 218 by a rate limit.
func commitmentsErrors(spec218 bool) []moduleError {
	if spec218 {
		return []moduleError{
			me(0, "TooManyFieldsInCommitmentInfo", "More fields than MaxFields."),
			me(1, "AccountNotAllowedCommit", "The account is not registered in the subnet."),
			me(2, "CommitmentSetRateLimitExceeded", "Commitments are rate limited; wait a few blocks."),
		}
	}
	return []moduleError{
		me(0, "TooManyFieldsInCommitmentInfo", "More fields than MaxFields."),
		me(1, "AccountNotAllowedCommit", "The account is not registered in the subnet."),
		me(2, "SpaceLimitExceeded", "The commitment space for this tempo is used up."),
		me(3, "UnexpectedUnreserveLeftover", "Internal: deposit leftover."),
	}
}

func adminErrors() []moduleError {
	return []moduleError{
		me(0, "SubnetDoesNotExist", "The subnet does not exist."),
		me(1, "MaxValidatorsLargerThanMaxUIds", "MaxAllowedValidators cannot exceed MaxAllowedUids."),
		me(2, "MaxAllowedUIdsLessThanCurrentUIds", "MaxAllowedUids cannot go below the current neuron count."),
	}
}
