// Command check-tree fails when git tracks a file that does not belong in
// the repository: one over 1 MiB, or an executable binary. What go build
// makes belongs in .gitignore: once committed, every clone pays for it.
//
// Usage:
//
//	go run ./scripts/check-tree [DIR]
//
// It checks the whole repository that holds DIR (by default the current
// directory), as git tracks it: the index's modes and contents, not the
// working tree's. A file fails when it is over 1048576 bytes, when it
// starts like an ELF, Mach-O or PE executable, or when it has the exec bit
// and does not start with "#!". It prints one line a file and exits 0 when
// every file is fine, 1 when one is not, 2 when git cannot list the files
// or it is called wrongly. .ci/run runs it before the tests.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// maxSize is the largest file the repository tracks.
const maxSize = 1 << 20

// allowed names the tracked files that may break the rules, each with why.
// None today: the largest tracked file is a README of about 40 KB, and no
// fixture is a binary.
var allowed = map[string]string{}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 || len(args) == 1 && strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: go run ./scripts/check-tree [DIR]")
		return 2
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	bad, err := check(dir)
	if err != nil {
		fmt.Fprintf(stderr, "check-tree: %v\n", err)
		return 2
	}
	for _, b := range bad {
		fmt.Fprintf(stdout, "%s: %s\n", b.path, b.why)
	}
	if len(bad) > 0 {
		fmt.Fprintln(stdout, "untrack each (git rm --cached) and name build outputs in .gitignore")
		return 1
	}
	return 0
}

// file is a tracked file that breaks a rule.
type file struct{ path, why string }

// entry is a line of git ls-files --stage.
type entry struct{ mode, oid, path string }

// check returns the files tracked in the repository of dir that break a
// rule, in git's order.
func check(dir string) ([]file, error) {
	entries, err := list(dir)
	if err != nil {
		return nil, err
	}
	var oids strings.Builder
	for _, e := range entries {
		oids.WriteString(e.oid + "\n")
	}
	// One git process reads every blob: one process a file takes
	// seconds on a slow machine.
	cmd := exec.Command("git", "-C", dir, "cat-file", "--batch")
	cmd.Stdin = strings.NewReader(oids.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	r := bufio.NewReader(out)
	var bad []file
	for _, e := range entries {
		size, head, err := blob(r)
		if err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return nil, fmt.Errorf("git cat-file: %s: %w %s", e.path, err, stderr.Bytes())
		}
		if _, ok := allowed[e.path]; ok {
			continue
		}
		if size > maxSize {
			bad = append(bad, file{e.path, fmt.Sprintf("%d bytes, over %d", size, maxSize)})
		}
		if k := kind(e.mode, head); k != "" {
			bad = append(bad, file{e.path, "executable binary (" + k + ")"})
		}
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w %s", err, stderr.Bytes())
	}
	return bad, nil
}

// list returns the regular files that git tracks in the repository of
// dir, wherever in it dir is.
func list(dir string) ([]entry, error) {
	top, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, err
	}
	out, err := git(strings.TrimSpace(string(top)), "ls-files", "--stage", "-z")
	if err != nil {
		return nil, err
	}
	var entries []entry
	for line := range strings.SplitSeq(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		meta, path, ok := strings.Cut(line, "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 3 {
			if line == "" {
				continue
			}
			return nil, fmt.Errorf("git ls-files: unexpected line %q", line)
		}
		// Links and submodules hold no file content.
		if fields[0] != "100644" && fields[0] != "100755" {
			continue
		}
		entries = append(entries, entry{mode: fields[0], oid: fields[1], path: path})
	}
	return entries, nil
}

func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s in %s: %w: %s", args[0], dir, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// headSize is how much of a file kind looks at: a DOS header is 64 bytes.
const headSize = 64

// blob reads one answer of git cat-file --batch and returns the blob's
// size and first bytes.
func blob(r *bufio.Reader) (int64, []byte, error) {
	header, err := r.ReadString('\n')
	if err != nil {
		return 0, nil, err
	}
	fields := strings.Fields(header)
	if len(fields) != 3 {
		return 0, nil, fmt.Errorf("unexpected answer %q", strings.TrimSpace(header))
	}
	size, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil {
		return 0, nil, fmt.Errorf("unexpected answer %q", strings.TrimSpace(header))
	}
	head := make([]byte, min(size, headSize))
	if _, err := io.ReadFull(r, head); err != nil {
		return 0, nil, err
	}
	// The rest of the content, and the line break after it.
	if _, err := io.CopyN(io.Discard, r, size-int64(len(head))+1); err != nil {
		return 0, nil, errors.Join(errors.New("short blob"), err)
	}
	return size, head, nil
}

// kind names the executable format a file starts with, or says that it
// has the exec bit without being a script; it returns "" for any other
// file.
func kind(mode string, head []byte) string {
	for _, m := range []struct {
		kind  string
		magic []byte
	}{
		{"ELF", []byte("\x7fELF")},
		{"Mach-O", []byte{0xfe, 0xed, 0xfa, 0xce}},
		{"Mach-O", []byte{0xfe, 0xed, 0xfa, 0xcf}},
		{"Mach-O", []byte{0xce, 0xfa, 0xed, 0xfe}},
		{"Mach-O", []byte{0xcf, 0xfa, 0xed, 0xfe}},
		{"Mach-O", []byte{0xca, 0xfe, 0xba, 0xbe}}, // universal
	} {
		if bytes.HasPrefix(head, m.magic) {
			return m.kind
		}
	}
	// "MZ" and a NUL in the DOS header, which no text file has.
	if bytes.HasPrefix(head, []byte("MZ")) && bytes.IndexByte(head, 0) >= 0 {
		return "PE"
	}
	if mode == "100755" && !bytes.HasPrefix(head, []byte("#!")) {
		return "exec bit without #!"
	}
	return ""
}
