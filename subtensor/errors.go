package subtensor

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Sentinel errors. Test with errors.Is.
var (
	// ErrNotEnoughBalance: the coldkey cannot pay (the error text says how
	// much is needed and how much there is).
	ErrNotEnoughBalance = errors.New("subtensor: not enough balance")
	// ErrPriceAboveLimit: the burn price is above the caller's limit
	// (RegisterOptions.MaxBurn; *PriceAboveLimitError carries both).
	ErrPriceAboveLimit = errors.New("subtensor: burn price above the limit")
	// ErrDeclined: the Confirm callback said no; nothing was sent.
	ErrDeclined = errors.New("subtensor: declined, nothing was sent")
	// ErrNotRegistered: the hotkey has no UID on the subnet.
	ErrNotRegistered = errors.New("subtensor: hotkey not registered on the subnet")
	// ErrNoSubnet: the subnet does not exist.
	ErrNoSubnet = errors.New("subtensor: subnet does not exist")
	// ErrUnsupported: the connected runtime lacks something this call needs.
	ErrUnsupported = errors.New("subtensor: not supported by this runtime")
	// ErrNoEndpoint: the Network has no endpoint to dial.
	ErrNoEndpoint = errors.New("subtensor: network has no endpoint")
	// ErrZeroAmount: a stake or transfer of nothing.
	ErrZeroAmount = errors.New("subtensor: amount is zero")
)

// PriceAboveLimitError is a registration refused before paying: the burn
// price is above the caller's limit. errors.Is(err, ErrPriceAboveLimit).
type PriceAboveLimitError struct {
	Price, Limit Rao
}

func (e *PriceAboveLimitError) Error() string {
	return fmt.Sprintf("%v: the burn price is %s, above the limit %s; wait for it to fall or raise the limit", ErrPriceAboveLimit, e.Price, e.Limit)
}

// Is reports ErrPriceAboveLimit.
func (e *PriceAboveLimitError) Is(target error) bool { return target == ErrPriceAboveLimit }

// BalanceError is a call refused before sending: the account cannot pay.
// errors.Is(err, ErrNotEnoughBalance).
type BalanceError struct {
	// Need and Have are what the call needs and the free balance.
	Need, Have Rao
	// Account is the SS58 address that pays.
	Account string
	// Advice says what to do next.
	Advice string
}

func (e *BalanceError) Error() string {
	msg := fmt.Sprintf("%v: need %s, have %s in %s", ErrNotEnoughBalance, e.Need, e.Have, e.Account)
	if e.Advice != "" {
		msg += "; " + e.Advice
	}
	return msg
}

// Is reports ErrNotEnoughBalance.
func (e *BalanceError) Is(target error) bool { return target == ErrNotEnoughBalance }

// AxonAddrError is an axon address that CheckAxonAddr refuses: one the chain
// refuses or that no validator can reach.
type AxonAddrError struct {
	IP   netip.Addr
	Port uint16
	// Field is what is wrong: "ip" or "port".
	Field string
	// Reason says why, and what to pass instead.
	Reason string
}

func (e *AxonAddrError) Error() string { return "subtensor: " + e.Reason }

// ChainError is a transaction that the chain executed and rejected
// (System.ExtrinsicFailed with a module error), or refused to execute. Its
// text names the error and says what to do next.
type ChainError struct {
	// Pallet and Name identify a module error ("SubtensorModule",
	// "HotKeyAlreadyRegisteredInSubNet"); empty for other dispatch errors.
	Pallet, Name string
	// Docs is the runtime's documentation of the error.
	Docs string
	// Advice says what to do next.
	Advice string
	// Block is the block the failed extrinsic is in (0 if it never got in).
	Block uint64
	// Err is the underlying error, if any.
	Err error
}

func (e *ChainError) Error() string {
	var b strings.Builder
	b.WriteString("subtensor: ")
	switch {
	case e.Name != "":
		b.WriteString(e.Pallet + "." + e.Name)
		if e.Docs != "" {
			b.WriteString(" (" + strings.TrimSuffix(strings.TrimSpace(e.Docs), ".") + ")")
		}
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString("transaction failed")
	}
	if e.Block != 0 {
		fmt.Fprintf(&b, " in block %d", e.Block)
	}
	if e.Advice != "" {
		b.WriteString(": " + e.Advice)
	}
	return b.String()
}

func (e *ChainError) Unwrap() error { return e.Err }

// Is matches the sentinel errors that a module error means.
func (e *ChainError) Is(target error) bool {
	switch target {
	case ErrNotEnoughBalance:
		return e.Name == "NotEnoughBalanceToStake" || e.Name == "InsufficientBalance" || e.Name == "BalanceWithdrawalError"
	case ErrNotRegistered:
		return e.Name == "HotKeyNotRegisteredInSubNet" || e.Name == "HotKeyNotRegisteredInNetwork" || e.Name == "HotKeyAccountNotExists"
	case ErrNoSubnet:
		return e.Name == "SubnetNotExists" || e.Name == "MechanismDoesNotExist"
	case ErrPriceAboveLimit:
		return e.Name == "RegistrationPriceLimitExceeded"
	}
	return false
}

