package onchain_test

import (
	"errors"
	"net/netip"
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

// An announcement the chain will never accept is permanent (the Server logs
// it once); a loopback URL is fine on a chain that runs on this machine.
func TestAnnouncements(t *testing.T) {
	ch := devnettest.Start(t, nil)
	ctx := devnettest.Ctx(t)
	cold, hot := devnettest.Key(t, "//Ferdie"), devnettest.Key(t, "//Ferdie//served")
	c := &onchain.Chain{Client: ch.Client, Hotkey: hot, Coldkey: cold}
	if !c.CanRegister() {
		t.Fatal("a chain with a coldkey cannot register")
	}
	if _, err := c.EnsureRegistered(ctx, 1, hot.Public(), 0); err != nil {
		t.Fatal(err)
	}
	if sent, err := c.Commit(ctx, 1, []byte("http://127.0.0.1:8091")); err != nil || !sent {
		t.Fatalf("loopback URL on a local chain: sent %v, %v", sent, err)
	}
	if sent, err := c.Commit(ctx, 1, []byte("http://127.0.0.1:8091")); err != nil || sent {
		t.Fatalf("the same URL again: sent %v, %v; want nothing sent", sent, err)
	}
	if _, err := c.Commit(ctx, 1, []byte("ftp://203.0.113.7")); !errors.Is(err, onchain.ErrPermanent) {
		t.Fatalf("a URL the chain never accepts: %v; want ErrPermanent", err)
	}
	if _, err := c.ServeAxon(ctx, 1, netip.MustParseAddrPort("127.0.0.1:8091")); !errors.Is(err, onchain.ErrPermanent) {
		t.Fatalf("serve_axon of a loopback address: %v; want ErrPermanent", err)
	}
}

func TestPermanent(t *testing.T) {
	if onchain.Permanent(nil) != nil {
		t.Fatal("Permanent(nil) is not nil")
	}
	cause := errors.New("bad endpoint")
	err := onchain.Permanent(cause)
	if !errors.Is(err, onchain.ErrPermanent) || !errors.Is(err, cause) || err.Error() != "bad endpoint" {
		t.Fatalf("Permanent(%v) = %v", cause, err)
	}
}
