package substrate

import "testing"

// The metadata-authoring kit (internal/metabuild) imports this package, so
// the package's own tests reach it through these hooks, which
// metabuild_hooks_test.go (the external test package) sets.
var (
	// EncodeMetadata is metabuild.Encode.
	EncodeMetadata func(*Metadata) ([]byte, error)
	// BuildTestRuntime is metabuild.TestRuntime.
	BuildTestRuntime func(version uint8) (*Metadata, error)
)

// testRuntime is metabuild's small subtensor-like runtime at version 14 or
// 15.
func testRuntime(t testing.TB, version uint8) *Metadata {
	t.Helper()
	m, err := BuildTestRuntime(version)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
