package export

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/safeview/safeview/shared/platform"
)

// row is one CSV row and where it stands in the file.
type row struct {
	// fields is reused by the next read: a builder takes what it needs
	// (strings are not reused, only the slice).
	fields        []string
	line, endLine int
	start, end    int64 // byte offsets in the file
	sum           uint64
	err           error // the row is not valid CSV
}

var errMalformedCSV = errors.New("not valid CSV (a misplaced quote)")

// csvRows reads the rows of a CSV file with their positions.
type csvRows struct {
	in    *input
	cr    *csv.Reader
	width int   // the header's number of fields; 0 while reading it
	base  int64 // the offset of the CSV reader's first byte
	line0 int   // the lines before the CSV reader's first line
}

// reset starts a CSV reader at the input's position, which is offset base
// and the line after line0.
func (c *csvRows) reset(base int64, line0 int) {
	c.cr = csv.NewReader(c.in.br)
	c.cr.ReuseRecord = true
	// Rows are checked against the header's width by read, to report
	// them as records rather than stop. Quotes stay strict: every export
	// quotes its fields, and a lazy reading of a broken quote shifts
	// fields, which could carry a note into a column that leaves.
	c.cr.FieldsPerRecord = -1
	c.base, c.line0 = base, line0
}

// read reads the next row into r. It returns io.EOF at the end and the
// input's own errors; a row that is not valid CSV is returned with r.err.
func (c *csvRows) read(r *row) error {
	start := c.base + c.cr.InputOffset()
	fields, err := c.cr.Read()
	*r = row{start: start, end: c.base + c.cr.InputOffset()}
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		r.line, r.endLine, r.err = c.line0+pe.StartLine, c.line0+pe.Line, errMalformedCSV
		// No fields to hash: a resume finds the same error at the same
		// place, with the same length.
		r.sum = checksum([]string{"\x00malformed", strconv.FormatInt(r.end-r.start, 10)})
		return nil
	case err != nil:
		return err
	}
	first, _ := c.cr.FieldPos(0)
	last, _ := c.cr.FieldPos(len(fields) - 1)
	r.fields = fields
	r.line = c.line0 + first
	r.endLine = c.line0 + last + strings.Count(fields[len(fields)-1], "\n")
	r.sum = checksum(fields)
	if c.width > 0 && len(fields) != c.width {
		r.err = fmt.Errorf("%d fields where the header has %d", len(fields), c.width)
	}
	return nil
}

// header maps the lower-cased column names of a header row to their index.
type header map[string]int

func newHeader(fields []string) header {
	h := make(header, len(fields))
	for i, f := range fields {
		k := strings.ToLower(strings.TrimSpace(f))
		if _, dup := h[k]; !dup {
			h[k] = i
		}
	}
	return h
}

// col returns the index of the first of names the header has, or -1.
func (h header) col(names ...string) int {
	for _, n := range names {
		if i, ok := h[n]; ok {
			return i
		}
	}
	return -1
}

// require returns the index of a column that must be there.
func (h header) require(names ...string) (int, error) {
	if i := h.col(names...); i >= 0 {
		return i, nil
	}
	return -1, fmt.Errorf("%w: no %q column", ErrHeader, names[0])
}

// need is a column that must be there: its index goes to dst.
type need struct {
	dst   *int
	names []string // accepted spellings, lower case
}

func col(dst *int, names ...string) need { return need{dst, names} }

// requireAll finds every needed column, or names the first one missing.
func (h header) requireAll(needs ...need) error {
	for _, n := range needs {
		i, err := h.require(n.names...)
		if err != nil {
			return err
		}
		*n.dst = i
	}
	return nil
}

// get returns the trimmed field i of a row; "" when the row is shorter or
// the column absent.
func get(fields []string, i int) string {
	if i < 0 || i >= len(fields) {
		return ""
	}
	return strings.TrimSpace(fields[i])
}

// builder turns the rows of one record into its event: start takes the
// first row, add each row that same says continues it, finish the event.
type builder interface {
	same(r *row) bool
	start(r *row)
	add(r *row)
	// finish returns the event, errSkip for rows that are no order (a
	// refund line), or the first fault of the rows.
	finish() (platform.Event, error)
}

// errSkip says a group of rows is not an order and yields no record.
var errSkip = errors.New("not an order")

// fault is the first thing wrong with a record's rows: a reason and the
// line it was found on.
type fault struct {
	line int
	err  error
}

func (f *fault) Error() string { return f.err.Error() }
func (f *fault) Unwrap() error { return f.err }

// faults keeps the first fault of a record; builders embed it.
type faults struct{ first *fault }

func (f *faults) fail(r *row, err error) {
	if f.first == nil {
		f.first = &fault{r.line, err}
	}
}

