package storetest_test

import (
	"testing"

	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/guard/storetest"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, func(*testing.T) guard.Store { return new(storetest.Memory) })
}
