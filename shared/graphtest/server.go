package graphtest

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is an in-memory Microsoft Graph: the workbook endpoints of
// drive items, $batch, the site and path look-ups of SharePoint, and the
// token endpoint of the Microsoft identity platform. Make one with New
// (then serve Handler), Start or NewServer. All methods are safe for
// concurrent use.
type Server struct {
	mu    sync.Mutex // guards everything below but the settings
	books map[string]*workbook
	sites map[string]*site
	apps  map[string]*app    // by tenant + "/" + client id
	toks  map[string]*issued // by access token
	stats Stats
	rnd   *rand.Rand
	win   map[string]*window // throttling windows by client id

	cfg        sync.Mutex // guards the settings
	lat        time.Duration
	jitter     time.Duration
	opLat      time.Duration
	throttle   Throttle
	faults     []*faultRule
	frnd       *rand.Rand
	hook       func(op string)
	noAuth     bool
	openReads  bool
	sessionTTL time.Duration
	now        func() time.Time

	done   chan struct{}
	closed sync.Once
	ts     *httptest.Server
	plain  *httptest.Server // ServePlain's
}

// Option configures a Server.
type Option func(*Server)

// WithLatency delays every HTTP request by fixed plus a uniformly random
// duration in [0, jitter).
func WithLatency(fixed, jitter time.Duration) Option {
	return func(s *Server) { s.lat, s.jitter = fixed, jitter }
}

// WithOperationLatency adds d to every workbook operation, each request
// of a $batch included: Excel applies a workbook's operations one after
// the other.
func WithOperationLatency(d time.Duration) Option { return func(s *Server) { s.opLat = d } }

// WithThrottle limits the requests of each app (client id), as Graph's
// Excel service does; see Throttle.
func WithThrottle(t Throttle) Option { return func(s *Server) { s.throttle = t } }

// WithoutAuth serves Graph requests without a bearer token.
func WithoutAuth() Option { return func(s *Server) { s.noAuth = true } }

// WithAnonymousReads serves GET requests without a bearer token, so that
// a person can curl the tables of the local stack.
func WithAnonymousReads() Option { return func(s *Server) { s.openReads = true } }

// WithRequestHook calls hook with the operation's name (see Op) of every
// workbook operation before it is applied, each request of a $batch
// included. The hook may change the server (a person sorting the table
// between Safeview's read and its write).
func WithRequestHook(hook func(op string)) Option { return func(s *Server) { s.hook = hook } }

// WithSeed makes random faults, ids and jitter repeatable.
func WithSeed(seed uint64) Option {
	return func(s *Server) {
		s.rnd = rand.New(rand.NewPCG(seed, seed^0x5eed))
		s.frnd = rand.New(rand.NewPCG(seed^0xfa17, seed))
	}
}

// WithSessionTTL sets how long a workbook session lives unused (Graph:
// about 5 minutes for a persistent session); a request naming an expired
// session gets 404 InvalidSession.
func WithSessionTTL(d time.Duration) Option { return func(s *Server) { s.sessionTTL = d } }

// Throttle is a limit on requests per app and window, counted as Graph
// counts them: every request of a $batch is one. Beyond it, requests get
// 429 with Retry-After, the seconds until the window ends.
type Throttle struct {
	Requests int
	Per      time.Duration
}

// ExcelThrottle is the Excel service's documented limit per app and
// tenant: 1,500 requests every 10 seconds.
func ExcelThrottle() Throttle { return Throttle{Requests: 1500, Per: 10 * time.Second} }

type window struct {
	start time.Time
	n     int
}

// New returns a server that is not listening.
func New(opts ...Option) *Server {
	s := &Server{
		books: map[string]*workbook{}, sites: map[string]*site{}, apps: map[string]*app{}, toks: map[string]*issued{},
		win: map[string]*window{}, sessionTTL: 5 * time.Minute, now: time.Now, done: make(chan struct{}),
	}
	s.stats.Ops = map[string]int{}
	WithSeed(rand.Uint64())(s)
	for _, o := range opts {
		o(s)
	}
	return s
}