// Advice returns what to do about a module error, or "" if nothing more
// specific than its documentation is known.
func Advice(pallet, name string) string {
	if a, ok := moduleAdvice[pallet+"."+name]; ok {
		return a
	}
	if a, ok := moduleAdvice["*."+name]; ok {
		return a
	}
	return ""
}

var moduleAdvice = map[string]string{
	"SubtensorModule.HotKeyAlreadyRegisteredInSubNet":      "this hotkey already has a UID on the subnet; nothing to do (minerkit register checks this first)",
	"SubtensorModule.NotEnoughBalanceToStake":              "the coldkey's free balance is below the amount needed; fund it (minerkit balance shows it) and retry",
	"SubtensorModule.TooManyRegistrationsThisBlock":        "the subnet's per-block registration limit is reached; retry in the next block",
	"SubtensorModule.TooManyRegistrationsThisInterval":     "the subnet's registration limit for this interval is reached; wait for the next interval (the burn price usually rises meanwhile)",
	"SubtensorModule.SubNetRegistrationDisabled":           "the subnet owner has disabled registrations; ask the owner or pick another subnet",
	"SubtensorModule.RegistrationNotPermittedOnRootSubnet": "netuid 0 is the root network; register on a subnet (netuid ≥ 1)",
	"SubtensorModule.NoNeuronIdAvailable":                  "the subnet is full and every UID is still immune; retry after the immunity period",
	"SubtensorModule.NonAssociatedColdKey":                 "this hotkey belongs to another coldkey; use that coldkey or a fresh hotkey",
	"SubtensorModule.SubnetNotExists":                      "no subnet with this netuid; check the netuid (minerkit metagraph tells whether it exists)",
	"SubtensorModule.MechanismDoesNotExist":                "no subnet with this netuid; check the netuid",
	"SubtensorModule.HotKeyNotRegisteredInSubNet":          "register the hotkey on this subnet first (minerkit register)",
	"SubtensorModule.HotKeyNotRegisteredInNetwork":         "register the hotkey on a subnet first (minerkit register)",
	"SubtensorModule.HotKeyAccountNotExists":               "the hotkey is not registered anywhere; register it first (minerkit register)",
	"SubtensorModule.InvalidIpAddress":                     "the chain refuses 0.0.0.0, 127.0.0.1, 255.255.255.255 and ::1; pass your public IP",
	"SubtensorModule.InvalidIpType":                        "the IP must be IPv4 or IPv6",
	"SubtensorModule.InvalidPort":                          "the port must be between 1 and 65535",
	"SubtensorModule.ServingRateLimitExceeded":             "axon info was set too recently; wait for the subnet's serving rate limit (a few blocks) and retry, or skip it if nothing changed",
	"SubtensorModule.SettingWeightsTooFast":                "weights were set too recently; wait for the subnet's weights rate limit and retry",
	"SubtensorModule.IncorrectWeightVersionKey":            "the subnet expects a newer weights version key; update the validator code or pass the subnet's current version key",
	"SubtensorModule.NeuronNoValidatorPermit":              "only UIDs with a validator permit may set weights on others; add stake so the next epoch grants a permit",
	"SubtensorModule.NotEnoughStakeToSetWeights":           "the hotkey's stake is below the chain's StakeThreshold for setting weights; add stake",
	"SubtensorModule.WeightVecNotEqualSize":                "uids and weights must have the same length",
	"SubtensorModule.DuplicateUids":                        "each UID may appear once in the weights",
	"SubtensorModule.UidVecContainInvalidOne":              "the weights name a UID that does not exist on the subnet; refresh the metagraph",
	"SubtensorModule.WeightVecLengthIsLow":                 "the subnet requires weights on more UIDs (MinAllowedWeights)",
	"SubtensorModule.MaxWeightExceeded":                    "one weight is above the subnet's MaxWeightsLimit; spread the weights",
	"SubtensorModule.CommitRevealEnabled":                  "this subnet uses commit-reveal; commit weights instead of setting them directly",
	"SubtensorModule.StakingRateLimitExceeded":             "staking too often; wait a block and retry",
	"SubtensorModule.AmountTooLow":                         "the amount is below the chain's minimum for this operation; use a larger amount",
	"SubtensorModule.InsufficientLiquidity":                "the subnet pool cannot absorb this amount; use a smaller amount",
	"SubtensorModule.SlippageTooHigh":                      "the price moved beyond the limit; retry or raise the limit",
	"SubtensorModule.SubtokenDisabled":                     "trading on this subnet is not enabled yet; wait for the owner to start it",
	"SubtensorModule.RegistrationPriceLimitExceeded":       "the burn price rose above the limit; retry later or raise the limit",
	"SubtensorModule.TransferDisallowed":                   "transfers of this subnet's stake are disabled",
	"SubtensorModule.TxRateLimitExceeded":                  "too many transactions of this kind; wait and retry",
	"Commitments.TooManyFieldsInCommitmentInfo":            "the runtime allows fewer fields per commitment; commit less data",
	"Commitments.AccountNotAllowedCommit":                  "only hotkeys registered on the subnet may commit; register first (minerkit register)",
	"Commitments.SpaceLimitExceeded":                       "you committed too many bytes in this tempo; wait for the next epoch or commit less",
	"Balances.InsufficientBalance":                         "the sender's free balance is too low; fund it and retry",
	"Balances.ExistentialDeposit":                          "the transfer would leave an account below the existential deposit (500 rao); send more, or keep more",
	"Balances.Expendability":                               "the transfer would reap the sender's account; keep at least the existential deposit (500 rao), or allow the account to be emptied",
	"Balances.KeepAlive":                                   "the transfer would reap the sender's account; keep at least the existential deposit (500 rao)",
	"*.BadOrigin":                                          "this call needs another signer (root or the subnet owner)",
	"Sudo.RequireSudo":                                     "only the sudo key may do this",
}

