package privacy

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// corpusSummary is printed by TestMain once the corpus test has run, so
// that the figures show in `go test` output (run the package alone, or
// with -v, to see it: go test hides the output of passing packages when
// it tests several).
var corpusSummary []string

func TestMain(m *testing.M) {
	code := m.Run()
	if len(corpusSummary) > 0 {
		fmt.Println(strings.Join(corpusSummary, "\n"))
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
	file    string
	line    int
	country string // "" where the corpus says none
	text    string
	spans   []span
}

// The corpora, by the name of their subtests: go test -run
// 'TestGuardCorpus/development' measures the development corpus alone,
// and -skip '/(held-out|blind)' keeps the others unread while the
// detectors change (see docs/privacy.md).
var corpora = []struct{ name, file string }{
	{"development", "guard_corpus.txt"},
	{"held-out", "guard_holdout.txt"},
	{"blind", "guard_blind.txt"},
	{"held-out-2", "guard_holdout2.txt"},
	{"held-out-3", "guard_holdout3.txt"},
	{"blind-2", "guard_blind2.txt"},
	{"blind-3", "guard_blind3.txt"},
	{"blind-4", "guard_blind4.txt"},
}

// countries are the countries a corpus line may be written in, as
// "# country: FR" lines set them for the lines that follow.
var countries = []string{"CA", "DE", "ES", "FR", "GB", "US"}

var kinds = []string{"email", "phone", "card", "iban"}

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
	country := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "# country:"); ok {
			country = strings.TrimSpace(c)
			if country == "-" {
				country = ""
			} else if !slices.Contains(countries, country) {
				t.Fatalf("%s:%d: unknown country %q", name, n, country)
			}
			continue
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "#1") && !strings.HasPrefix(line, "#9") {
			continue
		}
		c := corpusCase{file: name, line: n, country: country}
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
			if !slices.Contains(kinds, kind) {
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

// ratio is x out of n.
type ratio struct{ x, n int }

func (r ratio) percent() float64 {
	if r.n == 0 {
		return 0
	}
	return 100 * float64(r.x) / float64(r.n)
}

// wilson is the Wilson score interval of the ratio at 95%, in percent: it
// stays within [0, 100] and says something at 0 and n out of n, where the
// normal approximation says nothing.
func (r ratio) wilson() (lo, hi float64) {
	if r.n == 0 {
		return 0, 100
	}
	const z = 1.959964
	n, p := float64(r.n), float64(r.x)/float64(r.n)
	center := (p + z*z/(2*n)) / (1 + z*z/n)
	half := z / (1 + z*z/n) * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	return 100 * max(0, center-half), 100 * min(1, center+half)
}

func (r ratio) String() string {
	if r.n == 0 {
		return "-"
	}
	lo, hi := r.wilson()
	return fmt.Sprintf("%5.1f%% (%d/%d) [%.1f, %.1f]", r.percent(), r.x, r.n, lo, hi)
}

// corpusFigures are the guard's figures on one corpus.
type corpusFigures struct {
	strings, extra int
	recall         ratio             // values caught
	fp             ratio             // clean strings changed
	recallBy       map[string]*ratio // by kind and by country
	fpBy           map[string]*ratio // by country, and by the kind found
}

func (f corpusFigures) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d strings; %d findings outside labelled values\n", f.strings, f.extra)
	fmt.Fprintf(&b, "  recall           %s\n", f.recall)
	for _, k := range kinds {
		fmt.Fprintf(&b, "    %-14s %s\n", k, f.by(f.recallBy, k))
	}
	fmt.Fprintf(&b, "  false positives  %s\n", f.fp)
	for _, k := range kinds {
		fmt.Fprintf(&b, "    read as %-6s %s\n", k, f.by(f.fpBy, k))
	}
	fmt.Fprintf(&b, "  by country       recall                          false positives\n")
	for _, c := range append(slices.Clone(countries), "") {
		r, fp := f.by(f.recallBy, c), f.by(f.fpBy, c)
		if r.n == 0 && fp.n == 0 {
			continue
		}
		name := c
		if c == "" {
			name = "others"
		}
		fmt.Fprintf(&b, "    %-14s %-31s %s\n", name, r, fp)
	}
	return b.String()
}

func (f corpusFigures) by(m map[string]*ratio, key string) ratio {
	if r := m[key]; r != nil {
		return *r
	}
	return ratio{}
}

func count(m map[string]*ratio, key string, hit bool) {
	r := m[key]
	if r == nil {
		r = &ratio{}
		m[key] = r
	}
	r.n++
	if hit {
		r.x++
	}
}

