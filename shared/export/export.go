package export

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/safeview/safeview/shared/platform"
)

// The formats Open reads.
const (
	ShopifyCSV           = "shopify-csv"
	WooCommerceCSV       = "woocommerce-csv"
	LightspeedXSeriesCSV = "lightspeed-xseries-csv"
	JSONL                = "jsonl"
)

// Formats lists the format names Open accepts, sorted.
func Formats() []string {
	return []string{JSONL, LightspeedXSeriesCSV, ShopifyCSV, WooCommerceCSV}
}

// MinVersion is the version of records whose export dates nothing that can
// be compared with the live versions of their platform: any live delivery
// of the same order has a higher version and wins.
const MinVersion int64 = 1

// DefaultMaxLineBytes bounds one line of a jsonl file, as the webhook
// function bounds a body.
const DefaultMaxLineBytes = 1 << 20

// Sentinel errors. Their messages, and those of every error of this
// package, never quote the content of the file.
var (
	// ErrFormat means the format name is not one of Formats, or the
	// options do not fit it.
	ErrFormat = errors.New("unknown or misconfigured export format")
	// ErrHeader means the file does not start with the header of the
	// format: not this export, or a column it needs is missing. Nothing
	// can be read from it.
	ErrHeader = errors.New("not the header of this export")
	// ErrRecord means one record could not be read; the error is a
	// *LineError and the Reader goes on with the next record.
	ErrRecord = errors.New("bad record")
	// ErrResume means a resume token does not fit the file: it is not the
	// file the token was taken from, or the file changed since.
	ErrResume = errors.New("the resume token does not fit this file")
)

// Options adjust the reading of an export to the source it backfills.
type Options struct {
	// Platform names the preset that decodes each line of a jsonl file,
	// as in configuration ("shopify", "woocommerce", ...). The CSV formats
	// know their platform.
	Platform string
	// Topic is the topic a jsonl line is decoded as, for platforms that
	// send it beside the body: Shopify (default "orders/updated"),
	// WooCommerce ("order.updated") and Lightspeed X-Series
	// ("sale.update"). Other platforms name it in the body.
	Topic string
	// Preset holds the source's preset options: Store replaces the store
	// the platform would name (exports name none, so set it to the live
	// store, e.g. the shop domain, for order.store to match), Currency is
	// the currency of platforms whose sales name none (X-Series).
	Preset platform.Options
	// Location is the time zone of times the export writes without one
	// (the site's zone for WooCommerce, the retailer's for X-Series).
	// Those formats refuse to guess it: a wrong zone shifts versions.
	Location *time.Location
	// Resume starts reading at a token a previous Reader returned; the
	// zero Token starts at the beginning.
	Resume Token
	// MaxLineBytes bounds a jsonl line; 0 means DefaultMaxLineBytes.
	MaxLineBytes int
}

// Format describes what a Reader reads.
type Format struct {
	// Name is the format name given to Open.
	Name string
	// Platform is the preset whose live rows the records update.
	Platform string
	// Layout is the layout recognized from the header: shopify-orders,
	// woocommerce-analytics, woocommerce-coupon-export,
	// woocommerce-coupon-export-items, xseries-sales-ledger or jsonl.
	Layout string
	// LiveKey is the table key under which records share rows with live
	// deliveries, in configuration terms: "field:order.id" when the export
	// carries the platform's order id, "path:invoice_number" for the
	// X-Series sales ledger, which names receipts but no sale id.
	LiveKey string
}

// Record is one order (or, for jsonl, one delivery) read from an export.
type Record struct {
	// Event is the canonical event, as the platform's preset would have
	// decoded the live webhook, as far as the export tells.
	Event platform.Event
	// Line and EndLine are the first and last lines of the file the
	// record was read from, counting from 1 (a CSV header is line 1).
	Line, EndLine int
	// Resume is the token that resumes reading after this record.
	Resume Token
}

// LineError is a record that could not be read. It names the lines and a
// reason, never the content.
type LineError struct {
	Line, EndLine int
	// Err is the reason; it wraps platform errors for jsonl lines.
	Err error
	// Resume is the token that resumes reading after this record.
	Resume Token
}

func (e *LineError) Error() string {
	if e.EndLine > e.Line {
		return fmt.Sprintf("lines %d-%d: %v", e.Line, e.EndLine, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// Unwrap returns the reason.
func (e *LineError) Unwrap() error { return e.Err }

// Is makes every LineError match ErrRecord.
func (e *LineError) Is(target error) bool { return target == ErrRecord }

// Reader reads the records of one export.
type Reader struct {
	format Format
	src    source
	next   Token
	err    error // the input's error, final
}

// source is one format's reading of the file.
type source interface {
	// record returns the next record, a *LineError, or io.EOF. Fatal
	// errors (a read error of the input) are returned as they are.
	record() (Record, error)
}

// Open starts reading an export of the named format from r. It reads the
// header (or, to resume, the lines the token needs to check the file) and
// fails when the file is not of that format. When r is an io.Seeker,
// resuming seeks; otherwise it skips the bytes before the token unparsed.
func Open(format string, r io.Reader, o Options) (*Reader, error) {
	in := newInput(r)
	var (
		src source
		f   Format
		err error
	)
	switch format {
	case ShopifyCSV, WooCommerceCSV, LightspeedXSeriesCSV:
		src, f, err = openCSV(format, in, o)
	case JSONL:
		src, f, err = openJSONL(in, o)
	default:
		return nil, fmt.Errorf("%w: %q (known: %s)", ErrFormat, format, strings.Join(Formats(), ", "))
	}
	if err != nil {
		return nil, err
	}
	f.Name = format
	return &Reader{format: f, src: src, next: o.Resume}, nil
}

// Format describes what the Reader reads.
func (r *Reader) Format() Format { return r.format }

// Next returns the next record. It returns io.EOF after the last one, and a
// *LineError (matching ErrRecord) for a record that cannot be read, after
// which the next call reads on. Any other error is the input's, and final:
// Next returns it again.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	rec, err := r.src.record()
	var le *LineError
	switch {
	case err == nil:
		r.next = rec.Resume
	case errors.As(err, &le):
		r.next = le.Resume
	default:
		r.err = err
	}
	return rec, err
}

// Token returns the token that resumes after the last record Next
// returned, read or not; before the first call, the token Open was given.
func (r *Reader) Token() Token { return r.next }
