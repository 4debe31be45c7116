package guard

import (
	"io"
	"testing"
)

// BodyBytes hands a handler the unread rest of the body without a copy, and
// consumes it as a read would.
func TestBodyReaderBodyBytes(t *testing.T) {
	var r bodyReader
	r.Reset([]byte("hello, world"))
	head := make([]byte, 7)
	if _, err := io.ReadFull(&r, head); err != nil || string(head) != "hello, " {
		t.Fatalf("read %q %v", head, err)
	}
	if got := string(r.BodyBytes()); got != "world" {
		t.Fatalf("BodyBytes after a partial read: %q", got)
	}
	if n, err := r.Read(head); n != 0 || err != io.EOF {
		t.Fatalf("read after BodyBytes: %d %v", n, err)
	}
	if got := r.BodyBytes(); len(got) != 0 {
		t.Fatalf("BodyBytes twice: %q", got)
	}
	r.Reset([]byte("again"))
	if got := string(r.BodyBytes()); got != "again" {
		t.Fatalf("after Reset: %q", got)
	}
}
