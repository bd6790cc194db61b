package privacy

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// corpusSummary is printed by TestMain once the corpus test has run, so
// that the figures show in `go test` output (run the package alone, or
// with -v, to see it: go test hides the output of passing packages when
// it tests several).
var corpusSummary string

func TestMain(m *testing.M) {
	code := m.Run()
	if corpusSummary != "" {
		fmt.Println(corpusSummary)
	}
	os.Exit(code)
}

// span is a labelled value of the corpus, by byte offsets in the text
// without its marks.
type span struct {
	kind       string
	start, end int
}

type corpusCase struct {
	file  string
	line  int
	text  string
	spans []span
}

// readCorpus reads a corpus file of testdata; see guard_corpus.txt's
// header.
func readCorpus(t testing.TB, name string) []corpusCase {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "#1") && !strings.HasPrefix(line, "#9") {
			continue
		}
		c := corpusCase{file: name, line: n}
		var b strings.Builder
		for {
			i := strings.Index(line, "⟦")
			if i < 0 {
				b.WriteString(line)
				break
			}
			b.WriteString(line[:i])
			rest := line[i+len("⟦"):]
			kind, rest, ok := strings.Cut(rest, "|")
			value, after, ok2 := strings.Cut(rest, "⟧")
			if !ok || !ok2 {
				t.Fatalf("%s:%d: unclosed mark", name, n)
			}
			switch kind {
			case "email", "phone", "card", "iban":
			default:
				t.Fatalf("%s:%d: unknown kind %q", name, n, kind)
			}
			c.spans = append(c.spans, span{kind: kind, start: b.Len(), end: b.Len() + len(value)})
			b.WriteString(value)
			line = after
		}
		c.text = b.String()
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r = norm(r); isDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// corpusFigures are the guard's figures on one corpus.
type corpusFigures struct {
	strings, values, caught, clean, flagged, extra int
}

func (f corpusFigures) recall() float64 { return 100 * float64(f.caught) / float64(f.values) }

func (f corpusFigures) falsePositives() float64 { return 100 * float64(f.flagged) / float64(f.clean) }

func (f corpusFigures) String() string {
	return fmt.Sprintf("%d strings; recall %.1f%% (%d/%d values); false positives %.1f%% (%d/%d clean strings); %d findings outside labelled values",
		f.strings, f.recall(), f.caught, f.values, f.falsePositives(), f.flagged, f.clean, f.extra)
}

// measure runs the guard on a corpus. A value counts as caught when a
// finding covers it and neither it nor its digits are left in the output;
// a clean string counts as a false positive when anything is found in it.
// report is called for each miss and false positive.
func measure(cases []corpusCase, report func(format string, args ...any)) corpusFigures {
	fig := corpusFigures{strings: len(cases)}
	for _, c := range cases {
		fs := scan(c.text, nil)
		out, _ := Guard(c.text)
		if len(c.spans) == 0 {
			fig.clean++
			if len(fs) > 0 {
				fig.flagged++
				report("%s:%d: false positive: Guard(%q) = %q", c.file, c.line, c.text, out)
			}
			continue
		}
		for _, sp := range c.spans {
			fig.values++
			value := c.text[sp.start:sp.end]
			ok := !free(fs, sp.start, sp.end) && !strings.Contains(out, value)
			if d := digitsOf(value); sp.kind != "email" && strings.Contains(digitsOf(out), d) {
				ok = false
			}
			if ok {
				fig.caught++
			} else {
				// The value is synthetic, but say only where and what.
				report("%s:%d: missed a %s", c.file, c.line, sp.kind)
			}
		}
		for _, f := range fs {
			inside := false
			for _, sp := range c.spans {
				inside = inside || f.start < sp.end && sp.start < f.end
			}
			if !inside {
				fig.extra++
				report("%s:%d: found a %s outside the labelled values", c.file, c.line, f.kind)
			}
		}
	}
	return fig
}

// TestGuardCorpus measures the guard on the labelled corpus the detectors
// were developed against (recall ≥ 99%, false positives ≤ 1%) and on the
// corpora written after them to estimate what the first hides (floors that
// catch regressions: recall ≥ 90%, false positives ≤ 3%; their headers
// say how they were used). The figures are kept in
// testdata/guard_figures.golden (rewrite with -update) and printed.
func TestGuardCorpus(t *testing.T) {
	dev := measure(readCorpus(t, "guard_corpus.txt"), t.Errorf)
	holdout := measure(readCorpus(t, "guard_holdout.txt"), t.Logf)
	blind := measure(readCorpus(t, "guard_blind.txt"), t.Logf)
	if dev.strings < 300 || dev.values < 150 || dev.clean < 150 {
		t.Fatalf("corpus has %d strings, %d values and %d clean strings, want at least 300, 150 and 150", dev.strings, dev.values, dev.clean)
	}
	figures := "guard corpus: " + dev.String() + "\nguard held-out corpus: " + holdout.String() + "\nguard blind corpus: " + blind.String() + "\n"
	corpusSummary = strings.TrimSpace(figures)
	t.Log(corpusSummary)
	if dev.recall() < 99 || dev.falsePositives() > 1 {
		t.Errorf("corpus: recall = %.1f%%, false positives = %.1f%%, want ≥ 99%% and ≤ 1%%", dev.recall(), dev.falsePositives())
	}
	for name, f := range map[string]corpusFigures{"held-out": holdout, "blind": blind} {
		if f.recall() < 90 || f.falsePositives() > 3 {
			t.Errorf("%s corpus: recall = %.1f%%, false positives = %.1f%%, want ≥ 90%% and ≤ 3%%", name, f.recall(), f.falsePositives())
		}
	}
	golden(t, "testdata/guard_figures.golden", figures)
}

// golden compares got with a golden file, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test -update after checking the change):\n got: %s\nwant: %s", path, got, want)
	}
}
