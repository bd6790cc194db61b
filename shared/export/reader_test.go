package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/safeview/safeview/shared/export/exporttest"
	"github.com/safeview/safeview/shared/platform"
)

// generatedOptions are the options each generated format is read with.
var generatedOptions = map[string]Options{
	ShopifyCSV:           {},
	WooCommerceCSV:       {Location: berlin},
	LightspeedXSeriesCSV: {Location: auckland, Preset: platform.Options{Currency: "NZD"}},
	JSONL:                {Platform: "shopify"},
}

func generate(t testing.TB, spec exporttest.Spec) ([]byte, exporttest.Summary) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := exporttest.Write(&buf, spec)
	if err != nil {
		t.Fatalf("exporttest.Write(%s) = %v", spec.Format, err)
	}
	return buf.Bytes(), sum
}

// TestGenerated reads generated files of every format: every readable
// order comes out with its id, every broken one as an error on its first
// line, and no error carries a canary.
func TestGenerated(t *testing.T) {
	t.Parallel()
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			data, sum := generate(t, exporttest.Spec{Format: format, Records: 300, Broken: []int{0, 7, 299}})
			r, err := Open(format, bytes.NewReader(data), generatedOptions[format])
			if err != nil {
				t.Fatalf("Open(%s) = %v", format, err)
			}
			var ids []string
			var errLines []int
			for {
				rec, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				var le *LineError
				if errors.As(err, &le) {
					errLines = append(errLines, le.Line)
					for _, c := range sum.Canaries {
						if strings.Contains(le.Error(), c) {
							t.Fatalf("the error of line %d carries a canary", le.Line)
						}
					}
					continue
				}
				if err != nil {
					t.Fatalf("Next() = %v", err)
				}
				if rec.Event.Kind != platform.KindOrder || rec.Event.Version <= 0 {
					t.Errorf("record of lines %d-%d: kind %q, version %d", rec.Line, rec.EndLine, rec.Event.Kind, rec.Event.Version)
				}
				ids = append(ids, rec.Event.Order.ID)
			}
			if diff := cmp.Diff(sum.IDs, ids); diff != "" {
				t.Errorf("order ids differ from the generator's (-want +got):\n%s", diff)
			}
			if !slices.Equal(errLines, sum.BrokenLines) {
				t.Errorf("errors on lines %v, want %v", errLines, sum.BrokenLines)
			}
			if got := r.Token().Records; got != sum.Records {
				t.Errorf("Token().Records = %d, want %d", got, sum.Records)
			}
		})
	}
}

// step is what one call of Next gave, as compared across runs.
type step struct {
	Line, EndLine int
	ID, Err       string
}

func stepOf(rec Record, err error) step {
	var le *LineError
	if errors.As(err, &le) {
		return step{Line: le.Line, EndLine: le.EndLine, Err: le.Error()}
	}
	s := step{Line: rec.Line, EndLine: rec.EndLine}
	if rec.Event.Order != nil {
		s.ID = rec.Event.Order.ID
	}
	return s
}

// readSteps reads to the end, with the token after each step.
func readSteps(t *testing.T, r *Reader) ([]step, []Token) {
	t.Helper()
	var steps []step
	var tokens []Token
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return steps, tokens
		}
		if err != nil && !errors.Is(err, ErrRecord) {
			t.Fatalf("Next() = %v", err)
		}
		steps = append(steps, stepOf(rec, err))
		tokens = append(tokens, r.Token())
		var le *LineError
		if errors.As(err, &le) && le.Resume != r.Token() || err == nil && rec.Resume != r.Token() {
			t.Fatalf("the record's token is not the Reader's")
		}
	}
}

// onlyReader hides io.Seeker: resuming must then skip bytes.
type onlyReader struct{ io.Reader }

type resumeCase struct {
	name, format string
	data         []byte
	opts         Options
}

func resumeCases(t *testing.T) []resumeCase {
	var cases []resumeCase
	for _, fx := range fixtures {
		b, err := os.ReadFile(filepath.Join("testdata", fx.file))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, resumeCase{fx.file, fx.format, b, fx.opts})
	}
	for _, format := range Formats() {
		data, _ := generate(t, exporttest.Spec{Format: format, Records: 40, Broken: []int{3, 39}})
		cases = append(cases, resumeCase{"generated " + format, format, data, generatedOptions[format]})
	}
	return cases
}

