package sr25519

import (
	"crypto/subtle"
	"encoding/binary"
)

// STROBE-128 as Merlin uses it (STROBE v1.0.2, Keccak-f[1600], security 128):
// only the operations a transcript needs (AD, meta-AD, PRF), without the
// "more" consistency checks, which the callers below respect by
// construction.

const (
	strobeRate = 200 - 128/4 - 2 // 166 bytes

	flagI = 1
	flagA = 2
	flagC = 4
	flagM = 16
	flagK = 32
)

type strobe struct {
	st       [200]byte
	pos      int
	posBegin byte
}

func newStrobe(protocol string) strobe {
	var s strobe
	copy(s.st[:], []byte{1, strobeRate + 2, 1, 0, 1, 96})
	copy(s.st[6:], "STROBEv1.0.2")
	keccakF1600(&s.st)
	s.metaAD([]byte(protocol), false)
	return s
}

func (s *strobe) runF() {
	s.st[s.pos] ^= s.posBegin
	s.st[s.pos+1] ^= 0x04
	s.st[strobeRate+1] ^= 0x80
	keccakF1600(&s.st)
	s.pos, s.posBegin = 0, 0
}

func (s *strobe) absorb(data []byte) {
	for len(data) > 0 {
		n := min(strobeRate-s.pos, len(data))
		subtle.XORBytes(s.st[s.pos:s.pos+n], s.st[s.pos:s.pos+n], data[:n])
		s.pos += n
		data = data[n:]
		if s.pos == strobeRate {
			s.runF()
		}
	}
}

func (s *strobe) absorbByte(b byte) {
	s.st[s.pos] ^= b
	s.pos++
	if s.pos == strobeRate {
		s.runF()
	}
}

func (s *strobe) squeeze(out []byte) {
	for i := range out {
		out[i] = s.st[s.pos]
		s.st[s.pos] = 0
		s.pos++
		if s.pos == strobeRate {
			s.runF()
		}
	}
}

func (s *strobe) beginOp(flags byte) {
	old := s.posBegin
	s.posBegin = byte(s.pos + 1)
	s.absorbByte(old)
	s.absorbByte(flags)
	if flags&(flagC|flagK) != 0 && s.pos != 0 {
		s.runF()
	}
}

func (s *strobe) metaAD(data []byte, more bool) {
	if !more {
		s.beginOp(flagM | flagA)
	}
	s.absorb(data)
}

// transcript is a Merlin transcript (merlin v1.0) on a STROBE-128 state.
type transcript struct{ s strobe }

func newTranscript(label string) transcript {
	t := transcript{s: newStrobe("Merlin v1.0")}
	t.appendMessage([]byte("dom-sep"), []byte(label))
	return t
}

func (t *transcript) appendMessage(label, msg []byte) {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(msg)))
	t.s.metaAD(label, false)
	t.s.metaAD(n[:], true)
	t.s.beginOp(flagA)
	t.s.absorb(msg)
}

func (t *transcript) challengeBytes(label []byte, out []byte) {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(out)))
	t.s.metaAD(label, false)
	t.s.metaAD(n[:], true)
	t.s.beginOp(flagI | flagA | flagC)
	t.s.squeeze(out)
}

// appendMessage3 appends the message a || b || c under label, without
// joining the parts.
func (t *transcript) appendMessage3(label, a, b, c []byte) {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(a)+len(b)+len(c)))
	t.s.metaAD(label, false)
	t.s.metaAD(n[:], true)
	t.s.beginOp(flagA)
	t.s.absorb(a)
	t.s.absorb(b)
	t.s.absorb(c)
}
