//go:build !race

package sr25519

const raceOn = false
