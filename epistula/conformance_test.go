package epistula_test

import (
	"testing"

	"github.com/minerkit/minerkit/epistula"
	"github.com/minerkit/minerkit/epistula/replaytest"
)

func TestMemoryCacheConformance(t *testing.T) {
	replaytest.Run(t, func(*testing.T) epistula.ReplayCache { return epistula.NewMemoryCache(0, nil) })
}