// Start returns a server listening with TLS on an ephemeral loopback port
// (the identity platform's endpoints must be https for azidentity); use
// Client, or its Transport, to trust its certificate.
func Start(opts ...Option) *Server {
	s := New(opts...)
	s.ts = httptest.NewTLSServer(s.Handler())
	return s
}

// TB is the part of testing.TB that NewServer needs.
type TB interface{ Cleanup(func()) }

// NewServer starts a server and closes it when the test ends.
func NewServer(t TB, opts ...Option) *Server {
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// URL is the server's base URL, without a trailing slash; empty for a
// server made with New.
func (s *Server) URL() string {
	if s.ts == nil {
		return ""
	}
	return s.ts.URL
}

// GraphEndpoint is the base of Graph's URLs: URL()+"/v1.0".
func (s *Server) GraphEndpoint() string { return s.URL() + "/v1.0" }

// Client returns an HTTP client that trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close stops the server.
func (s *Server) Close() {
	s.closed.Do(func() { close(s.done) })
	for _, ts := range []*httptest.Server{s.ts, s.plain} {
		if ts != nil {
			ts.CloseClientConnections()
			ts.Close()
		}
	}
}

// Stats count what the server was asked.
type Stats struct {
	// Requests counts HTTP requests to Graph (a $batch is one).
	Requests int
	// Ops counts workbook operations by name (see Op), each request of a
	// $batch apart; Throttled counts 429 answers, Faults injected faults.
	Ops              map[string]int
	Operations       int
	Writes           int
	Throttled        int
	Faults           int
	Locked           int
	BytesReceived    int64
	BytesSent        int64
	TokensIssued     int
	SessionsCreated  int
	SessionsClosed   int
	BatchesWithDeps  int
	MaxBatchRequests int
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Ops = map[string]int{}
	for k, v := range s.stats.Ops {
		st.Ops[k] = v
	}
	return st
}

// apiError is Graph's error body.
type apiError struct {
	status     int
	code, msg  string
	retryAfter int // seconds, 0: no header
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.msg) }

func errf(status int, code, format string, a ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, a...)}
}

func (e *apiError) body() []byte {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": e.code, "message": e.msg}})
	return b
}

func (e *apiError) headers() map[string]string {
	h := map[string]string{"Content-Type": "application/json"}
	if e.retryAfter > 0 {
		h["Retry-After"] = strconv.Itoa(e.retryAfter)
	}
	return h
}

// Handler serves Graph under /v1.0/, the identity platform under
// /{tenant}/, and a read-only HTML view of the workbooks at /.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1.0/"):
			s.serveGraph(w, r)
		case strings.Contains(r.URL.Path, "/oauth2/") || strings.Contains(r.URL.Path, "/.well-known/") || strings.Contains(r.URL.Path, "/discovery/"):
			s.serveIdentity(w, r)
		default:
			s.serveView(w, r)
		}
	})
}

func (s *Server) settings() (time.Duration, time.Duration) {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	return s.lat, s.jitter
}

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	lat, jit := s.settings()
	if jit > 0 {
		s.mu.Lock()
		lat += time.Duration(s.rnd.Int64N(int64(jit)))
		s.mu.Unlock()
	}
	if !s.sleep(r, lat) {
		return
	}
	s.mu.Lock()
	s.stats.Requests++
	s.stats.BytesReceived += int64(len(body))
	s.mu.Unlock()
	app, aerr := s.authenticate(r)
	if aerr != nil {
		s.reply(w, aerr.status, aerr.headers(), aerr.body())
		return
	}
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/v1.0")
	if path == "/$batch" {
		s.serveBatch(w, r, app, body)
		return
	}
	f := s.fault("envelope")
	if f == FaultDrop {
		s.drop(w)
		return
	}
	status, hdr, out := s.do(r.Context().Done(), app, r.Method, path+query(r), r.Header.Get(SessionHeader), body)
	if f == FaultLostResponse {
		s.drop(w)
		return
	}
	s.reply(w, status, hdr, out)
}

