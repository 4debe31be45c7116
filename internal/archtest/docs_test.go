package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// goBlock is a ```go block of a Markdown file, with the line before it (an
// "<!-- excerpt: PATH -->" marker, or anything else).
var goBlock = regexp.MustCompile("(?m)^(.*)\n```go\n((?s:.*?))^```")

var excerptMarker = regexp.MustCompile(`^<!-- excerpt: (\S+) -->$`)

// TestDocProgramsAreBuilt: a Go block marked "<!-- excerpt: PATH -->" is a
// run of whole lines of PATH (a file the build or the tests compile; the run
// may be dedented), so it
// cannot drift from code that compiles and runs; and a block that is a
// program (it has func main or a package clause) must be such an excerpt.
// Blocks without a marker are fragments that name an API.
func TestDocProgramsAreBuilt(t *testing.T) {
	root := moduleRoot(t)
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	docs = append(docs, filepath.Join(root, "README.md"))
	excerpts := 0
	for _, doc := range docs {
		md, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, doc)
		for _, m := range goBlock.FindAllStringSubmatch(string(md), -1) {
			before, code := m[1], m[2]
			mk := excerptMarker.FindStringSubmatch(strings.TrimSpace(before))
			if mk == nil {
				if strings.Contains(code, "func main()") || regexp.MustCompile(`(?m)^package \w+`).MatchString(code) {
					t.Errorf("%s: a program in a Go block without an <!-- excerpt: PATH --> marker: make it an excerpt of a file that builds:\n%s", rel, code)
				}
				continue
			}
			excerpts++
			src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(mk[1])))
			if err != nil {
				t.Errorf("%s: excerpt of %s: %v", rel, mk[1], err)
				continue
			}
			if !strings.HasSuffix(mk[1], ".go") || !containsLines(string(src), code) {
				t.Errorf("%s: the Go block marked as an excerpt of %s is not a run of its lines (update the doc from the file):\n%s", rel, mk[1], code)
			}
		}
	}
	if excerpts == 0 {
		t.Fatal("no excerpt markers found: is the pattern broken?")
	}
}

// containsLines reports whether the lines of part appear in whole, in a row,
// in src (trailing spaces ignored), the whole run possibly indented by up to
// four more tabs there (an excerpt of a function's body, dedented).
func containsLines(src, part string) bool {
	split := func(s string) []string {
		ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
		for i := range ls {
			ls[i] = strings.TrimRight(ls[i], " \t")
		}
		return ls
	}
	s, p := split(src), split(part)
	for indent := range 5 {
		pre := strings.Repeat("\t", indent)
		for i := 0; i+len(p) <= len(s); i++ {
			match := true
			for j := range p {
				want := p[j]
				if want != "" {
					want = pre + want
				}
				if s[i+j] != want {
					match = false
					break
				}
			}
			if match {
				return true
			}
		}
	}
	return false
}
