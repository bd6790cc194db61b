package writerfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/queue"
	"github.com/safeview/safeview/shared/view"
)

// Handler serves Pub/Sub's pushes.
type Handler struct {
	view     *view.View
	auth     *Auth
	log      *slog.Logger
	now      func() time.Time
	settle   time.Duration
	attempts int
	deadline time.Duration // of one push's write
	hold     *hold
	share    *share // nil: no bound
}

// maxPush bounds a push's body: Pub/Sub's largest message (10 MB) in
// base64, and its envelope.
const maxPush = 14 << 20

// answer is every response body. Pub/Sub reads only the status: 2xx
// acknowledges the message, anything else has it delivered again.
type answer struct {
	Result string `json:"result,omitempty"`
	Rows   *int   `json:"rows,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Errors of the writer's own steps.
var (
	errMethod  = errors.New("method not allowed")
	errHeld    = errors.New("held until the rows published before it are written")
	errBusy    = errors.New("its destination holds its share of the writer")
	errUnknown = errors.New("no such destination or table in this configuration")
)

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	log := h.log
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic", "panic", fmt.Sprintf("%T", p), "stack", string(debug.Stack()))
			writeJSON(w, http.StatusInternalServerError, answer{Error: "internal error"})
		}
	}()
	a, log, err := h.serve(r.Context(), r, log)
	status, level := http.StatusOK, slog.LevelInfo
	if err != nil {
		status, a.Error, level = answerFor(err)
		log = log.With(logging.KeyError, err.Error())
	}
	writeJSON(w, status, a)
	log.Log(r.Context(), level, "push", logging.KeyStatus, status, logging.KeyResult, a.Result+a.Error,
		logging.KeyDuration, h.now().Sub(start).Milliseconds())
}

// serve checks, decodes and writes one push, and returns the answer or
// the error that decides it, with the logger of what it learned.
func (h *Handler) serve(ctx context.Context, r *http.Request, log *slog.Logger) (answer, *slog.Logger, error) {
	if r.Method != http.MethodPost {
		return answer{}, log, errMethod
	}
	if h.auth != nil {
		if err := h.auth.Check(ctx, r); err != nil {
			return answer{}, log, err
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPush))
	if err != nil {
		return answer{}, log, fmt.Errorf("%w: body not read", queue.ErrMalformed)
	}
	push, err := queue.ParsePush(body)
	if err != nil {
		return answer{}, log, err
	}
	log = log.With("message_id", push.Message.MessageID, "attempt", push.DeliveryAttempt)
	m, err := queue.Decode(push.Message.Data)
	if err != nil {
		return answer{}, log, err
	}
	// Names from the configuration only: no cell, no key.
	log = log.With("destination", m.Destination, "kind", m.Kind)
	dest := h.view.Destination(m.Destination)
	if dest == nil {
		return answer{}, log, errUnknown
	}
	ctx, cancel := context.WithTimeout(logging.With(ctx, log), h.deadline)
	defer cancel()
	if m.Kind == queue.KindRequest {
		a, err := h.request(ctx, dest, push, m)
		return a, log, err
	}
	log = log.With(logging.KeyTable, m.Table, logging.KeySource, m.Row.Source)
	a, err := h.row(ctx, dest, push, m)
	return a, log, err
}

// row writes a row message; its answer acknowledges it.
func (h *Handler) row(ctx context.Context, dest view.Destination, push queue.Push, m queue.Message) (answer, error) {
	id := push.Message.MessageID
	h.hold.begin(id, m.Destination, push.Published(), h.now())
	// Out of attempts, the message goes to the dead-letter topic: it
	// holds back no request any longer. Without a dead-letter policy
	// Pub/Sub does not count attempts (0), and it never runs out.
	last := push.DeliveryAttempt >= h.attempts
	// A message on its last attempt is never refused: refused, it would
	// go to the dead-letter topic untried, and stop holding back an
	// erasure that would then find nothing to clear.
	start := h.now()
	if h.share != nil && !h.share.enter(m.Destination, start, last) {
		h.hold.end(id, false)
		return answer{}, errBusy
	}
	var err error
	if h.share != nil {
		// Deferred: a panic below (recovered by ServeHTTP) must not
		// leave the push counted.
		defer func() {
			now := h.now()
			h.share.leave(m.Destination, now.Sub(start), err == nil, now)
		}()
	}
	res, err := dest.Upsert(ctx, m.Table, m.Row)
	h.hold.end(id, err == nil || last)
	if err != nil {
		return answer{}, err
	}
	return answer{Result: string(res)}, nil
}

// request applies an erasure or access request once the rows published
// before it are written (see hold).
func (h *Handler) request(ctx context.Context, dest view.Destination, push queue.Push, m queue.Message) (answer, error) {
	published := push.Published()
	if age := h.now().Sub(published); age < h.settle {
		return answer{}, fmt.Errorf("%w: published %s ago, settles after %s", errHeld, age.Round(time.Millisecond), h.settle)
	}
	if n := h.hold.before(m.Destination, published); n > 0 {
		return answer{}, fmt.Errorf("%w: %d rows", errHeld, n)
	}
	if h.hold.behind(m.Destination, published, h.now()) {
		return answer{}, fmt.Errorf("%w: its destination's backlog reaches back before it", errHeld)
	}
	rep, err := dest.Apply(ctx, m.Action, m.Select)
	if err != nil {
		return answer{}, err
	}
	rows := rep.Changed()
	if m.Action == model.Count || m.Action == model.Read {
		rows = rep.Selected()
	}
	// Counts only: what the request found is the data subject's.
	logging.From(ctx).InfoContext(ctx, "data request", "action", string(m.Action), "rows", rows)
	return answer{Result: string(m.Action), Rows: &rows}, nil
}

// answerFor maps an error to the push's status, the answer's reason and
// the log line's level. Pub/Sub retries every status but 2xx (102 too);
// 429 and 503 say a retry will do, 4xx that the message itself is wrong
// (it ends in the dead-letter topic), 500 a bug or a setup to fix.
func answerFor(err error) (int, string, slog.Level) {
	switch {
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed, "only POST is accepted", slog.LevelWarn
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized, "push not authenticated", slog.LevelWarn
	case errors.Is(err, queue.ErrMalformed):
		return http.StatusBadRequest, "malformed message", slog.LevelError
	case errors.Is(err, errHeld):
		return http.StatusTooManyRequests, "held until the rows published before it are written", slog.LevelInfo
	case errors.Is(err, errBusy):
		return http.StatusTooManyRequests, "destination busy, retry later", slog.LevelInfo
	case errors.Is(err, model.ErrUnavailable):
		return http.StatusServiceUnavailable, "destination unavailable, retry later", slog.LevelWarn
	case errors.Is(err, errUnknown):
		return http.StatusInternalServerError, "unknown destination or table", slog.LevelError
	}
	return http.StatusInternalServerError, "internal error", slog.LevelError
}

func writeJSON(w http.ResponseWriter, status int, a answer) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(a)
}
