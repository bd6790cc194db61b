// Command lint checks a Safeview configuration file the way the function
// does at start-up, for a shop's own CI: strict decoding, validation, the
// lint that refuses personal data without an operator that removes
// identity, and the compilation of every table (formats, raw paths, CEL
// filters).
//
// Usage:
//
//	go run ./scripts/lint path/to/safeview.yaml
//
// It prints one error a line, each with the file, line and path of the
// mistake, and exits 0 when the file is fine, 1 when it is not, 2 when it
// is called wrongly. No secret is read: the pseudonym key is replaced by a
// throwaway one, since only its presence matters here.
package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/pipeline"
	"github.com/safeview/safeview/shared/privacy"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, "usage: go run ./scripts/lint path/to/safeview.yaml")
		return 2
	}
	errs := check(args[0])
	for _, err := range errs {
		fmt.Fprintln(stdout, oneLine(err))
	}
	if len(errs) > 0 {
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok\n", args[0])
	return 0
}

// check returns every mistake of the file, one error each.
func check(path string) []error {
	cfg, err := config.Load(path)
	if err != nil {
		return flatten(err)
	}
	var keys *privacy.Keys
	if cfg.Privacy.PseudonymKey != "" {
		throwaway := make([]byte, 32)
		_, _ = rand.Read(throwaway)
		if keys, err = privacy.NewKeys(throwaway); err != nil {
			return []error{err}
		}
	}
	if _, err := pipeline.Compile(cfg, keys); err != nil {
		return flatten(err)
	}
	return nil
}

// flatten undoes errors.Join, so that each mistake is one error.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// oneLine folds a message that spans lines (a CEL error points at the
// expression on two more) into one.
func oneLine(err error) string {
	lines := strings.Split(err.Error(), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " ")
}
