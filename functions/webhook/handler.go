package webhookfn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/erasure"
	"github.com/safeview/safeview/shared/items"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/view"
	"github.com/safeview/safeview/shared/webhook"
)

// Handler serves POST /{source}.
type Handler struct {
	cfg     *config.Config
	log     *slog.Logger
	project string
	secrets secrets.Resolver
	sources map[string]*source
	view    *view.View
	stop    stopper // see Shutdown
}

// source is one configured source with its decoder and verifier.
type source struct {
	name   string
	cfg    *config.Source
	preset platform.Preset
	scheme string
	items  *items.Filler // nil unless the source reads line items

	mu       sync.Mutex
	verifier webhook.Verifier
	keyed    string // the secret values the verifier was built with
}

// New builds a handler: presets, pipelines and the sink, once per
// instance.
func New(ctx context.Context, d Deps) (*Handler, error) {
	cfg := d.Config
	vd := view.Deps{Config: cfg, Secrets: d.Secrets, Sheets: d.Sheets}
	switch {
	case cfg.Queued() && d.Topic == nil:
		return nil, errors.New("mode: queued needs the Pub/Sub topic: set " + EnvTopic)
	case cfg.Queued():
		vd.Destinations = publishers(cfg, d.Topic)
	case cfg.Spreadsheet.ID == "":
		return nil, errors.New("no spreadsheet id: set spreadsheet.id in the configuration or " + EnvSpreadsheetID)
	}
	log := d.Logger
	if log == nil {
		log = logging.Default()
	}
	h := &Handler{cfg: cfg, log: log, project: d.Project, secrets: d.Secrets, sources: map[string]*source{}}
	for _, name := range cfg.SourceNames {
		sc := cfg.Sources[name]
		preset, err := platform.New(sc.Platform, sc.PresetOptions())
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", name, err)
		}
		scheme, err := sc.SchemeOf()
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", name, err)
		}
		src := &source{name: name, cfg: sc, preset: preset, scheme: scheme}
		if sc.Items != nil {
			if src.items, err = newFiller(sc, d); err != nil {
				return nil, fmt.Errorf("source %q: %w", name, err)
			}
		}
		// Say at start-up when a source's secret is missing or empty, but
		// serve the other sources: until the secret is set, this source's
		// deliveries get 503 and the platform retries them, so a shop can
		// add its platforms one at a time.
		if _, err := src.verifierFor(ctx, d.Secrets); err != nil {
			log.ErrorContext(ctx, "source not ready: its deliveries get 503 until its secret is set", logging.KeySource, name, logging.KeyError, err.Error())
		}
		h.sources[name] = src
	}
	graph := view.GraphOptions{Secrets: d.Secrets}
	if d.Graph != nil {
		graph = *d.Graph
	}
	vd.Graph = view.Graph(graph)
	vd.SheetsFor = d.SheetsFor
	vd.Logger = log
	v, err := view.New(ctx, vd)
	if err != nil {
		return nil, err
	}
	h.view = v
	return h, nil
}

// verifierFor returns the source's verifier, rebuilt when the live secret
// values change (a rotation).
func (s *source) verifierFor(ctx context.Context, r secrets.Resolver) (webhook.Verifier, error) {
	vals, err := secrets.Lookups(ctx, r, s.cfg.Secrets)
	if err != nil {
		return nil, err
	}
	var tokens []string // a shared token paired with the scheme
	if t := s.cfg.Token; t != nil && len(t.Secrets) > 0 {
		if tokens, err = secrets.Lookups(ctx, r, t.Secrets); err != nil {
			return nil, err
		}
	}
	keyed := strings.Join(vals, "\x00") + "\x01" + strings.Join(tokens, "\x00")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.verifier != nil && keyed == s.keyed {
		return s.verifier, nil
	}
	v, err := webhook.New(s.scheme, vals, s.cfg.WebhookOptions(tokens))
	if err != nil {
		return nil, err
	}
	s.verifier, s.keyed = v, keyed
	return v, nil
}

