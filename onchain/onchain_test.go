package onchain_test

import (
	"testing"

	"github.com/minerkit/minerkit/internal/devnettest"
	"github.com/minerkit/minerkit/keys"
	"github.com/minerkit/minerkit/onchain"
)

// serve --register opens the coldkey only when the hotkey is not
// registered: a registered one never decrypts it.
func TestChainOpensColdkeyOnlyToRegister(t *testing.T) {
	ch := devnettest.Start(t, nil)
	ctx := devnettest.Ctx(t)
	cold, hot := devnettest.Key(t, "//Eve"), devnettest.Key(t, "//Eve//served")
	opened := 0
	c := &onchain.Chain{Client: ch.Client, Hotkey: hot, LoadColdkey: func() (keys.Signer, error) {
		opened++
		return cold, nil
	}}
	uid, err := c.EnsureRegistered(ctx, 1, hot.Public(), 0)
	if err != nil || opened != 1 {
		t.Fatalf("first start: uid %d, err %v, coldkey opened %d times", uid, err, opened)
	}
	again, err := c.EnsureRegistered(ctx, 1, hot.Public(), 0)
	if err != nil || again != uid || opened != 1 {
		t.Fatalf("second start: uid %d (first %d), err %v, coldkey opened %d times", again, uid, err, opened)
	}
}