// failed returns the first fault, or nil; it also forgets it, for the
// next record.
func (f *faults) failed() error {
	ft := f.first
	f.first = nil
	if ft == nil {
		return nil
	}
	return ft
}

// csvSource reads records of a CSV export, one group of rows each.
type csvSource struct {
	rows    csvRows
	b       builder
	head    uint64 // checksum of the header row
	ahead   row    // the row read past the current record
	have    bool   // ahead holds a row
	eof     bool
	records int
}

// openCSV reads the header, picks the builder of the format and layout,
// and positions the source at Options.Resume.
func openCSV(format string, in *input, o Options) (source, Format, error) {
	s := &csvSource{rows: csvRows{in: in}}
	s.rows.reset(in.start, 0)
	var first row
	if err := s.rows.read(&first); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Format{}, fmt.Errorf("%w: the file is empty", ErrHeader)
		}
		return nil, Format{}, err
	}
	if first.err != nil {
		return nil, Format{}, fmt.Errorf("%w: %v", ErrHeader, first.err)
	}
	s.head = first.sum
	s.rows.width = len(first.fields)
	h := newHeader(first.fields)
	var (
		f   Format
		err error
	)
	switch format {
	case ShopifyCSV:
		s.b, f, err = newShopify(h, o)
	case WooCommerceCSV:
		s.b, f, err = newWooCommerce(h, o)
	case LightspeedXSeriesCSV:
		s.b, f, err = newXSeries(h, o)
	}
	if err != nil {
		return nil, Format{}, err
	}
	if !o.Resume.IsZero() {
		if err := s.resume(o.Resume, &first); err != nil {
			return nil, Format{}, err
		}
	}
	return s, f, nil
}

// resume moves to the row before the token, checks it is the row the
// token was taken after, and reads on from there.
func (s *csvSource) resume(t Token, header *row) error {
	if t.head != s.head {
		return fmt.Errorf("%w: another header", ErrResume)
	}
	sum, end := header.sum, header.end
	if t.prev != header.start {
		if err := s.rows.in.moveTo(header.end, t.prev); err != nil {
			return fmt.Errorf("%w: the file is shorter", ErrResume)
		}
		s.rows.reset(t.prev, t.prevLine-1)
		// Read the rows of the record before the token again.
		sum = 0
		for end < t.Offset {
			var r row
			if err := s.rows.read(&r); err != nil {
				return fmt.Errorf("%w: the file is shorter", ErrResume)
			}
			sum, end = fold(sum, r.sum), r.end
		}
	}
	if sum != t.sum || end != t.Offset {
		return fmt.Errorf("%w: the record before it changed", ErrResume)
	}
	s.records = t.Records
	return nil
}

func (s *csvSource) record() (Record, error) {
	for {
		if !s.have {
			if s.eof {
				return Record{}, io.EOF
			}
			if err := s.rows.read(&s.ahead); err != nil {
				if errors.Is(err, io.EOF) {
					s.eof = true
					return Record{}, io.EOF
				}
				return Record{}, err
			}
		}
		s.have = false
		first := s.ahead
		if first.err != nil {
			s.records++
			return Record{}, &LineError{Line: first.line, EndLine: first.endLine, Err: first.err, Resume: s.token(&first, &first, fold(0, first.sum))}
		}
		s.b.start(&first)
		last, sum := first, fold(0, first.sum)
		for {
			err := s.rows.read(&s.ahead)
			if errors.Is(err, io.EOF) {
				s.eof = true
				break
			}
			if err != nil {
				return Record{}, err
			}
			if s.ahead.err != nil || !s.b.same(&s.ahead) {
				s.have = true
				break
			}
			s.b.add(&s.ahead)
			last, sum = s.ahead, fold(sum, s.ahead.sum)
		}
		ev, err := s.b.finish()
		if errors.Is(err, errSkip) {
			continue
		}
		s.records++
		tok := s.token(&first, &last, sum)
		if err != nil {
			var ft *fault
			if errors.As(err, &ft) && last.endLine > first.line {
				err = fmt.Errorf("line %d: %w", ft.line, ft.err)
			}
			return Record{}, &LineError{Line: first.line, EndLine: last.endLine, Err: err, Resume: tok}
		}
		return Record{Event: ev, Line: first.line, EndLine: last.endLine, Resume: tok}, nil
	}
}

// token returns the token that resumes after a record of the rows from
// first to last, whose checksums fold into sum.
func (s *csvSource) token(first, last *row, sum uint64) Token {
	next := last.endLine + 1
	if s.have {
		next = s.ahead.line
	}
	return Token{
		Offset: last.end, Line: next, Records: s.records,
		prev: first.start, prevLine: first.line, head: s.head, sum: sum,
	}
}
