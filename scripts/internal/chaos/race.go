//go:build race

package chaos

// raceEnabled says this binary was built with -race: the binaries it
// builds are too, so that `go test -race` reuses its compiled packages.
const raceEnabled = true
