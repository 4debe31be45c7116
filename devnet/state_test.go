package devnet

import (
	"slices"
	"testing"
)

// TestStoreVersions reads keys at old blocks, pages keys by prefix, and
// prunes history beyond the kept window.
func TestStoreVersions(t *testing.T) {
	s := newStore(10)
	s.commit(1, map[string][]byte{"ab": []byte("1"), "ac": []byte("x")})
	s.commit(2, map[string][]byte{"ab": []byte("2"), "b": []byte("y")})
	s.commit(3, map[string][]byte{"ac": nil})
	for _, c := range []struct {
		key string
		at  uint32
		val string
		ok  bool
	}{{"ab", 1, "1", true}, {"ab", 2, "2", true}, {"ab", 0, "", false}, {"ac", 2, "x", true}, {"ac", 3, "", false}, {"b", 1, "", false}} {
		v, ok := s.get(c.key, c.at)
		if ok != c.ok || string(v) != c.val {
			t.Errorf("get(%q, %d) = %q, %v", c.key, c.at, v, ok)
		}
	}
	if got := s.keysPaged("a", 10, "", 2); !slices.Equal(got, []string{"ab", "ac"}) {
		t.Errorf("keys at 2: %v", got)
	}
	if got := s.keysPaged("a", 10, "", 3); !slices.Equal(got, []string{"ab"}) {
		t.Errorf("keys at 3: %v", got)
	}
	if got := s.keysPaged("", 1, "ab", 3); !slices.Equal(got, []string{"b"}) {
		t.Errorf("paging after ab: %v", got)
	}
	for n := uint32(4); n < 40; n++ {
		s.commit(n, map[string][]byte{"ab": {byte(n)}})
	}
	if h := s.data["ab"]; len(h.vers) > 12 {
		t.Errorf("history of ab keeps %d versions", len(h.vers))
	}
	if v, ok := s.get("ab", 35); !ok || v[0] != 35 {
		t.Errorf("recent version lost: %v %v", v, ok)
	}
}
