package activity

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/minerkit/minerkit/keys"
)

func mustKey(t testing.TB, suri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromSURI(suri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var proofDate = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

func TestProofRoundTrip(t *testing.T) {
	hot := mustKey(t, "//Alice//miner")
	p, err := NewProof(hot, "Octo-Cat", 74, ProofOptions{Now: proofDate, Nonce: "0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	text := p.Text()
	t.Logf("\n%s", text)
	if !strings.Contains(text, "github: octo-cat\n") || !strings.Contains(text, "date: 2026-11-27T08:00:00Z\n") {
		t.Fatalf("text:\n%s", text)
	}
	// Embedded in a README, quoted, with CRLF line ends and blank lines.
	readme := "# Hi\n\nSome text.\n\n" + strings.ReplaceAll(strings.ReplaceAll(text, "\n", "\r\n\r\n"), "nonce", "  nonce") + "\nbye\n"
	quoted := "> " + strings.ReplaceAll(text, "\n", "\n> ")
	for name, doc := range map[string]string{"plain": text, "readme": readme, "quoted": quoted} {
		got, err := VerifyProof([]byte(doc), hot.Public(), "OCTO-cat", VerifyOptions{Now: proofDate})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.NetUID != 74 || got.Nonce != "0123456789abcdef" || !got.Date.Equal(proofDate) {
			t.Fatalf("%s: %+v", name, got)
		}
	}
	// The <Bytes>-wrapped form that wallet extensions sign is accepted.
	p.Signature = hot.Sign([]byte("<Bytes>" + string(p.Message()) + "</Bytes>"))
	if _, err := VerifyProof([]byte(p.Text()), hot.Public(), "octo-cat", VerifyOptions{Now: proofDate}); err != nil {
		t.Fatalf("<Bytes> signature: %v", err)
	}
}

func TestVerifyProofRefuses(t *testing.T) {
	hot, other := mustKey(t, "//Alice//miner"), mustKey(t, "//Mallory")
	p, err := NewProof(hot, "alice", 74, ProofOptions{Now: proofDate, Nonce: "0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	good := p.Text()
	// forged: Mallory signs a proof that claims Alice's hotkey.
	forged := *p
	forged.Signature = other.Sign(p.Message())
	// A second proof for another hotkey in the same file is skipped.
	second, _ := NewProof(other, "mallory", 74, ProofOptions{Now: proofDate})
	future, _ := NewProof(hot, "alice", 74, ProofOptions{Now: proofDate.Add(48 * time.Hour)})
	n75 := uint16(75)
	replace := func(old, new string) string { return strings.Replace(good, old, new, 1) }
	sig := good[strings.Index(good, "signature: 0x")+13:][:128]
	flip := string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", sig[10])+1)%16])
	cases := []struct {
		name   string
		text   string
		hotkey keys.PublicKey
		github string
		opts   VerifyOptions
		want   error
		says   string
	}{
		{"good", good, hot.Public(), "alice", VerifyOptions{}, nil, ""},
		{"two proofs", second.Text() + "\n" + good, hot.Public(), "alice", VerifyOptions{}, nil, ""},
		{"forged signature", forged.Text(), hot.Public(), "alice", VerifyOptions{}, ErrBadSignature, "changed after signing, or another key signed it"},
		{"altered date", replace("08:00:00Z", "09:00:00Z"), hot.Public(), "alice", VerifyOptions{}, ErrBadSignature, ""},
		{"altered nonce", replace("0123456789abcdef", "0123456789abcdee"), hot.Public(), "alice", VerifyOptions{}, ErrBadSignature, ""},
		{"altered signature", replace(sig[:11], sig[:10]+flip), hot.Public(), "alice", VerifyOptions{}, ErrBadSignature, ""},
		{"altered github field", replace("github: alice", "github: bob"), hot.Public(), "bob", VerifyOptions{}, ErrStatementEdit, "GitHub user bob"},
		{"altered github both", strings.ReplaceAll(good, "alice", "bob"), hot.Public(), "bob", VerifyOptions{}, ErrBadSignature, ""},
		{"altered statement", replace("I control", "I own"), hot.Public(), "alice", VerifyOptions{}, ErrStatementEdit, ""},
		{"altered netuid", strings.ReplaceAll(good, "74", "75"), hot.Public(), "alice", VerifyOptions{}, ErrBadSignature, ""},
		{"wrong user", good, hot.Public(), "bob", VerifyOptions{}, ErrWrongGitHub, `names "alice", not "bob"`},
		{"wrong hotkey", good, other.Public(), "alice", VerifyOptions{}, ErrWrongHotkey, "not " + other.Address()},
		{"wrong netuid", good, hot.Public(), "alice", VerifyOptions{NetUID: &n75}, ErrWrongNetUID, "netuid 74, not 75"},
		{"future", future.Text(), hot.Public(), "alice", VerifyOptions{}, ErrFutureProof, "dated 2026-11-29"},
		{"no block", "just a README\n", hot.Public(), "alice", VerifyOptions{}, ErrNoProof, ""},
		{"no end", strings.TrimSuffix(good, ProofEnd+"\n"), hot.Public(), "alice", VerifyOptions{}, ErrMalformed, "no END line"},
		{"missing line", replace("netuid: 74\n", ""), hot.Public(), "alice", VerifyOptions{}, ErrMalformed, "7 lines, want 8"},
		{"short signature", replace(sig, sig[:126]), hot.Public(), "alice", VerifyOptions{}, ErrMalformed, "0x and 128 hex digits"},
		{"bad netuid", strings.ReplaceAll(good, "74", "x4"), hot.Public(), "alice", VerifyOptions{}, ErrMalformed, `netuid "x4"`},
		{"other version", replace(ProofVersion, "minerkit identity proof v2"), hot.Public(), "alice", VerifyOptions{}, ErrMalformed, "newer minerkit"},
		{"bad hotkey", replace("hotkey: 5", "hotkey: 6"), hot.Public(), "alice", VerifyOptions{}, ErrMalformed, "not an SS58 address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.Now = proofDate.Add(time.Hour)
			_, err := VerifyProof([]byte(tc.text), tc.hotkey, tc.github, o)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %q does not say %q", err, tc.says)
			}
			if err != nil {
				t.Logf("refused: %v", err)
			}
		})
	}
}

func TestCheckGitHubUser(t *testing.T) {
	for u, ok := range map[string]bool{
		"octocat": true, "Octo-Cat": true, "a": true, strings.Repeat("a", 39): true, "a1-b2": true,
		"": false, strings.Repeat("a", 40): false, "-a": false, "a-": false, "a--b": false, "a_b": false, "a b": false, "ä": false, "gh:a": false,
	} {
		if err := CheckGitHubUser(u); (err == nil) != ok {
			t.Errorf("CheckGitHubUser(%q) = %v, want ok=%v", u, err, ok)
		}
	}
}

func TestTagline(t *testing.T) {
	d := TaglineData{NetUID: 74, Hotkey: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", GitHub: "alice"}
	cases := []struct{ tmpl, token, want, err string }{
		{"", "", "Mining SN74 - Hotkey 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", ""},
		{"", "$OGX", "Mining $OGX - Hotkey 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", ""},
		{"{{.GitHub}} mines SN{{.NetUID}} with {{.HotkeyShort}}", "", "alice mines SN74 with 5Grwva…utQY", ""},
		{"{{.Nope}}", "", "", "fields: .Token"},
		{"{{", "", "", "tagline template"},
	}
	for _, tc := range cases {
		d.Token = tc.token
		got, err := Tagline(tc.tmpl, d)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Tagline(%q) error %v, want %q", tc.tmpl, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Tagline(%q) = %q, %v; want %q", tc.tmpl, got, err, tc.want)
		}
	}
}

func FuzzParseProofs(f *testing.F) {
	hot := mustKey(f, "//Alice//miner")
	p, _ := NewProof(hot, "alice", 74, ProofOptions{Now: proofDate, Nonce: "0123456789abcdef"})
	f.Add([]byte(p.Text()))
	f.Add([]byte("> " + strings.ReplaceAll(p.Text(), "\n", "\n> ")))
	f.Add([]byte(ProofBegin + "\n" + ProofEnd + "\n"))
	f.Add([]byte(ProofBegin + "\n" + ProofBegin + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := ParseProofs(b)
		if err != nil {
			return
		}
		for _, p := range ps {
			// What parses re-renders to a block that parses to the same.
			again, err := ParseProofs([]byte(p.Text()))
			if err != nil || len(again) != 1 || string(again[0].Message()) != string(p.Message()) || again[0].Signature != p.Signature {
				t.Fatalf("re-parse of %q: %v", p.Text(), err)
			}
			_, _ = VerifyProof(b, p.Hotkey, p.GitHub, VerifyOptions{})
		}
	})
}
