package gsheetstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"
)

// Server is an in-memory Google Sheets v4 REST API. The zero value is not
// usable: make one with New, Start or NewServer. All methods are safe for
// concurrent use.
type Server struct {
	mu    sync.RWMutex // guards books, gen and rnd
	books map[string]*spreadsheet
	gen   uint64
	rnd   *rand.Rand

	cfg       sync.Mutex // guards the settings below
	quotas    Quotas
	user      string // header that names the quota user
	now       func() time.Time
	lat       time.Duration
	jitter    time.Duration
	slow      time.Duration
	hook      func(method string)
	callHook  func(Call)
	faults    []*faultRule
	set       Faults // the last SetFaults, for AdminHandler
	frnd      *rand.Rand
	window    map[quotaKey]*quotaWindow
	number    int64
	sortMoves bool
	unmetered string // a quota user no quota counts

	appliedHook func(Call) // see WithAppliedHook; guarded by cfg
	drive       driveState // the Drive API's side: drive.go

	statsMu sync.Mutex
	stats   Stats

	done   chan struct{}
	closed sync.Once
	ts     *httptest.Server
}

// Option configures a Server at construction.
type Option func(*Server)

// WithQuotas sets per-minute request quotas; see Quotas.
func WithQuotas(q Quotas) Option { return func(s *Server) { s.quotas = q } }

// WithQuotaUserHeader names the request header whose value identifies the
// user for per-user quotas (default "Authorization"). The quotaUser query
// parameter, as Google defines it, takes precedence.
func WithQuotaUserHeader(name string) Option { return func(s *Server) { s.user = name } }

// WithUnmeteredUser exempts the requests of one quota user from every
// quota, the project's too: a person looking at the spreadsheet in a
// browser, whose reads Google does not count against the API (the local
// stack's live view).
func WithUnmeteredUser(user string) Option { return func(s *Server) { s.unmetered = user } }

// WithClock replaces the clock that delimits quota windows; real time by default.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithLatency delays every request by fixed plus a uniformly random duration
// in [0, jitter).
func WithLatency(fixed, jitter time.Duration) Option {
	return func(s *Server) { s.lat, s.jitter = fixed, jitter }
}

// WithSeed makes generated ids and random faults repeatable.
func WithSeed(seed uint64) Option {
	return func(s *Server) {
		s.rnd = rand.New(rand.NewPCG(seed, seed^0x5eed))
		s.frnd = rand.New(rand.NewPCG(seed^0xfa17, seed))
	}
}

// WithProjectNumber sets the project number quota errors name (default 1000000000001).
func WithProjectNumber(n int64) Option { return func(s *Server) { s.number = n } }

// WithRequestHook calls hook with the method name (for example
// "spreadsheets.values.update") of every request as it arrives, before
// latency, faults, quotas and the request itself. The hook may change the
// server, for example to simulate a person editing the sheet, and the request
// then sees those changes.
func WithRequestHook(hook func(method string)) Option { return func(s *Server) { s.hook = hook } }

// WithSortLeavingRowMetadata makes sortRange leave row developer metadata on
// row positions even when the sort spans whole rows; see the package
// documentation for the default.
func WithSortLeavingRowMetadata() Option { return func(s *Server) { s.sortMoves = false } }

// New returns a server that is not listening: serve Handler on a listener of
// your own, or use Start.
func New(opts ...Option) *Server {
	s := &Server{
		books:     map[string]*spreadsheet{},
		now:       time.Now,
		slow:      time.Minute,
		user:      "Authorization",
		window:    map[quotaKey]*quotaWindow{},
		number:    1000000000001,
		sortMoves: true,
		done:      make(chan struct{}),
	}
	seed := rand.Uint64()
	WithSeed(seed)(s)
	for _, o := range opts {
		o(s)
	}
	s.stats.Requests = map[string]int{}
	return s
}

// Start returns a server listening on an ephemeral loopback port.
func Start(opts ...Option) *Server {
	s := New(opts...)
	s.ts = httptest.NewServer(s.Handler())
	return s
}

// TB is the part of testing.TB that NewServer needs.
type TB interface {
	Cleanup(func())
}

