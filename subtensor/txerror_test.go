package subtensor

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/minerkit/minerkit/substrate"
	"github.com/minerkit/minerkit/substrate/rpc"
)

// TestTxErrorTable holds the table to subtensor HEAD's
// common/src/transaction_error.rs (its From<CustomTransactionError> for u8):
// every code from 0 to 27 and 255, each once.
func TestTxErrorTable(t *testing.T) {
	want := map[uint8]string{
		0: "ColdkeyInSwapSchedule", 1: "StakeAmountTooLow", 2: "BalanceTooLow", 3: "SubnetNotExists",
		4: "HotkeyAccountDoesntExist", 5: "NotEnoughStakeToWithdraw", 6: "RateLimitExceeded",
		7: "InsufficientLiquidity", 8: "SlippageTooHigh", 9: "TransferDisallowed",
		10: "HotKeyNotRegisteredInNetwork", 11: "InvalidIpAddress", 12: "ServingRateLimitExceeded",
		13: "InvalidPort", 14: "ZeroMaxAmount", 15: "InvalidRevealRound", 16: "CommitNotFound",
		17: "CommitBlockNotInRevealRange", 18: "InputLengthsUnequal", 19: "UidNotFound",
		20: "EvmKeyAssociateRateLimitExceeded", 21: "ColdkeySwapDisputed", 22: "InvalidRealAccount",
		23: "FailedShieldedTxParsing", 24: "InvalidShieldedTxPubKeyHash", 25: "NonAssociatedColdKey",
		26: "DelegateTakeTooLow", 27: "DelegateTakeTooHigh", 255: "BadRequest",
	}
	if len(txErrors) != len(want) {
		t.Errorf("%d codes, want %d", len(txErrors), len(want))
	}
	for n, name := range want {
		got, advice, ok := TxError(n)
		if !ok || got != name || advice == "" {
			t.Errorf("TxError(%d) = %q, %q, %v; want %s with advice", n, got, advice, ok, name)
		}
	}
	if _, _, ok := TxError(200); ok {
		t.Error("TxError(200) is known")
	}
}

func TestPoolError(t *testing.T) {
	call := substrate.Call{Pallet: "SubtensorModule", Name: "serve_axon"}
	for _, tc := range []struct {
		data string
		want []string
	}{
		{`"Custom error: 11"`, []string{"SubtensorModule.serve_axon rejected by the transaction pool: InvalidIpAddress (custom error 11)", "pass your public IP"}},
		{`"Custom error: 6"`, []string{"RateLimitExceeded (custom error 6)", "wait a few blocks"}},
		{`"Custom error: 200"`, []string{"unknown (custom error 200)", "not in this client's table"}},
		{`"Transaction has a bad signature"`, []string{"rejected by the transaction pool", "bad signature"}},
	} {
		re := &rpc.Error{Code: rpc.CodeInvalidTransaction, Message: "Invalid Transaction", Data: json.RawMessage(tc.data)}
		err := (&Client{}).poolError(call, fmt.Errorf("rpc: author_submitAndWatchExtrinsic: %w", re))
		var ce *ChainError
		if !errors.As(err, &ce) {
			t.Fatalf("%s: %v is not a *ChainError", tc.data, err)
		}
		if !errors.As(err, new(*rpc.Error)) {
			t.Errorf("%s: %v does not wrap the *rpc.Error", tc.data, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.data, err, w)
			}
		}
	}
}