// TestResume resumes every file after every record, from a seekable and
// from a plain reader, and from the token's text: exactly the remaining
// records and errors come out.
func TestResume(t *testing.T) {
	t.Parallel()
	for _, c := range resumeCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, err := Open(c.format, bytes.NewReader(c.data), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			all, tokens := readSteps(t, r)
			for k, tok := range tokens {
				parsed, err := ParseToken(tok.String())
				if err != nil || parsed != tok {
					t.Fatalf("ParseToken(Token.String()) after step %d = %v, want the token back", k, err)
				}
				var in io.Reader = bytes.NewReader(c.data)
				if k%2 == 1 {
					in = onlyReader{in}
				}
				o := c.opts
				o.Resume = parsed
				r, err := Open(c.format, in, o)
				if err != nil {
					t.Fatalf("Open with the token after step %d = %v", k, err)
				}
				rest, _ := readSteps(t, r)
				if diff := cmp.Diff(all[k+1:], rest, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("resuming after step %d: the rest differs (-want +got):\n%s", k, diff)
				}
				if k == len(tokens)-1 && r.Token() != tok {
					t.Errorf("resuming at the end: Token() moved")
				}
			}
		})
	}
}

// TestResumeRefusesAnotherFile: a token only resumes the file it was
// taken from.
func TestResumeRefusesAnotherFile(t *testing.T) {
	t.Parallel()
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			o := generatedOptions[format]
			data, _ := generate(t, exporttest.Spec{Format: format, Records: 30})
			r, err := Open(format, bytes.NewReader(data), o)
			if err != nil {
				t.Fatal(err)
			}
			_, tokens := readSteps(t, r)
			tok := tokens[20]
			other, _ := generate(t, exporttest.Spec{Format: format, Records: 30, Broken: []int{20}})
			tests := []struct {
				name string
				data []byte
			}{
				{"the record before the token changed", other},
				{"shorter", data[:tok.Offset-5]},
				{"empty", nil},
				{"shifted by a line", append([]byte("\n"), data...)},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					o.Resume = tok
					if _, err := Open(format, bytes.NewReader(tt.data), o); !errors.Is(err, ErrResume) && !errors.Is(err, ErrHeader) {
						t.Errorf("Open(%s, resume) = %v, want ErrResume", tt.name, err)
					}
				})
			}
		})
	}
}

func TestParseTokenRejects(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"x", "v1:1:2:3", "v2:10:3:1:0:1:0000000000000000:0000000000000000",
		"v1:10:3:1:20:1:0000000000000000:0000000000000000", "v1:-1:3:1:0:1:00:00", "v1:10:3:1:0:1:zz:00"} {
		if _, err := ParseToken(s); err == nil {
			t.Errorf("ParseToken(%q) = nil error, want an error", s)
		}
	}
	if tok, err := ParseToken(""); err != nil || !tok.IsZero() {
		t.Errorf(`ParseToken("") = %v, %v, want the zero Token`, tok, err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, format, data string
		opts               Options
		want               error
	}{
		{"unknown format", "csv", "a,b\n", Options{}, ErrFormat},
		{"empty", ShopifyCSV, "", Options{}, ErrHeader},
		{"not a Shopify header", ShopifyCSV, "order_id,date,status\n1,2,3\n", Options{}, ErrHeader},
		{"WooCommerce without a zone", WooCommerceCSV, "order_id,date,status\n", Options{}, ErrFormat},
		{"neither WooCommerce layout", WooCommerceCSV, "Name,Email\n", Options{Location: berlin}, ErrHeader},
		{"X-Series without a zone", LightspeedXSeriesCSV, "Date\n", Options{}, ErrFormat},
		{"X-Series without Line Type", LightspeedXSeriesCSV, "Date,Receipt Number,Total,Status,Details,Quantity\n", Options{Location: auckland}, ErrHeader},
		{"jsonl without a platform", JSONL, "{}\n", Options{}, ErrFormat},
		{"jsonl with an unknown platform", JSONL, "{}\n", Options{Platform: "magento"}, ErrFormat},
		{"a broken quote in the header", ShopifyCSV, "Name,\"Id\n", Options{}, ErrHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Open(tt.format, strings.NewReader(tt.data), tt.opts); !errors.Is(err, tt.want) {
				t.Errorf("Open(%q, %q) = %v, want %v", tt.format, tt.name, err, tt.want)
			}
		})
	}
}

