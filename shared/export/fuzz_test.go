package export

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/safeview/safeview/shared/export/exporttest"
)

// The fuzz tests read anything as each format: no panic, records in line
// order, and no error message that repeats its record. An error may only
// hold constant text (this package's and package platform's source: column
// names, reasons, field paths of payloads) and numbers: every 6-byte
// window of a message that also occurs in the lines of its record must
// occur in that source. Digits are compared as one class, for line
// numbers and counts, and the line numbers before a reason are left out.
//
// The seeds are whole exports: fuzz with a short minimization, e.g.
// go test ./shared/export -run XXX -fuzz FuzzShopifyCSV -fuzzminimizetime 2s

// vocabulary is the set of 6-byte windows of the constant text.
var vocabulary = sync.OnceValue(func() map[string]bool {
	var b strings.Builder
	for _, dir := range []string{".", filepath.Join("..", "platform")} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				panic(err)
			}
			b.Write(src)
		}
	}
	src := normalize(strings.ReplaceAll(b.String(), "%d", "0"))
	set := make(map[string]bool, len(src))
	for i := 0; i+6 <= len(src); i++ {
		set[src[i:i+6]] = true
	}
	return set
})

var (
	digitRuns  = regexp.MustCompile(`[0-9]+`)
	linePrefix = regexp.MustCompile(`^line [0-9]+: `)
)

// normalize folds every run of digits to one "#".
func normalize(s string) string { return digitRuns.ReplaceAllString(s, "#") }

// lineIndex finds the lines of a file, counting from 1.
type lineIndex struct {
	data  []byte
	start []int // start[i] is where line i+1 starts
}

func newLineIndex(data []byte) lineIndex {
	x := lineIndex{data: data, start: []int{0}}
	for i, b := range data {
		if b == '\n' {
			x.start = append(x.start, i+1)
		}
	}
	return x
}

// lines returns lines from to to, without the last line's newline.
func (x lineIndex) lines(from, to int) string {
	from, to = max(from, 1), min(to, len(x.start))
	if from > to {
		return ""
	}
	end := len(x.data)
	if to < len(x.start) {
		end = x.start[to] - 1
	}
	return string(x.data[x.start[from-1]:end])
}

// checkMessage fails when msg repeats 6 bytes of record that are not
// constant text. It reports where, not what.
func checkMessage(t *testing.T, msg, record string) {
	t.Helper()
	m, r, v := normalize(msg), normalize(record), vocabulary()
	for i := 0; i+6 <= len(m); i++ {
		w := m[i : i+6]
		if !v[w] && strings.Contains(r, w) {
			t.Fatalf("an error message repeats 6 bytes of its record (message byte %d of %d)", i, len(m))
		}
	}
}

// fuzzRead reads data as format and checks every error and record.
func fuzzRead(t *testing.T, format string, data []byte, o Options) {
	x := newLineIndex(data)
	r, err := Open(format, bytes.NewReader(data), o)
	if err != nil {
		if !errors.Is(err, ErrHeader) && !errors.Is(err, ErrFormat) {
			t.Fatalf("Open failed without ErrHeader or ErrFormat")
		}
		checkMessage(t, err.Error(), x.lines(1, 1))
		return
	}
	last := 0
	for range 100_000 {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var le *LineError
		switch {
		case errors.As(err, &le):
			// The "lines N-M: line K: " before the reason is numbers only.
			checkMessage(t, linePrefix.ReplaceAllString(le.Err.Error(), ""), x.lines(le.Line, le.EndLine))
			rec.Line, rec.EndLine, rec.Resume = le.Line, le.EndLine, le.Resume
		case err != nil:
			t.Fatalf("Next failed with an error that is not a LineError")
		}
		if rec.Line <= last || rec.EndLine < rec.Line {
			t.Fatalf("record of lines %d-%d after line %d", rec.Line, rec.EndLine, last)
		}
		last = rec.EndLine
		if tok, err := ParseToken(rec.Resume.String()); err != nil || tok != rec.Resume {
			t.Fatalf("the token after line %d does not survive its text", last)
		}
	}
	t.Fatalf("more than 100,000 records")
}

// seed adds the fixtures of a format and a small generated file.
func seed(f *testing.F, format string) {
	for _, fx := range fixtures {
		if fx.format != format {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", fx.file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	var buf bytes.Buffer
	if _, err := exporttest.Write(&buf, exporttest.Spec{Format: format, Records: 4, Broken: []int{1}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
}

func FuzzShopifyCSV(f *testing.F) {
	seed(f, ShopifyCSV)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, ShopifyCSV, data, Options{}) })
}

func FuzzWooCommerceCSV(f *testing.F) {
	seed(f, WooCommerceCSV)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, WooCommerceCSV, data, Options{Location: berlin}) })
}

func FuzzLightspeedXSeriesCSV(f *testing.F) {
	seed(f, LightspeedXSeriesCSV)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRead(t, LightspeedXSeriesCSV, data, Options{Location: auckland}) })
}

func FuzzJSONL(f *testing.F) {
	seed(f, JSONL)
	platforms := []string{"shopify", "woocommerce", "lightspeed-xseries", "stripe", "square", "lightspeed-ecom"}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range platforms {
			fuzzRead(t, JSONL, data, Options{Platform: p, MaxLineBytes: 4 << 10})
		}
	})
}
