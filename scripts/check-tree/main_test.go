package main

import (
	"bytes"
	"errors"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type testFile struct {
	path, content string
	exec          bool
}

// elf is the start of a 64-bit Linux executable, as go build leaves one.
const elf = "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"

func TestRun(t *testing.T) {
	t.Parallel()
	const hint = "untrack each (git rm --cached) and name build outputs in .gitignore"
	tests := []struct {
		name  string
		files []testFile
		sub   string // the directory given, inside the repository
		code  int
		want  []string // lines of stdout, the hint left out
	}{
		{"clean", []testFile{
			{path: "main.go", content: "package main\n"},
			{path: "scripts/run", content: "#!/usr/bin/env bash\necho hi\n", exec: true},
			{path: "testdata/exactly-1MiB", content: strings.Repeat("a", 1<<20)},
			{path: "notes.txt", content: "MZ is not a program: no NUL follows\n"},
		}, "", 0, nil},
		{"a 2 MB file", []testFile{
			{path: "main.go", content: "package main\n"},
			{path: "big.json", content: strings.Repeat("a", 2<<20)},
		}, "", 1, []string{"big.json: 2097152 bytes, over 1048576"}},
		{"a committed build, seen from a subdirectory", []testFile{
			{path: "scripts/dsar/main.go", content: "package main\n"},
			{path: "dsar", content: elf + strings.Repeat("\x00", 2<<20), exec: true},
		}, "scripts/dsar", 1, []string{
			"dsar: 2097172 bytes, over 1048576",
			"dsar: executable binary (ELF)",
		}},
		{"an ELF without the exec bit", []testFile{{path: "lib.so", content: elf}}, "", 1, []string{"lib.so: executable binary (ELF)"}},
		{"a Mach-O", []testFile{{path: "tool", content: "\xcf\xfa\xed\xfe\x0c\x00\x00\x01", exec: true}}, "", 1, []string{"tool: executable binary (Mach-O)"}},
		{"a PE", []testFile{{path: "tool.exe", content: "MZ\x90\x00\x03\x00\x00\x00\x04\x00"}}, "", 1, []string{"tool.exe: executable binary (PE)"}},
		{"the exec bit on a text file", []testFile{{path: "notes.txt", content: "hello\n", exec: true}}, "", 1, []string{"notes.txt: executable binary (exec bit without #!)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := newRepo(t, tt.files)
			var stdout, stderr bytes.Buffer
			code := run([]string{filepath.Join(dir, tt.sub)}, &stdout, &stderr)
			want := tt.want
			if code == 1 {
				want = append(slices.Clone(want), hint)
			}
			if got := lines(stdout.String()); code != tt.code || !slices.Equal(got, want) {
				t.Errorf("run(%s) = %d\n%s%s\nwant %d\n%s", tt.name, code, stdout.String(), stderr.String(), tt.code, strings.Join(want, "\n"))
			}
		})
	}
}

func TestRunCalledWrongly(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"two directories", []string{".", "."}, "usage: go run ./scripts/check-tree [DIR]"},
		{"a flag", []string{"-h"}, "usage: go run ./scripts/check-tree [DIR]"},
		{"not a repository", []string{t.TempDir()}, "check-tree: git rev-parse in "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != 2 || !strings.HasPrefix(stderr.String(), tt.want) {
				t.Errorf("run(%q) = %d, %q, want 2, %q...", tt.args, code, stderr.String(), tt.want)
			}
		})
	}
}

// Every command under scripts/ leaves a binary named after it when built
// at the root or in its folder: .gitignore must name both, and must not
// ignore the command's source.
func TestGitignoreNamesEveryScript(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := os.ReadDir(filepath.Join(root, "scripts"))
	if err != nil {
		t.Fatal(err)
	}
	var commands []string
	for _, d := range dirs {
		if d.IsDir() && isCommand(t, filepath.Join(root, "scripts", d.Name())) {
			commands = append(commands, d.Name())
		}
	}
	if !slices.Contains(commands, "check-tree") {
		t.Fatalf("commands under scripts/ = %q, want check-tree among them", commands)
	}
	for _, c := range commands {
		for _, path := range []string{c, "scripts/" + c + "/" + c} {
			if !ignored(t, root, path) {
				t.Errorf(".gitignore does not ignore %s, which go build leaves", path)
			}
		}
		for _, path := range []string{"scripts/" + c + "/main.go", "scripts/" + c + "/main_test.go"} {
			if ignored(t, root, path) {
				t.Errorf(".gitignore ignores %s, a source file", path)
			}
		}
	}
}

// isCommand reports whether dir holds a main package.
func isCommand(t *testing.T, dir string) bool {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.PackageClauseOnly)
		if err != nil {
			t.Fatal(err)
		}
		return f.Name.Name == "main"
	}
	return false
}

func ignored(t *testing.T, root, path string) bool {
	t.Helper()
	err := gitCommand(root, "check-ignore", "--no-index", "-q", path).Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return false
	default:
		t.Fatalf("git check-ignore %s: %v", path, err)
		return false
	}
}

// newRepo returns a new git repository whose index holds files.
func newRepo(t *testing.T, files []testFile) string {
	t.Helper()
	dir := t.TempDir()
	mustGit(t, dir, "init", "-q")
	for _, f := range files {
		path := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(f.content), 0o644); err != nil {
			t.Fatal(err)
		}
		mustGit(t, dir, "add", f.path)
		if f.exec {
			mustGit(t, dir, "update-index", "--chmod=+x", f.path)
		}
	}
	return dir
}

func mustGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	if out, err := gitCommand(dir, args...).CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// gitCommand runs git without the user's or the system's configuration,
// which could change what it stages.
func gitCommand(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	return cmd
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