// TestLongLine: a jsonl line over the limit is one error, and the next
// line reads.
func TestLongLine(t *testing.T) {
	t.Parallel()
	data, sum := generate(t, exporttest.Spec{Format: JSONL, Records: 3})
	lines := bytes.SplitAfter(data, []byte("\n"))
	long := append(bytes.Repeat([]byte(" "), 300<<10), '\n')
	in := slices.Concat(lines[0], long, lines[1], lines[2])
	r, err := Open(JSONL, bytes.NewReader(in), Options{Platform: "shopify", MaxLineBytes: 200 << 10})
	if err != nil {
		t.Fatal(err)
	}
	steps, _ := readSteps(t, r)
	want := []step{
		{Line: 1, EndLine: 1, ID: sum.IDs[0]},
		{Line: 2, EndLine: 2, Err: "line 2: " + errTooLong.Error()},
		{Line: 3, EndLine: 3, ID: sum.IDs[1]},
		{Line: 4, EndLine: 4, ID: sum.IDs[2]},
	}
	if diff := cmp.Diff(want, steps); diff != "" {
		t.Errorf("steps differ (-want +got):\n%s", diff)
	}
}

// TestStreaming reads a large generated export through a pipe, so that it
// is never whole in memory, and checks that the heap stays flat: the
// Reader holds one order at a time.
func TestStreaming(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100,000 orders")
	}
	const records = 100_000
	pr, pw := io.Pipe()
	go func() {
		_, err := exporttest.Write(pw, exporttest.Spec{Format: ShopifyCSV, Records: records, CountOnly: true})
		pw.CloseWithError(err)
	}()
	r, err := Open(ShopifyCSV, pr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base, peak, n := heap(), uint64(0), 0
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next() = %v", err)
		}
		if n++; n%20_000 == 0 {
			peak = max(peak, heap())
		}
	}
	if n != records {
		t.Fatalf("read %d records, want %d", n, records)
	}
	// The file is about 60 MB; the reader's buffers are 64 KiB.
	if grown := int64(peak) - int64(base); grown > 8<<20 {
		t.Errorf("the heap grew by %d bytes while streaming %d records, want it flat", grown, records)
	}
}

// BenchmarkShopifyCSV reports the cost of one order of three lines.
func BenchmarkShopifyCSV(b *testing.B) {
	data, _ := generate(b, exporttest.Spec{Format: ShopifyCSV, Records: 10_000})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(ShopifyCSV, bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestAllocsPerRecord: the allocations of reading grow with the records,
// not faster (nothing accumulates across records).
func TestAllocsPerRecord(t *testing.T) {
	perRecord := func(n int) float64 {
		data, _ := generate(t, exporttest.Spec{Format: ShopifyCSV, Records: n})
		allocs := testing.AllocsPerRun(3, func() {
			r, err := Open(ShopifyCSV, bytes.NewReader(data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			for {
				if _, err := r.Next(); err != nil {
					return
				}
			}
		})
		return allocs / float64(n)
	}
	small, large := perRecord(1_000), perRecord(10_000)
	if large > small*1.2 {
		t.Errorf("allocations per record: %.1f for 1,000 records, %.1f for 10,000, want them equal", small, large)
	}
	if testing.Verbose() {
		fmt.Printf("allocations per record: %.1f\n", large)
	}
}

// failingReader fails after some bytes, as a broken disk or network would.
type failingReader struct {
	r io.Reader
	n int
}

var errDisk = errors.New("disk on fire")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errDisk
	}
	p = p[:min(len(p), f.n)]
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

// TestInputError: an error of the input ends the reading, for good.
func TestInputError(t *testing.T) {
	t.Parallel()
	data, _ := generate(t, exporttest.Spec{Format: ShopifyCSV, Records: 200})
	r, err := Open(ShopifyCSV, &failingReader{bytes.NewReader(data), len(data) / 2}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		if _, err = r.Next(); err != nil && !errors.Is(err, ErrRecord) {
			break
		}
	}
	if !errors.Is(err, errDisk) {
		t.Fatalf("Next() = %v, want the input's error", err)
	}
	if _, again := r.Next(); !errors.Is(again, errDisk) {
		t.Errorf("Next() after the input's error = %v, want it again", again)
	}
}