// NewServer starts a server and closes it when the test ends.
func NewServer(t TB, opts ...Option) *Server {
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// URL returns the base URL for option.WithEndpoint, ending in "/". It is empty
// for a server made with New.
func (s *Server) URL() string {
	if s.ts == nil {
		return ""
	}
	return s.ts.URL + "/"
}

// Close stops the listener started by Start and ends injected delays.
func (s *Server) Close() {
	s.closed.Do(func() { close(s.done) })
	if s.ts != nil {
		s.ts.CloseClientConnections()
		s.ts.Close()
	}
}

// Service returns the real Sheets client pointed at the server, without
// authentication. opts are added after the server's own options.
func (s *Server) Service(ctx context.Context, opts ...option.ClientOption) (*sheets.Service, error) {
	if s.ts == nil {
		return nil, fmt.Errorf("gsheetstest: server is not listening; use Start")
	}
	base := []option.ClientOption{option.WithEndpoint(s.URL()), option.WithoutAuthentication()}
	return sheets.NewService(ctx, append(base, opts...)...)
}

// ServiceAs returns a client whose requests count against the per-user quotas
// of user: it sends user in the quota user header.
func (s *Server) ServiceAs(ctx context.Context, user string, opts ...option.ClientOption) (*sheets.Service, error) {
	s.cfg.Lock()
	header := s.user
	s.cfg.Unlock()
	hc := &http.Client{Transport: headerTransport{header: header, value: user}}
	return s.Service(ctx, append([]option.ClientOption{option.WithHTTPClient(hc)}, opts...)...)
}

type headerTransport struct{ header, value string }

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.header, h.value)
	return http.DefaultTransport.RoundTrip(r)
}

// Stats are counters of what the server was asked, for assertions and benchmarks.
type Stats struct {
	// Requests counts requests by method name, such as "spreadsheets.batchUpdate",
	// whatever their outcome.
	Requests map[string]int
	// Reads and Writes count requests as Google's quotas do: one per HTTP
	// request, however many ranges or edits it carries.
	Reads, Writes int
	// BytesReceived and BytesSent count request and response bodies.
	BytesReceived, BytesSent int64
	// RateLimited counts 429 answers, from quotas and injected faults alike.
	RateLimited int
	// Faults counts injected faults of every kind.
	Faults int
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	st := s.stats
	st.Requests = maps.Clone(s.stats.Requests)
	return st
}

// ResetStats sets every counter to zero.
func (s *Server) ResetStats() {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.stats = Stats{Requests: map[string]int{}}
}

func (s *Server) count(f func(*Stats)) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	f(&s.stats)
}

// SetLatency changes the delay added to every request; see WithLatency.
func (s *Server) SetLatency(fixed, jitter time.Duration) {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	s.lat, s.jitter = fixed, jitter
}

// SetRequestHook replaces the hook set by WithRequestHook; nil removes it.
func (s *Server) SetRequestHook(hook func(method string)) {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	s.hook = hook
}

// Handler returns the HTTP handler of the API, for serving it on a listener
// of your own (the local development stack does).
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// call is one request being served.
type call struct {
	s      *Server
	r      *http.Request
	method string
	id     string // spreadsheet id
	rng    string // range, metadata id or sheet id from the path
	query  url.Values
	body   []byte
}

type handler func(c *call) (any, error)

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveDrive(w, r) {
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	cw := &countingWriter{ResponseWriter: w}
	defer func() { s.count(func(st *Stats) { st.BytesReceived += int64(len(body)); st.BytesSent += cw.n }) }()

	rt, perr := route(r.Method, r.URL.EscapedPath())
	if perr != nil {
		writeError(cw, perr)
		return
	}
	write := !readMethods[rt.method]
	s.count(func(st *Stats) {
		st.Requests[rt.method]++
		if write {
			st.Writes++
		} else {
			st.Reads++
		}
	})
	s.cfg.Lock()
	hook, lat := s.hook, s.lat
	if s.jitter > 0 {
		lat += time.Duration(s.frnd.Int64N(int64(s.jitter)))
	}
	callHook, user, now := s.callHook, s.quotaUser(r), s.now
	s.cfg.Unlock()
	if hook != nil {
		hook(rt.method)
	}
	if callHook != nil {
		callHook(Call{Method: rt.method, Spreadsheet: rt.id, User: user, Write: write, At: now()})
	}
	if !s.sleep(r.Context(), lat) {
		return
	}
	fault := s.pickFault(rt.method)
	if fault != 0 {
		s.count(func(st *Stats) { st.Faults++ })
	}
	switch fault {
	case FaultInternal:
		writeError(cw, errInternal)
		return
	case FaultUnavailable:
		writeError(cw, errUnavailable)
		return
	case FaultRateLimit:
		s.count(func(st *Stats) { st.RateLimited++ })
		writeError(cw, s.quotaError(write, true))
		return
	case FaultDrop:
		drop(w)
		return
	case FaultSlow:
		s.cfg.Lock()
		d := s.slow
		s.cfg.Unlock()
		if !s.sleep(r.Context(), d) {
			return // the client gave up: nothing was applied
		}
	}
	if qerr := s.takeQuota(r, write); qerr != nil {
		s.count(func(st *Stats) { st.RateLimited++ })
		writeError(cw, qerr)
		return
	}
	c := &call{s: s, r: r, method: rt.method, id: rt.id, rng: rt.param, query: r.URL.Query(), body: body}
	if qerr := checkQuery(rt.method, c.query); qerr != nil {
		writeError(cw, qerr)
		return
	}
	resp, herr := rt.h(c)
	if fault == FaultLostResponse {
		drop(w)
		return
	}
	if herr != nil {
		ae, ok := herr.(*apiError)
		if !ok {
			ae = &apiError{code: http.StatusInternalServerError, status: "INTERNAL", message: herr.Error()}
		}
		writeError(cw, ae)
		return
	}
	s.applied(Call{Method: rt.method, Spreadsheet: rt.id, User: user, Write: write})
	writeJSON(cw, resp, c.query.Get("fields"))
}

