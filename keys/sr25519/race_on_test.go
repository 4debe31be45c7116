//go:build race

package sr25519

// raceOn: the race detector slows the differential test tenfold.
const raceOn = true
