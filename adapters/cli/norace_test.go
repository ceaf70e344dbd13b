//go:build !race

package cli

// raceEnabled tells TestMain to build the binary with -race too, so it
// reuses the packages this test binary was compiled from.
const raceEnabled = false