// TxError names subtensor's InvalidTransaction::Custom(n), the code of a
// transaction-pool rejection "Invalid Transaction: Custom error: n", and
// says what to do about it; ok is false for a code this client does not
// know.
func TxError(n uint8) (name, advice string, ok bool) {
	e, ok := txErrors[n]
	return e.name, e.advice, ok
}

// txErrors is subtensor's CustomTransactionError as its u8 conversion
// numbers it (common/src/transaction_error.rs, subtensor HEAD).
var txErrors = map[uint8]struct{ name, advice string }{
	0:   {"ColdkeyInSwapSchedule", "the coldkey has a swap scheduled or announced; wait for the swap to finish or use the new coldkey"},
	1:   {"StakeAmountTooLow", "the stake amount is below the network minimum; use a larger amount"},
	2:   {"BalanceTooLow", "the coldkey's balance is too low for this call; fund it (minerkit balance shows it) and retry"},
	3:   {"SubnetNotExists", "the subnet does not exist; check the netuid"},
	4:   {"HotkeyAccountDoesntExist", "the hotkey is not registered anywhere; register it first"},
	5:   {"NotEnoughStakeToWithdraw", "the stake is smaller than the amount to remove; lower the amount"},
	6:   {"RateLimitExceeded", "rate limited; wait a few blocks and retry"},
	7:   {"InsufficientLiquidity", "the subnet pool lacks liquidity for this amount; use a smaller amount"},
	8:   {"SlippageTooHigh", "the price moved beyond the limit; retry with a wider limit or a smaller amount"},
	9:   {"TransferDisallowed", "transfers are disabled for this subnet or account"},
	10:  {"HotKeyNotRegisteredInNetwork", "the hotkey is not registered on this subnet; register it first (minerkit register)"},
	11:  {"InvalidIpAddress", "the chain refuses 0.0.0.0, 127.0.0.1, 255.255.255.255, :: and ::1; pass your public IP"},
	12:  {"ServingRateLimitExceeded", "axon served too recently; wait for the serving rate limit and retry, or skip it if nothing changed"},
	13:  {"InvalidPort", "the axon port is invalid; use 1–65535"},
	14:  {"ZeroMaxAmount", "the max amount is zero; give a positive limit"},
	15:  {"InvalidRevealRound", "the commit-reveal round is invalid; commit again for the current round"},
	16:  {"CommitNotFound", "no matching weight commit; commit before revealing"},
	17:  {"CommitBlockNotInRevealRange", "the commit is outside its reveal window; commit again"},
	18:  {"InputLengthsUnequal", "uids and values have different lengths; give lists of equal length"},
	19:  {"UidNotFound", "the uid is not on this subnet; refresh the metagraph"},
	20:  {"EvmKeyAssociateRateLimitExceeded", "EVM key association is rate limited; wait and retry"},
	21:  {"ColdkeySwapDisputed", "the coldkey swap is disputed; resolve the dispute first"},
	22:  {"InvalidRealAccount", "the proxied (real) account is invalid; check the proxy setup"},
	23:  {"FailedShieldedTxParsing", "the shielded transaction could not be parsed; rebuild it"},
	24:  {"InvalidShieldedTxPubKeyHash", "the shielded transaction used an unknown key; fetch the current key and encrypt again"},
	25:  {"NonAssociatedColdKey", "this hotkey belongs to another coldkey; use that coldkey or a fresh hotkey"},
	26:  {"DelegateTakeTooLow", "the delegate take is below the minimum; raise it"},
	27:  {"DelegateTakeTooHigh", "the delegate take is above the maximum; lower it"},
	255: {"BadRequest", "the node rejected the call's arguments; check them"},
}
