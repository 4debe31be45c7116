package activity

import (
	"fmt"
	"strings"

	"github.com/minerkit/minerkit/subtensor"
)

// IdentityPrefix starts the commitment field that links a hotkey to a
// GitHub account: "gh:" followed by the lowercase user name.
const IdentityPrefix = "gh:"

// CheckGitHubUser checks a GitHub user name as GitHub does: 1 to 39
// letters, digits or single hyphens, not starting or ending with a hyphen.
func CheckGitHubUser(u string) error {
	bad := func(why string) error {
		return fmt.Errorf("activity: GitHub user %q %s; pass the name as in github.com/NAME", u, why)
	}
	switch {
	case u == "":
		return bad("is empty")
	case len(u) > 39:
		return bad("is longer than 39 characters")
	case u[0] == '-' || u[len(u)-1] == '-':
		return bad("starts or ends with a hyphen")
	case strings.Contains(u, "--"):
		return bad("has two hyphens in a row")
	}
	for _, c := range u {
		if c != '-' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return bad("may hold only letters, digits and hyphens")
		}
	}
	return nil
}

// IdentityText is the commitment text for a GitHub user: "gh:" + the
// lowercase name.
func IdentityText(github string) string { return IdentityPrefix + strings.ToLower(github) }

// IdentityOf returns the GitHub user a commitment names, and the index of
// its field; index is -1 when no Raw or BigRaw field starts with "gh:".
func IdentityOf(cm *subtensor.Commitment) (user string, index int) {
	if cm == nil {
		return "", -1
	}
	for i, f := range cm.Fields {
		if f.Kind != subtensor.DataRaw && f.Kind != subtensor.DataBigRaw {
			continue
		}
		if u, ok := strings.CutPrefix(string(f.Bytes), IdentityPrefix); ok {
			return u, i
		}
	}
	return "", -1
}

// IdentityFields returns the commitment fields that link github while
// keeping the subnet's own data:
//
//   - with extra non-nil, the fields are extra (each a Raw/BigRaw text, the
//     subnet's data) followed by the identity field;
//   - otherwise the current fields are kept in order, an existing "gh:"
//     field is replaced in place and, if there is none, the identity field
//     is appended.
//
// maxFields, if positive, is the runtime's Commitments MaxFields (3 on
// finney); more fields are an error saying what to drop.
func IdentityFields(current *subtensor.Commitment, github string, extra []string, maxFields int) ([]subtensor.Data, error) {
	if err := CheckGitHubUser(github); err != nil {
		return nil, err
	}
	id, err := subtensor.RawData([]byte(IdentityText(github)))
	if err != nil {
		return nil, err
	}
	var fields []subtensor.Data
	switch {
	case extra != nil:
		for _, e := range extra {
			if strings.HasPrefix(e, IdentityPrefix) {
				return nil, fmt.Errorf("activity: extra field %q starts with %q, which marks the identity field; pass the subnet's own data only", e, IdentityPrefix)
			}
			d, err := subtensor.RawData([]byte(e))
			if err != nil {
				return nil, fmt.Errorf("activity: extra field: %w", err)
			}
			fields = append(fields, d)
		}
		fields = append(fields, id)
	default:
		_, at := IdentityOf(current)
		if current != nil {
			fields = append(fields, current.Fields...)
		}
		if at >= 0 {
			fields[at] = id
		} else {
			fields = append(fields, id)
		}
	}
	if maxFields > 0 && len(fields) > maxFields {
		return nil, fmt.Errorf("activity: the commitment would have %d fields and the chain allows %d; give the subnet's data explicitly to replace the current fields", len(fields), maxFields)
	}
	return fields, nil
}

// IdentityStatus says whether the chain holds the identity link.
type IdentityStatus struct {
	// Committed is the GitHub user the hotkey's commitment names ("" when
	// none); Field is its field index (-1 when none).
	Committed string `json:"committed,omitempty"`
	Field     int    `json:"field"`
	// Expected is the user the caller expects ("" when not given).
	Expected string `json:"expected,omitempty"`
	// Present: the commitment has an identity field. Matches: it names
	// Expected (case-insensitively); without Expected, Matches = Present.
	Present bool `json:"present"`
	Matches bool `json:"matches"`
}

// CheckIdentity compares a commitment with the expected GitHub user.
func CheckIdentity(cm *subtensor.Commitment, expected string) IdentityStatus {
	u, at := IdentityOf(cm)
	s := IdentityStatus{Committed: u, Field: at, Expected: expected, Present: at >= 0}
	s.Matches = s.Present && (expected == "" || strings.EqualFold(u, expected))
	return s
}

// String describes the status in words.
func (s IdentityStatus) String() string {
	switch {
	case !s.Present && s.Expected != "":
		return fmt.Sprintf("missing: no %s field committed (minerkit activity setup commits it)", IdentityText(s.Expected))
	case !s.Present:
		return "missing: no gh: field committed (minerkit activity setup commits it)"
	case s.Expected == "":
		return fmt.Sprintf("%s committed (field %d)", IdentityText(s.Committed), s.Field)
	case s.Matches:
		return fmt.Sprintf("%s committed (field %d), matches", IdentityText(s.Committed), s.Field)
	default:
		return fmt.Sprintf("MISMATCH: %s committed (field %d), expected %s", IdentityText(s.Committed), s.Field, IdentityText(s.Expected))
	}
}