// covered reports whether the findings cover [start, end) whole.
func covered(fs []finding, start, end int) bool {
	for start < end {
		i := slices.IndexFunc(fs, func(f finding) bool { return f.start <= start && start < f.end })
		if i < 0 {
			return false
		}
		start = fs[i].end
	}
	return true
}

// measure runs the guard on a corpus. A value counts as caught when
// findings cover it whole and neither it nor its digits are left in the
// output; a clean string counts as a false positive when anything is
// found in it (by kind: when a finding of that kind is). The detectors
// read the text as the guard does, cleaned (see Clean). report is called
// for each miss and false positive.
func measure(cases []corpusCase, report func(format string, args ...any)) corpusFigures {
	fig := corpusFigures{strings: len(cases), recallBy: map[string]*ratio{}, fpBy: map[string]*ratio{}}
	for _, c := range cases {
		text := Clean(c.text)
		fs := scan(text, nil)
		out, _ := Guard(c.text)
		if len(c.spans) == 0 {
			flagged := len(fs) > 0
			fig.fp.n++
			if flagged {
				fig.fp.x++
				report("%s:%d: false positive: Guard(%q) = %q", c.file, c.line, c.text, out)
			}
			count(fig.fpBy, c.country, flagged)
			for k, name := range kinds {
				count(fig.fpBy, name, slices.ContainsFunc(fs, func(f finding) bool { return f.kind == Kind(k) }))
			}
			continue
		}
		for _, sp := range c.spans {
			start, end := len(Clean(c.text[:sp.start])), len(Clean(c.text[:sp.end]))
			value := text[start:end]
			ok := covered(fs, start, end) && !strings.Contains(out, value)
			if d := digitsOf(value); sp.kind != "email" && strings.Contains(digitsOf(out), d) {
				ok = false
			}
			fig.recall.n++
			if ok {
				fig.recall.x++
			} else {
				// The value is synthetic, but say only where and what.
				report("%s:%d: missed a %s", c.file, c.line, sp.kind)
			}
			count(fig.recallBy, sp.kind, ok)
			count(fig.recallBy, c.country, ok)
		}
		for _, f := range fs {
			inside := false
			for _, sp := range c.spans {
				start, end := len(Clean(c.text[:sp.start])), len(Clean(c.text[:sp.end]))
				inside = inside || f.start < end && start < f.end
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
// corpora written to estimate what the first hides (floors that catch
// regressions: recall ≥ 90%, false positives ≤ 3%; their headers say how
// they were used), each in a subtest of its name. The figures are kept in
// testdata/guard_*.golden (rewrite with -update) and printed.
func TestGuardCorpus(t *testing.T) {
	for _, c := range corpora {
		t.Run(c.name, func(t *testing.T) {
			dev := c.name == "development"
			report := t.Logf
			if dev {
				report = t.Errorf
			}
			f := measure(readCorpus(t, c.file), report)
			figures := c.name + " corpus (" + c.file + "): " + f.String()
			corpusSummary = append(corpusSummary, figures)
			t.Log(figures)
			switch {
			case dev && (f.strings < 300 || f.recall.n < 150 || f.fp.n < 150):
				t.Fatalf("corpus has %d strings, %d values and %d clean strings, want at least 300, 150 and 150", f.strings, f.recall.n, f.fp.n)
			case dev && (f.recall.percent() < 99 || f.fp.percent() > 1):
				t.Errorf("recall = %.1f%%, false positives = %.1f%%, want ≥ 99%% and ≤ 1%%", f.recall.percent(), f.fp.percent())
			case !dev && (f.recall.percent() < 90 || f.fp.percent() > 3):
				t.Errorf("recall = %.1f%%, false positives = %.1f%%, want ≥ 90%% and ≤ 3%%", f.recall.percent(), f.fp.percent())
			}
			golden(t, "testdata/"+strings.TrimSuffix(c.file, ".txt")+".golden", figures)
		})
	}
}

func TestWilson(t *testing.T) {
	t.Parallel()
	// Newcombe (1998), Statistics in Medicine 17, 857-872, table I,
	// method 3 (the score interval without continuity correction).
	tests := []struct {
		r      ratio
		lo, hi float64
	}{
		{ratio{81, 263}, 25.53, 36.62},
		{ratio{15, 148}, 6.24, 16.05},
		{ratio{0, 20}, 0, 16.11},
		{ratio{1, 29}, 0.61, 17.18},
		{ratio{29, 29}, 88.30, 100},
	}
	for _, tt := range tests {
		lo, hi := tt.r.wilson()
		if math.Abs(lo-tt.lo) > 0.01 || math.Abs(hi-tt.hi) > 0.01 {
			t.Errorf("%v.wilson() = %.2f, %.2f, want %.2f, %.2f", tt.r, lo, hi, tt.lo, tt.hi)
		}
	}
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
