package activity

import (
	"fmt"
	"strings"
	"text/template"
)

// DefaultTagline is the line a Pattern C miner adds to its pull request
// descriptions (the design doc's "Mining … - Hotkey …"), as a text/template
// over TaglineData.
const DefaultTagline = "Mining {{.Token}} - Hotkey {{.Hotkey}}"

// TaglineData is what a tagline template may use.
type TaglineData struct {
	// Token is the subnet's name in the tagline ("$OGX"); empty means
	// "SN" + NetUID.
	Token  string
	NetUID uint16
	// Hotkey is the SS58 address; HotkeyShort its "5Grwva…utQY" form.
	Hotkey      string
	HotkeyShort string
	GitHub      string
}

// Tagline renders tmpl (DefaultTagline when empty) with d. Unknown fields
// and syntax errors are errors naming the template.
func Tagline(tmpl string, d TaglineData) (string, error) {
	if tmpl == "" {
		tmpl = DefaultTagline
	}
	if d.Token == "" {
		d.Token = fmt.Sprintf("SN%d", d.NetUID)
	}
	if d.HotkeyShort == "" && len(d.Hotkey) > 12 {
		d.HotkeyShort = d.Hotkey[:6] + "…" + d.Hotkey[len(d.Hotkey)-4:]
	}
	t, err := template.New("tagline").Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return "", fmt.Errorf("activity: tagline template %q: %w", tmpl, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("activity: tagline template %q: %w (fields: .Token .NetUID .Hotkey .HotkeyShort .GitHub)", tmpl, err)
	}
	return b.String(), nil
}