// answer is every response body: a result or a short reason, and the
// request id. It never echoes the request.
type answer struct {
	Result string            `json:"result,omitempty"`
	Tables map[string]string `json:"tables,omitempty"`
	// Rows counts the rows an erasure changed or an access request
	// found; 0 is an answer.
	Rows      *int   `json:"rows,omitempty"`
	Error     string `json:"error,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// ServeHTTP implements http.Handler. The delivery's deadline
// (limits.deadline) starts when its headers are in: its body must arrive
// and the sheet must be written within it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	deadline := start.Add(time.Duration(h.cfg.Limits.Deadline))
	br := newBodyReader(w, r, deadline)
	name, src := h.route(r)
	id := ""
	if src != nil {
		id = platform.SafeID(src.preset.DeliveryID(r.Header))
	}
	log := h.log
	if id != "" {
		log = log.With(logging.KeyRequestID, id, logging.KeyDeliveryID, id)
	} else {
		id = uuid.NewString()
		log = log.With(logging.KeyRequestID, id)
	}
	if src != nil {
		log = log.With(logging.KeySource, name, logging.KeyPlatform, src.preset.Name())
	}
	if tr := logging.Trace(h.project, r.Header.Get("traceparent"), r.Header.Get("X-Cloud-Trace-Context")); tr != "" {
		log = log.With(logging.KeyTrace, tr)
	}
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic", "panic", fmt.Sprintf("%T", p), "stack", string(debug.Stack()))
			writeJSON(w, http.StatusInternalServerError, answer{Error: "internal error", RequestID: id})
		}
	}()
	ctx, cancel := context.WithDeadline(logging.With(r.Context(), log), deadline)
	defer cancel()
	var a answer
	var err error
	if ctx, leave, ok := h.stop.enter(ctx); ok {
		defer leave()
		a, log, err = h.serve(ctx, r, src, br)
		err = h.stop.explain(err)
	} else {
		err = errShuttingDown
	}
	status, level := http.StatusOK, slog.LevelInfo
	if err != nil {
		// One table decides status, reason and level (answers.go); the
		// error itself, which may say more, goes to the log only.
		status, a.Error, level = answerFor(err)
		log = log.With(logging.KeyError, err.Error())
	}
	a.RequestID = id
	w.Header().Set("X-Request-Id", id)
	switch status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", http.MethodPost)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "10")
	}
	writeJSON(w, status, a)
	log.Log(r.Context(), level, "delivery", logging.KeyStatus, status, logging.KeyResult, a.Result+a.Error,
		logging.KeyDuration, time.Since(start).Milliseconds())
}

// route finds the source a request is for. A source has one path, "/"
// and its name, compared as sent (the escaped path): "/shopify/",
// "/shopify%2f", "/%2fshopify", "//shopify" and "/SHOPIFY" are other
// paths, unknown sources. Source names are lower-case letters, digits, -
// and _, which nothing escapes.
func (h *Handler) route(r *http.Request) (string, *source) {
	name, ok := strings.CutPrefix(r.URL.EscapedPath(), "/")
	if !ok {
		return "", nil
	}
	src := h.sources[name]
	if src == nil {
		return "", nil
	}
	return name, src
}

// serve runs the steps of the data flow (docs/architecture.md) and
// returns the answer, or the error that decides it (answerFor), with the
// logger of what it learned (the topic) for the final line.
func (h *Handler) serve(ctx context.Context, r *http.Request, src *source, br *bodyReader) (answer, *slog.Logger, error) {
	log := logging.From(ctx)
	if r.Method != http.MethodPost {
		return answer{}, log, errMethod
	}
	if src == nil {
		return answer{}, log, errUnknownSource
	}
	body, err := br.read(ctx, h.cfg.Limits.MaxBodyBytes)
	switch {
	case errors.Is(err, errTooLarge), errors.Is(err, errSlowBody):
		// A slow body is the client's problem, not the sheet's: a
		// platform that retries at its usual speed gets through.
		return answer{}, log, err
	case err != nil:
		return answer{}, log, fmt.Errorf("%w: %w", errReadBody, err)
	}

	v, err := src.verifierFor(ctx, h.secrets)
	if err != nil {
		return answer{}, log, fmt.Errorf("%w: %w", errSecret, err)
	}
	if err := webhook.VerifyRequest(v, body, r); err != nil {
		return answer{}, log, &signatureError{err}
	}

	ev, err := src.preset.Decode(platform.Request{Header: r.Header, Body: body})
	if err != nil {
		return answer{}, log, &decodeError{err}
	}
	if ev.Platform == "" {
		ev.Platform = src.preset.Name()
	}
	log = log.With(logging.KeyTopic, ev.Topic)
	if src.items != nil && ev.Kind == platform.KindOrder {
		log = fillItems(ctx, src.items, &ev, log)
	}
	ctx = logging.With(ctx, log)
	switch ev.Kind {
	case platform.KindPing:
		return answer{Result: "ping"}, log, nil
	case platform.KindOrder, platform.KindBooking:
		a, err := h.write(ctx, src, &ev)
		return a, log, err
	case platform.KindErasure:
		a, err := h.erase(ctx, src, &ev)
		return a, log, err
	}
	return answer{Result: "ignored"}, log, nil
}

// write runs the event through every table that takes it and upserts the
// rows, by the delivery's deadline (ctx's).
func (h *Handler) write(ctx context.Context, src *source, ev *platform.Event) (answer, error) {
	if len(h.cfg.TablesFor(src.name, string(ev.Kind))) == 0 {
		return answer{Result: "ignored"}, nil
	}
	log := logging.From(ctx)
	outs, err := h.view.Write(ctx, src.name, ev)
	results := map[string]string{}
	var all []model.Result
	for _, o := range outs {
		results[o.Table] = string(o.Result)
		all = append(all, o.Result)
		// "masked" holds counts by kind (an empty group is left out): what
		// the guard found never reaches a log.
		attrs := []any{logging.KeyTable, o.Table, logging.KeyResult, string(o.Result), "masked", o.Masked}
		if len(o.Destinations) > 0 {
			attrs = append(attrs, "destinations", o.Destinations) // names and results only
		}
		if o.Cut > 0 {
			// Text cells over Google's 50,000 characters, cut to fit.
			attrs = append(attrs, "cut_cells", o.Cut)
		}
		log.InfoContext(ctx, "row", attrs...)
	}
	if err != nil {
		return answer{}, err
	}
	return answer{Result: string(model.Combine(all)), Tables: results}, nil
}

// Results of erasure and access requests.
const (
	resultErased  = "erased"  // the customer's cells were cleared, or the shop's rows removed
	resultCounted = "counted" // an access request: the rows concerned were counted
)

// erase serves a data subject's request (Shopify's customers/redact and
// customers/data_request, or the erasure platform's) and a shop's
// (shop/redact), by the delivery's deadline (ctx's), through the view:
// it finds the rows and clears, counts or deletes them, as one turn of
// each destination's writes. The log says which request and how many
// rows, never who.
func (h *Handler) erase(ctx context.Context, src *source, ev *platform.Event) (answer, error) {
	log := logging.From(ctx)
	er := ev.Erasure
	req := erasure.Request{Scope: er.Scope, Customer: ev.Customer, OrderIDs: er.OrderIDs, Shop: er.Shop}
	switch {
	case src.cfg.Platform != config.ErasurePlatform:
		req.Sources = []string{src.name} // a platform's own request is about its source
	case er.Source != "":
		if s := h.cfg.Sources[er.Source]; s == nil || s.Platform == config.ErasurePlatform {
			return answer{}, errErasureSource
		}
		req.Sources = []string{er.Source}
	default:
		if names := h.dataSources(); len(names) == 1 {
			req.Sources = names
		}
	}
	var done view.Done
	var err error
	result := resultErased
	if er.Scope == platform.AccessRequest {
		result = resultCounted
		done, err = h.view.Access(ctx, req, false)
	} else {
		done, err = h.view.Erase(ctx, req, false)
	}
	if err != nil {
		return answer{}, err
	}
	if len(done.Unmatched) > 0 {
		log.WarnContext(ctx, "rows written before rows named their source, in tables other sources feed too, cannot be tied to the shop and were left: remove them by hand",
			"tables", done.Unmatched)
	}
	rows := done.Changed()
	if result == resultCounted {
		rows = done.Selected()
	}
	if h.cfg.Queued() {
		// Published: the writer applies it, and logs what it found.
		log.InfoContext(ctx, "data request", "scope", string(er.Scope), "data_request_id", er.RequestID, logging.KeyResult, string(model.Queued))
		return answer{Result: string(model.Queued)}, nil
	}
	// The request's id and counts: nothing that says who.
	log.InfoContext(ctx, "data request", "scope", string(er.Scope), "data_request_id", er.RequestID,
		logging.KeyResult, result, "rows", rows)
	return answer{Result: result, Rows: &rows}, nil
}

// dataSources lists the sources whose events become rows.
func (h *Handler) dataSources() []string {
	var out []string
	for _, name := range h.cfg.SourceNames {
		if h.cfg.Sources[name].Platform != config.ErasurePlatform {
			out = append(out, name)
		}
	}
	return out
}

// bodyReader reads a request's body once, by the delivery's deadline.
type bodyReader struct {
	r  io.Reader
	rc *http.ResponseController
	// bounded: the connection's read deadline is the delivery's, so a
	// read past it fails by itself.
	bounded bool
}

// newBodyReader sets the connection's read deadline to the delivery's,
// before anything else: an answer given without reading the body (404,
// 405) has the server drain it, and that drain is bounded too. Any
// net/http server supports it, the functions framework's included; with a
// writer that does not (a test's recorder), read stops waiting on its
// own. A request without a body is left alone: its connection is already
// watched for the client hanging up, and a read deadline there would end
// the request's context instead.
func newBodyReader(w http.ResponseWriter, r *http.Request, deadline time.Time) *bodyReader {
	b := &bodyReader{r: r.Body, rc: http.NewResponseController(w)}
	if r.ContentLength != 0 {
		b.bounded = b.rc.SetReadDeadline(deadline) == nil
	}
	return b
}

// read reads at most max bytes (else errTooLarge, without reading the
// rest), by ctx's deadline (else errSlowBody).
//
// Once the body is read to its end, the read deadline is cleared, so that
// it cannot end the connection the server keeps for the next request.
// After a failed read it is left: the rest of the body is still on its
// way, and the server must not wait for it past the deadline (a read
// deadline already passed makes it close the connection at once).
func (b *bodyReader) read(ctx context.Context, max int64) ([]byte, error) {
	if b.bounded {
		data, err := readAtMost(b.r, max)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil, errSlowBody
		case err == nil:
			_ = b.rc.SetReadDeadline(time.Time{})
		}
		return data, err
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := readAtMost(b.r, max)
		done <- result{data, err}
	}()
	select {
	case res := <-done:
		return res.data, res.err
	case <-ctx.Done():
		// The reader is left to the body's Close.
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, errSlowBody
		}
		return nil, ctx.Err()
	}
}

// readAtMost reads at most max bytes, and reports a larger body without
// reading all of it.
func readAtMost(r io.Reader, max int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

func writeJSON(w http.ResponseWriter, status int, a answer) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(a)
}
