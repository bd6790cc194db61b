package webhookfn

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/safeview/safeview/shared/erasure"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/pipeline"
	"github.com/safeview/safeview/shared/view"
)

// The answers of a delivery that is not written, one row per case: the
// HTTP status, the short reason the body says (never a value of the
// request) and how loud the log line is. answerFor picks the first row
// that matches; README.md's table of answers is this table, row by row
// (TestAnswersMatchTheREADME).
var answers = []struct {
	// Case and Body are the README's words for the case and for the
	// reason its answer gives.
	Case   string
	Status int
	Body   string
	Level  slog.Level
	// is matches the error; message is the answer's reason.
	is      func(error) bool
	message func(error) string
}{
	{"signature missing, wrong, or outside its time window", http.StatusUnauthorized, "what is wrong: `invalid signature`, `missing signature: no X-Shopify-Hmac-Sha256 header`, `timestamp outside the allowed window`…", slog.LevelWarn,
		as[*signatureError], publicMessage},
	{"unknown source, or a path other than exactly `/{source}` (`/shopify/`, `/shopify%2f`, `/SHOPIFY`)", http.StatusNotFound, "`unknown source`", slog.LevelWarn,
		is(errUnknownSource), fixed("unknown source")},
	{"method other than POST", http.StatusMethodNotAllowed, "`only POST is accepted`, with an `Allow: POST` header", slog.LevelWarn,
		is(errMethod), fixed("only POST is accepted")},
	{"body over the limit", http.StatusRequestEntityTooLarge, "`body too large`", slog.LevelWarn,
		is(errTooLarge), fixed("body too large")},
	{"body not received by the deadline (a client sending it a byte at a time)", http.StatusRequestTimeout, "`body not received in time`; the connection is closed", slog.LevelWarn,
		is(errSlowBody), fixed("body not received in time")},
	{"body that could not be read (the client hung up)", http.StatusBadRequest, "`could not read body`", slog.LevelWarn,
		is(errReadBody), fixed("could not read body")},
	{"unsupported content type, malformed or unrecognized payload, a topic its body does not match", http.StatusBadRequest, "what is wrong, never a value: `malformed payload: field \"total_price\" is not a decimal`…", slog.LevelWarn,
		as[*decodeError], publicMessage},
	{"a key column whose value would hold personal data (an email), control or invisible characters", http.StatusBadRequest, "the table, the column and why: `table Orders: column \"order_id\": … it holds personal data (email)`", slog.LevelWarn,
		as[*pipeline.KeyError], func(err error) string {
			var ke *pipeline.KeyError
			errors.As(err, &ke)
			if te := (*view.Error)(nil); errors.As(err, &te) {
				return "table " + te.Table + ": " + ke.Error()
			}
			return ke.Error()
		}},
	{"an event without the value of a table's key column, or a filter that cannot be evaluated", http.StatusBadRequest, "`event lacks the fields of table Orders`", slog.LevelWarn,
		rejected, func(err error) string {
			var te *view.Error
			errors.As(err, &te)
			return "event lacks the fields of table " + te.Table
		}},
	{"an erasure request naming ids without their source, or a source that takes no orders", http.StatusBadRequest, "`name the source of the customer id and order ids`, or `the request's source is not a configured source of orders or bookings`", slog.LevelWarn,
		func(err error) bool { return errors.Is(err, erasure.ErrNoSource) || errors.Is(err, errErasureSource) }, func(err error) string {
			if errors.Is(err, errErasureSource) {
				return "the request's source is not a configured source of orders or bookings"
			}
			return "name the source of the customer id and order ids"
		}},
	{"the instance is stopping (Cloud Run's SIGTERM): new requests, and those it could not finish within 8 seconds", http.StatusServiceUnavailable, "`shutting down`, with `Retry-After: 10`", slog.LevelWarn,
		is(errShuttingDown), fixed("shutting down")},
	{"sheet unavailable or too slow within the deadline", http.StatusServiceUnavailable, "`sheet unavailable, retry later`, with `Retry-After: 10`", slog.LevelError,
		is(model.ErrUnavailable), fixed("sheet unavailable, retry later")},
	{"signing secret unavailable (not set yet, or access not granted)", http.StatusServiceUnavailable, "`signing secret unavailable`, with `Retry-After: 10`", slog.LevelError,
		is(errSecret), fixed("signing secret unavailable")},
	{"a bug", http.StatusInternalServerError, "`internal error`; the details are in the log, never personal data", slog.LevelError,
		func(error) bool { return true }, fixed("internal error")},
}

// answerFor maps an error to its answer: status, public reason and log
// level (the last row, a bug, matches anything).
func answerFor(err error) (status int, message string, level slog.Level) {
	for _, a := range answers {
		if a.is(err) {
			return a.Status, a.message(err), a.Level
		}
	}
	panic("unreachable: the last answer matches every error")
}

// Errors of the handler's own steps.
var (
	errMethod        = errors.New("method not allowed")
	errUnknownSource = errors.New("unknown source")
	errTooLarge      = errors.New("body too large")
	errSlowBody      = errors.New("body not received by the deadline")
	errReadBody      = errors.New("could not read body")
	errSecret        = errors.New("signing secret unavailable")
	errErasureSource = errors.New("the request's source is not a configured source of orders or bookings")
)

// signatureError and decodeError carry a refusal whose message is
// answered as is: the verifiers' and the presets' messages say what is
// wrong and never quote the request.
type (
	signatureError struct{ err error }
	decodeError    struct{ err error }
)

func (e *signatureError) Error() string { return e.err.Error() }
func (e *signatureError) Unwrap() error { return e.err }
func (e *decodeError) Error() string    { return e.err.Error() }
func (e *decodeError) Unwrap() error    { return e.err }

func publicMessage(err error) string {
	var s *signatureError
	if errors.As(err, &s) {
		return s.Error()
	}
	var d *decodeError
	if errors.As(err, &d) {
		return d.Error()
	}
	return "internal error"
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func as[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

func fixed(msg string) func(error) string { return func(error) string { return msg } }

// rejected matches a table's refusal of the event itself, which no retry
// mends.
func rejected(err error) bool {
	var te *view.Error
	return errors.As(err, &te) && te.Rejected
}