// sleep waits d, or less when the client or the server goes away first; it
// reports whether the whole delay passed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// drop closes the connection without an answer, as a network failure would.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

func writeJSON(w http.ResponseWriter, v any, fields string) {
	b, err := json.Marshal(v)
	if err == nil && fields != "" {
		b, err = applyFieldMask(b, fields)
	}
	if err != nil {
		writeError(w, &apiError{code: http.StatusBadRequest, status: "INVALID_ARGUMENT", message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// decodeBody decodes a JSON request body into v, refusing unknown fields as
// Google does.
func (c *call) decodeBody(v any) error { return c.decodeBodyAs(v, reflect.TypeOf(v)) }

// decodeBodyAs decodes the body into v after checking its field names against
// the API type schema. Unlike encoding/json, Google matches names exactly:
// "sheetID" is not "sheetId".
func (c *call) decodeBodyAs(v any, schema reflect.Type) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return invalidArgument("Invalid JSON payload received. %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if err := checkKeys(tree, schema, ""); err != nil {
		return err
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return invalidArgument("Invalid JSON payload received. %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" && f.IsExported() {
			m[name] = f.Type
		}
	}
	fieldCache.Store(t, m)
	return m
}

// checkKeys walks a decoded JSON value alongside the Go type it will decode
// into and reports the first unknown field name with Google's message, naming
// where it was found in proto (snake_case) form.
func checkKeys(x any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch x := x.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Map:
			for k, e := range x {
				if err := checkKeys(e, t.Elem(), joinPath(path, k)); err != nil {
					return err
				}
			}
		case reflect.Struct:
			fields := jsonFields(t)
			for _, k := range sortedKeys(x) {
				ft, ok := fields[k]
				if !ok {
					if path == "" {
						return invalidArgument("Invalid JSON payload received. Unknown name %q: Cannot find field.", k)
					}
					return invalidArgument("Invalid JSON payload received. Unknown name %q at '%s': Cannot find field.", k, path)
				}
				if err := checkKeys(x[k], ft, joinPath(path, k)); err != nil {
					return err
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice {
			for i, e := range x {
				if err := checkKeys(e, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.Sort(keys)
	return keys
}

func joinPath(path, name string) string {
	var b strings.Builder
	for i, r := range name {
		if 'A' <= r && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	if path == "" {
		return b.String()
	}
	return path + "." + b.String()
}

// read runs f on the current version of the call's spreadsheet.
func (c *call) read(f func(ss *spreadsheet) (any, error)) (any, error) {
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	ss := c.s.books[c.id]
	if ss == nil {
		return nil, errEntityNotFound()
	}
	return f(ss)
}

// write runs f on a copy of the call's spreadsheet and keeps the copy only if
// f succeeds, so that every write is atomic.
func (c *call) write(f func(t *tx) (any, error)) (any, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	ss := c.s.books[c.id]
	if ss == nil {
		return nil, errEntityNotFound()
	}
	t := c.s.begin(ss)
	resp, err := f(t)
	if err != nil {
		return nil, err
	}
	c.s.books[c.id] = t.ss
	return resp, nil
}
