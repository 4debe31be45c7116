// Package jsonscan moves through JSON that json.Valid (or an equivalent
// check) has already accepted: it never meets a syntax error, so it looks
// only at what it needs and allocates nothing. jsonreq's strict field check
// and axon's Python str() rendering walk bodies with it.
package jsonscan

// Scanner is a position I in the valid JSON text B.
type Scanner struct {
	B []byte
	I int
}

// WS moves past white space.
func (s *Scanner) WS() {
	for s.I < len(s.B) {
		switch s.B[s.I] {
		case ' ', '\t', '\n', '\r':
			s.I++
		default:
			return
		}
	}
}

// SkipString moves past the string whose opening quote is at I.
func (s *Scanner) SkipString() {
	s.I++ // the opening quote
	for s.I < len(s.B) {
		c := s.B[s.I]
		if c == '\\' {
			s.I += 2
			continue
		}
		s.I++
		if c == '"' {
			return
		}
	}
}

// Literal returns the number, true, false or null at I and moves past it.
func (s *Scanner) Literal() []byte {
	start := s.I
	for s.I < len(s.B) {
		switch s.B[s.I] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return s.B[start:s.I]
		}
		s.I++
	}
	return s.B[start:s.I]
}

// SkipScalar moves past the string, number, true, false or null at I.
func (s *Scanner) SkipScalar() {
	if s.B[s.I] == '"' {
		s.SkipString()
		return
	}
	s.Literal()
}

// Skip moves past white space and then one value of any kind.
func (s *Scanner) Skip() {
	s.WS()
	switch s.B[s.I] {
	case '{', '[':
		depth := 0
		for s.I < len(s.B) {
			switch s.B[s.I] {
			case '"':
				s.SkipString()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.I++
					return
				}
			}
			s.I++
		}
	default:
		s.SkipScalar()
	}
}