func query(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

func (s *Server) reply(w http.ResponseWriter, status int, hdr map[string]string, body []byte) {
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	if len(body) > 0 && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	s.mu.Lock()
	s.stats.BytesSent += int64(len(body))
	s.mu.Unlock()
}

// drop closes the connection without an answer.
func (s *Server) drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			_ = c.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

// SessionHeader is the header that names a workbook session.
const SessionHeader = "workbook-session-id"

// serveBatch applies a JSON batch: at most 20 requests, each counted and
// throttled apart; a request whose dependsOn failed gets 424.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request, app string, body []byte) {
	var in struct {
		Requests []struct {
			ID        string            `json:"id"`
			Method    string            `json:"method"`
			URL       string            `json:"url"`
			Headers   map[string]string `json:"headers"`
			Body      json.RawMessage   `json:"body"`
			DependsOn []string          `json:"dependsOn"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(body, &in); err != nil || len(in.Requests) == 0 {
		e := errf(400, "BadRequest", "Invalid batch payload format.")
		s.reply(w, 400, e.headers(), e.body())
		return
	}
	if len(in.Requests) > 20 {
		e := errf(400, "BadRequest", "Maximum number of requests in a batch is 20.")
		s.reply(w, 400, e.headers(), e.body())
		return
	}
	f := s.fault("batch")
	if f == FaultDrop {
		s.drop(w)
		return
	}
	if f.status() != 0 {
		e := f.apiError()
		s.reply(w, e.status, e.headers(), e.body())
		return
	}
	s.mu.Lock()
	s.stats.MaxBatchRequests = max(s.stats.MaxBatchRequests, len(in.Requests))
	s.mu.Unlock()
	type resp struct {
		ID      string            `json:"id"`
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers,omitempty"`
		Body    json.RawMessage   `json:"body,omitempty"`
	}
	status := map[string]int{}
	var out []resp
	deps := false
	for _, q := range in.Requests {
		failed := false
		for _, d := range q.DependsOn {
			deps = true
			if st, ok := status[d]; !ok || st >= 400 {
				failed = true
			}
		}
		var rs resp
		if failed {
			e := errf(424, "FailedDependency", "The request depends on a request that failed.")
			rs = resp{ID: q.ID, Status: 424, Headers: e.headers(), Body: e.body()}
		} else {
			u := q.URL
			if !strings.HasPrefix(u, "/") {
				u = "/" + u
			}
			st, hdr, b := s.do(r.Context().Done(), app, q.Method, u, q.Headers[SessionHeader], q.Body)
			rs = resp{ID: q.ID, Status: st, Headers: hdr, Body: b}
		}
		status[q.ID] = rs.Status
		out = append(out, rs)
	}
	if deps {
		s.mu.Lock()
		s.stats.BatchesWithDeps++
		s.mu.Unlock()
	}
	b, _ := json.Marshal(map[string]any{"responses": out})
	if f == FaultLostResponse {
		s.drop(w)
		return
	}
	s.reply(w, 200, nil, b)
}

// do applies one request of Graph (alone or in a batch).
func (s *Server) do(done <-chan struct{}, app, method, rawURL, sessionID string, body []byte) (int, map[string]string, []byte) {
	op, route, err := s.route(method, rawURL)
	if err != nil {
		return err.status, err.headers(), err.body()
	}
	s.cfg.Lock()
	hook, opLat := s.hook, s.opLat
	s.cfg.Unlock()
	if opLat > 0 {
		select {
		case <-time.After(opLat):
		case <-done:
		}
	}
	if hook != nil {
		hook(op)
	}
	if f := s.fault(op); f.status() != 0 {
		e := f.apiError()
		return e.status, e.headers(), e.body()
	}
	if e := s.countThrottle(app); e != nil {
		return e.status, e.headers(), e.body()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Operations++
	s.stats.Ops[op]++
	if method != http.MethodGet {
		s.stats.Writes++
	}
	res, aerr := route(&call{s: s, method: method, body: body, session: sessionID, op: op})
	if aerr != nil {
		if aerr.status == 423 || aerr.status == 409 {
			s.stats.Locked++
		}
		return aerr.status, aerr.headers(), aerr.body()
	}
	if res.status == 0 {
		res.status = 200
	}
	if res.v == nil {
		return res.status, nil, nil
	}
	b, _ := json.Marshal(res.v)
	return res.status, map[string]string{"Content-Type": "application/json"}, b
}

func (s *Server) countThrottle(app string) *apiError {
	s.cfg.Lock()
	th := s.throttle
	now := s.now()
	s.cfg.Unlock()
	if th.Requests <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.win[app]
	if w == nil || now.Sub(w.start) >= th.Per {
		w = &window{start: now}
		s.win[app] = w
	}
	if w.n >= th.Requests {
		s.stats.Throttled++
		e := errf(429, "TooManyRequests", "Please retry again later.")
		e.retryAfter = max(1, int((w.start.Add(th.Per).Sub(now)+time.Second-1)/time.Second))
		return e
	}
	w.n++
	return nil
}

// result is what an operation answers.
type result struct {
	status int
	v      any
}

// call is one operation being applied; the server's lock is held.
type call struct {
	s       *Server
	method  string
	body    []byte
	session string
	op      string
	query   map[string]string
	book    *workbook
}

func (c *call) decode(v any) *apiError {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return errf(400, "InvalidArgument", "The request body is not valid JSON.")
	}
	return nil
}

// Op names of the workbook operations, for faults, hooks and stats.
const (
	OpCreateSession = "createSession"
	OpCloseSession  = "closeSession"
	OpTables        = "tables.list"
	OpTable         = "tables.get"
	OpTableAdd      = "tables.add"
	OpTableUpdate   = "tables.update"
	OpColumns       = "columns.list"
	OpColumnAdd     = "columns.add"
	OpRows          = "rows.list"
	OpRowsAdd       = "rows.add"
	OpRowDelete     = "rows.delete"
	OpRowGet        = "rows.get"
	OpRangeGet      = "range.get"
	OpRangeUpdate   = "range.update"
	OpFormatUpdate  = "format.update"
	OpSheets        = "worksheets.list"
	OpSheetAdd      = "worksheets.add"
	OpSheetUpdate   = "worksheets.update"
	OpSort          = "sort.apply"
	OpSite          = "sites.get"
	OpItem          = "items.get"
)

// Writes matches the operations that change a workbook.
func Writes(op string) bool {
	return slices.Contains([]string{OpTableAdd, OpTableUpdate, OpColumnAdd, OpRowsAdd, OpRowDelete, OpRangeUpdate, OpFormatUpdate, OpSheetAdd, OpSheetUpdate, OpSort}, op)
}

// Reads matches the operations that read a workbook.
func Reads(op string) bool {
	return slices.Contains([]string{OpTables, OpTable, OpColumns, OpRows, OpRowGet, OpRangeGet, OpSheets}, op)
}

// StartAt returns a server listening with TLS on addr (host:port; port
// 0 picks a free one), for the local stack.
func StartAt(addr string, opts ...Option) (*Server, error) {
	s := New(opts...)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.ts = httptest.NewUnstartedServer(s.Handler())
	s.ts.Listener.Close()
	s.ts.Listener = ln
	s.ts.StartTLS()
	return s, nil
}

// CertificatePEM is the server's certificate, for clients to trust.
func (s *Server) CertificatePEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ts.Certificate().Raw})
}

// ServePlain serves the same Graph over plain HTTP on addr too, and
// returns its Graph endpoint: for the people and scripts reading the local
// stack's tables, who have no reason to trust the emulator's certificate.
// The function keeps to https, as with Microsoft's Graph.
func (s *Server) ServePlain(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	ts := httptest.NewUnstartedServer(s.Handler())
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	s.plain = ts
	return ts.URL + "/v1.0", nil
}
