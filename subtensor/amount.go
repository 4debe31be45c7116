package subtensor

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// RaoPerTAO is the number of rao in one TAO.
const RaoPerTAO = 1_000_000_000

// Rao is an amount of TAO (or of a subnet's alpha) in its smallest unit,
// 1e-9 TAO. The chain's balances are u64 rao.
type Rao uint64

// TAO returns an amount of whole TAO as Rao; it saturates at the u64 limit.
func TAO(whole uint64) Rao {
	if whole > math.MaxUint64/RaoPerTAO {
		return Rao(math.MaxUint64)
	}
	return Rao(whole * RaoPerTAO)
}

// String formats r in TAO with the τ sign and no trailing zeros:
// "1 τ", "0.5 τ", "0.000000001 τ".
func (r Rao) String() string { return r.Decimal() + " τ" }

// Decimal formats r in TAO without a unit and without trailing zeros.
func (r Rao) Decimal() string {
	whole := uint64(r) / RaoPerTAO
	frac := uint64(r) % RaoPerTAO
	if frac == 0 {
		return strconv.FormatUint(whole, 10)
	}
	f := fmt.Sprintf("%09d", frac)
	return strconv.FormatUint(whole, 10) + "." + strings.TrimRight(f, "0")
}

// Float returns r in TAO as a float64 (for display and JSON only).
func (r Rao) Float() float64 { return float64(r) / RaoPerTAO }

// MarshalText encodes r as a decimal TAO amount ("1.5"), exact to the rao.
func (r Rao) MarshalText() ([]byte, error) { return []byte(r.Decimal()), nil }

// UnmarshalJSON accepts a JSON string ParseTAO reads ("1.5", "1500rao") or
// a JSON number (1.5), read from its literal text, never through a float,
// so it is exact to the rao. null leaves r unchanged.
func (r *Rao) UnmarshalJSON(b []byte) error {
	t := strings.TrimSpace(string(b))
	switch {
	case t == "null":
		return nil
	case strings.HasPrefix(t, `"`):
		u, err := strconv.Unquote(t)
		if err != nil {
			return fmt.Errorf("%w %s", errAmountSyntax, t)
		}
		t = u
	case strings.ContainsAny(t, "eE"):
		return fmt.Errorf("%w %s: write it without an exponent, like 1.5", errAmountSyntax, t)
	}
	return r.UnmarshalText([]byte(t))
}

// UnmarshalText accepts anything ParseTAO does.
func (r *Rao) UnmarshalText(b []byte) error {
	v, err := ParseTAO(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

var errAmountSyntax = errors.New("subtensor: bad amount")

// ParseTAO parses an amount written in TAO ("1", "0.25", "1.5τ", "1.5 TAO",
// "τ2") or in rao ("1500rao"). More than nine decimals, negative amounts and
// amounts above the u64 limit are errors; the parse is exact (no floats).
func ParseTAO(s string) (Rao, error) {
	in := strings.TrimSpace(s)
	t := strings.ToLower(in)
	rao := false
	switch {
	case strings.HasSuffix(t, "rao"):
		t, rao = strings.TrimSpace(strings.TrimSuffix(t, "rao")), true
	case strings.HasSuffix(t, "tao"):
		t = strings.TrimSpace(strings.TrimSuffix(t, "tao"))
	case strings.HasSuffix(t, "τ"):
		t = strings.TrimSpace(strings.TrimSuffix(t, "τ"))
	case strings.HasPrefix(t, "τ"):
		t = strings.TrimSpace(strings.TrimPrefix(t, "τ"))
	}
	t = strings.ReplaceAll(t, "_", "")
	if t == "" {
		return 0, fmt.Errorf("%w %q: write it in TAO, like 1.5, or in rao, like 1500000000rao", errAmountSyntax, s)
	}
	if rao {
		v, err := strconv.ParseUint(t, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w %q: rao amounts are whole numbers up to %d", errAmountSyntax, s, uint64(math.MaxUint64))
		}
		return Rao(v), nil
	}
	whole, frac, hasDot := strings.Cut(t, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("%w %q: write it in TAO, like 1.5", errAmountSyntax, s)
	}
	if whole == "" {
		whole = "0"
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("%w %q: write it in TAO, like 1.5, or in rao, like 1500000000rao", errAmountSyntax, s)
	}
	if len(frac) > 9 {
		return 0, fmt.Errorf("%w %q: at most 9 decimals (1 rao = 0.000000001 τ)", errAmountSyntax, s)
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil || w > math.MaxUint64/RaoPerTAO {
		return 0, fmt.Errorf("%w %q: too large", errAmountSyntax, s)
	}
	var f uint64
	if frac != "" {
		f, _ = strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	v := w * RaoPerTAO
	if v+f < v {
		return 0, fmt.Errorf("%w %q: too large", errAmountSyntax, s)
	}
	return Rao(v + f), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// U16Fraction turns a chain u16 proportion (incentive, consensus, dividends,
// trust) into a float in [0, 1].
func U16Fraction(v uint16) float64 { return float64(v) / math.MaxUint16 }
