package demo

import (
	"bytes"
	"strings"
	"testing"
)

func TestCut(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 4, "abc…"},
		{"τττττ", 3, "ττ…"},
		{"abc", 0, "abc"},
	} {
		if got := cut(tt.in, tt.n); got != tt.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestViewLive(t *testing.T) {
	var b bytes.Buffer
	v := NewView(&b, true, 40)
	v.setHeader("minerkit demo · devnet ws://127.0.0.1:1")
	v.begin("wallets", "writing")
	v.finish("devnet", 1, "a very long detail that does not fit in forty columns at all")
	v.draw()
	v.draw()
	out := b.String()
	lines := len(stepTitles) + 2
	if !strings.Contains(out, "\x1b["+itoa(lines)+"A") {
		t.Errorf("second draw does not move up %d lines:\n%q", lines, out)
	}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimPrefix(l, "\x1b["+itoa(lines)+"A")
		l = strings.TrimPrefix(l, "\r\x1b[2K")
		if n := len([]rune(l)); n > 39 {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
	if !strings.Contains(out, "✓") || !strings.Contains(out, "⠙") && !strings.Contains(out, "⠹") {
		t.Errorf("no done mark or spinner:\n%s", out)
	}
}

func TestViewPlain(t *testing.T) {
	var b bytes.Buffer
	v := NewView(&b, false, 0)
	v.setHeader("header")
	v.finish("devnet", 1, "started")
	v.finish("devnet", 2, "again") // a step finishes once
	v.fail("wallets", "disk full")
	v.draw() // no-op when not live
	want := "header\n  ✓  0.0s #1   devnet started        started\n  ✗  0.0s #1   wallets created       disk full\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
	if s := v.current(); s == nil || s.Key != "wallets" {
		t.Errorf("current step %+v", s)
	}
}

func itoa(n int) string {
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
