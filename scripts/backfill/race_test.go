//go:build race

package main

// raceEnabled says the race detector is on: the largest tests shrink,
// since it slows the emulator and the sink about sevenfold.
const raceEnabled = true
