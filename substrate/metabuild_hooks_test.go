package substrate_test

import (
	"github.com/minerkit/minerkit/internal/metabuild"
	"github.com/minerkit/minerkit/substrate"
)

func init() {
	substrate.EncodeMetadata = metabuild.Encode
	substrate.BuildTestRuntime = metabuild.TestRuntime
}
