package main

import (
	"bytes"
	"os"
	"testing"
)

// docs/config.md is generated from the flag sets; MINERKIT_UPDATE_DOCS=1
// (make docs) rewrites it.
func TestConfigDoc(t *testing.T) {
	var b bytes.Buffer
	if err := writeConfigDoc(&b); err != nil {
		t.Fatal(err)
	}
	const path = "../../docs/config.md"
	if os.Getenv("MINERKIT_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		t.Fatalf("%s is out of date: run make docs", path)
	}
}
