package export

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/safeview/safeview/shared/platform"
)

// jsonlSource reads one webhook body a line and decodes it with the
// platform's preset, as a live delivery of the same body: the same kinds,
// ids, versions and fields. Blank lines are skipped.
type jsonlSource struct {
	in       *input
	preset   platform.Preset
	platform string
	topic    string
	max      int

	off     int64 // where the next line starts
	line    int   // the number of the next line
	head    uint64
	records int
	buf     []byte
}

// The topics jsonl lines are decoded as by default, for platforms whose
// deliveries carry the topic beside the body.
var defaultTopics = map[string]string{
	"shopify":            "orders/updated",
	"woocommerce":        "order.updated",
	"lightspeed-xseries": "sale.update",
}

var errTooLong = errors.New("longer than the longest line allowed")

func openJSONL(in *input, o Options) (source, Format, error) {
	if o.Platform == "" {
		return nil, Format{}, fmt.Errorf("%w: %s needs Options.Platform, the preset of the bodies", ErrFormat, JSONL)
	}
	p, err := platform.New(o.Platform, o.Preset)
	if err != nil {
		return nil, Format{}, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	s := &jsonlSource{in: in, preset: p, platform: o.Platform, topic: o.Topic, max: o.MaxLineBytes, off: in.start, line: 1}
	if s.topic == "" {
		s.topic = defaultTopics[o.Platform]
	}
	if s.max <= 0 {
		s.max = DefaultMaxLineBytes
	}
	f := Format{Platform: o.Platform, Layout: "jsonl", LiveKey: "field:order.id"}
	if !o.Resume.IsZero() {
		if err := s.resume(o.Resume); err != nil {
			return nil, Format{}, err
		}
	}
	return s, f, nil
}

// resume checks the first line and the line before the token, and goes
// on after it.
func (s *jsonlSource) resume(t Token) error {
	first, start, _, _, err := s.readLine()
	if err != nil || checksumBytes(first) != t.head {
		return fmt.Errorf("%w: another first line", ErrResume)
	}
	if t.prev != start {
		if err := s.in.moveTo(s.off, t.prev); err != nil {
			return fmt.Errorf("%w: the file is shorter", ErrResume)
		}
		s.off, s.line = t.prev, t.prevLine
		if first, _, _, _, err = s.readLine(); err != nil {
			return fmt.Errorf("%w: the file is shorter", ErrResume)
		}
	}
	if fold(0, checksumBytes(first)) != t.sum || s.off != t.Offset {
		return fmt.Errorf("%w: the lines before it changed", ErrResume)
	}
	s.records = t.Records
	return nil
}

// readLine reads the next line without its line ending. A line longer than
// the limit is consumed and reported as long, its bytes dropped.
func (s *jsonlSource) readLine() (b []byte, start int64, line int, long bool, err error) {
	start, line = s.off, s.line
	s.buf = s.buf[:0]
	for {
		chunk, err := s.in.br.ReadSlice('\n')
		s.off += int64(len(chunk))
		if !long {
			if len(s.buf)+len(chunk) > s.max+2 {
				long, s.buf = true, s.buf[:0]
			} else {
				s.buf = append(s.buf, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && s.off == start:
			return nil, start, line, false, io.EOF
		case err != nil && !errors.Is(err, io.EOF):
			return nil, start, line, false, err
		}
		s.line++
		if line == 1 {
			s.head = checksumBytes(bytes.TrimRight(s.buf, "\r\n"))
		}
		b = bytes.TrimRight(s.buf, "\r\n")
		if !long && len(b) > s.max {
			long = true
		}
		return b, start, line, long, nil
	}
}

func (s *jsonlSource) record() (Record, error) {
	for {
		b, start, line, long, err := s.readLine()
		if err != nil {
			return Record{}, err
		}
		if !long && len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		s.records++
		tok := Token{
			Offset: s.off, Line: line + 1, Records: s.records,
			prev: start, prevLine: line, head: s.head, sum: fold(0, checksumBytes(b)),
		}
		if long {
			return Record{}, &LineError{Line: line, EndLine: line, Err: errTooLong, Resume: tok}
		}
		ev, err := s.decode(bytes.Clone(b))
		if err != nil {
			return Record{}, &LineError{Line: line, EndLine: line, Err: err, Resume: tok}
		}
		return Record{Event: ev, Line: line, EndLine: line, Resume: tok}, nil
	}
}

// decode hands a body to the preset as the platform delivers it: the topic
// header, or X-Series' form with the body as its payload field.
func (s *jsonlSource) decode(b []byte) (platform.Event, error) {
	req := platform.Request{Header: http.Header{}, Body: b}
	req.Header.Set("Content-Type", "application/json")
	switch s.platform {
	case "shopify":
		req.Header.Set(platform.ShopifyTopicHeader, s.topic)
	case "woocommerce":
		req.Header.Set(platform.WooCommerceTopicHeader, s.topic)
	case "lightspeed-xseries":
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Body = []byte(url.Values{"type": {s.topic}, "payload": {string(b)}}.Encode())
	}
	return s.preset.Decode(req)
}
