package export

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// input is the file being read: buffered once, so that the CSV reader and
// the resume logic share one position, and seekable when the caller's
// reader is.
type input struct {
	r      io.Reader
	br     *bufio.Reader
	seeker io.Seeker
	// start is the offset of the first byte after a byte order mark.
	start int64
}

// bufSize is larger than encoding/csv's own buffer, so that csv.NewReader
// uses this buffer instead of wrapping it in another one: then the bytes
// the CSV reader consumed are exactly the bytes read from br.
const bufSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func newInput(r io.Reader) *input {
	in := &input{r: r, br: bufio.NewReaderSize(r, bufSize)}
	in.seeker, _ = r.(io.Seeker)
	if b, _ := in.br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		in.br.Discard(len(utf8BOM)) //nolint:errcheck // peeked: cannot fail
		in.start = int64(len(utf8BOM))
	}
	return in
}

// moveTo moves the input from offset cur forward to offset off: by seeking
// when the reader can, by discarding the bytes between otherwise. Both
// offsets count from the start of the file.
func (in *input) moveTo(cur, off int64) error {
	switch {
	case off < cur:
		return ErrResume
	case off == cur:
		return nil
	}
	if in.seeker != nil {
		if _, err := in.seeker.Seek(off, io.SeekStart); err == nil {
			in.br.Reset(in.r)
			return nil
		}
		// Not seekable after all (a pipe on stdin): the position did
		// not move, discard instead.
	}
	n, err := in.br.Discard(int(off - cur))
	if errors.Is(err, io.EOF) || (err == nil && int64(n) != off-cur) {
		return ErrResume
	}
	return err
}
