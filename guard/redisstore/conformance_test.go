package redisstore_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/minerkit/minerkit/guard"
	"github.com/minerkit/minerkit/guard/redisstore"
	"github.com/minerkit/minerkit/guard/storetest"
	"github.com/minerkit/minerkit/internal/redistest"
)

// TestConformance runs guard.Store's contract against a real redis-server,
// pipelined or not; each subtest's store has a prefix of its own.
func TestConformance(t *testing.T) {
	sock := redistest.Start(t)
	var n atomic.Int64
	for _, pipelined := range []bool{false, true} {
		t.Run(fmt.Sprint("pipelined=", pipelined), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) guard.Store {
				s := redisstore.New(sock.Client(t), fmt.Sprintf("conformance%d:", n.Add(1)))
				s.Pipeline = pipelined
				return s
			})
		})
	}
}
