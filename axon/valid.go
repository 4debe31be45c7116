package axon

// The body hash reads a few fields of a body it must first check is JSON:
// validObject checks the syntax exactly as encoding/json's Valid does, in
// one pass without allocating (about three times faster), and notes where
// the top-level object's values lie as it goes, so that the hash fields
// need no second pass.

// maxDepth is encoding/json's nesting limit: deeper input is invalid.
const maxDepth = 10000

// validJSON reports whether b is one JSON value, with white space around
// it allowed, exactly as json.Valid does (strings may hold any byte ≥ 0x20,
// valid UTF-8 or not; nesting deeper than maxDepth is refused).
func validJSON(b []byte) bool {
	s := vscan{b: b}
	s.ws()
	if !s.value() {
		return false
	}
	s.ws()
	return s.i == len(b)
}

// validObject is validJSON for b, and, when b holds an object, calls key
// for each of its members in order with the key as written (quotes
// included) and the offsets of its value in b, [start, end). isObject is
// false when b is valid but not an object (key is then never called). key
// may have been called before b turns out invalid.
func validObject(b []byte, key func(rawKey []byte, start, end int)) (valid, isObject bool) {
	s := vscan{b: b}
	s.ws()
	if s.i < len(b) && b[s.i] == '{' {
		if !s.object(key) {
			return false, true
		}
		isObject = true
	} else if !s.value() {
		return false, false
	}
	s.ws()
	return s.i == len(b), isObject
}

type vscan struct {
	b     []byte
	i     int
	depth int
}

func (s *vscan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *vscan) value() bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; c {
	case '{':
		return s.object(nil)
	case '[':
		return s.array()
	case '"':
		return s.str()
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case 'n':
		return s.lit("null")
	default:
		if c == '-' || '0' <= c && c <= '9' {
			return s.number()
		}
	}
	return false
}

func (s *vscan) lit(w string) bool {
	if len(s.b)-s.i < len(w) || string(s.b[s.i:s.i+len(w)]) != w {
		return false
	}
	s.i += len(w)
	return true
}

func (s *vscan) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *vscan) number() bool {
	if s.b[s.i] == '-' {
		s.i++
		if s.i >= len(s.b) {
			return false
		}
	}
	switch c := s.b[s.i]; {
	case c == '0':
		s.i++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// str checks the string at s.i (its opening quote).
func (s *vscan) str() bool {
	s.i++
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c == '\\':
			if s.i+1 >= len(s.b) {
				return false
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if len(s.b)-s.i < 6 || !isHex(s.b[s.i+2]) || !isHex(s.b[s.i+3]) || !isHex(s.b[s.i+4]) || !isHex(s.b[s.i+5]) {
					return false
				}
				s.i += 6
			default:
				return false
			}
		case c < 0x20:
			return false
		default:
			s.i++
		}
	}
	return false
}

func (s *vscan) push() bool {
	s.depth++
	return s.depth <= maxDepth
}

// object checks the object at s.i; key, if not nil, is told of each member.
func (s *vscan) object(key func(rawKey []byte, start, end int)) bool {
	if !s.push() {
		return false
	}
	s.i++ // '{'
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.depth--
		return true
	}
	for {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return false
		}
		ks := s.i
		if !s.str() {
			return false
		}
		ke := s.i
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.ws()
		vs := s.i
		if !s.value() {
			return false
		}
		if key != nil {
			key(s.b[ks:ke], vs, s.i)
		}
		s.ws()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return true
		default:
			return false
		}
	}
}

func (s *vscan) array() bool {
	if !s.push() {
		return false
	}
	s.i++ // '['
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		s.depth--
		return true
	}
	for {
		s.ws()
		if !s.value() {
			return false
		}
		s.ws()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return true
		default:
			return false
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
