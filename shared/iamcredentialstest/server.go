// Package iamcredentialstest is an in-memory server that speaks the one
// method of the IAM Service Account Credentials API (iamcredentials v1)
// Safeview uses, projects.serviceAccounts.generateAccessToken, well enough
// for the real google.golang.org/api/iamcredentials/v1 client: the fake
// behind the tests of impersonation and the local stack's destination
// accounts.
//
//	srv := iamcredentialstest.NewServer(t)
//	srv.Grant("", "partner@p.iam.gserviceaccount.com") // the caller "" may act as partner
//	svc, _ := iamcredentials.NewService(ctx, option.WithEndpoint(srv.URL()), option.WithoutAuthentication())
//
// # Callers and grants
//
// A caller is the value of its Authorization header ("" without one). It
// may get tokens of exactly the accounts granted to it, as
// roles/iam.serviceAccountTokenCreator on those accounts grants; any
// other account answers Google's 403 PERMISSION_DENIED ("Permission
// 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not
// exist).", with an ErrorInfo of reason IAM_PERMISSION_DENIED), the same
// for an account that does not exist, as Google answers.
//
// # Tokens
//
// A token is "Bearer "-ready text that names its account:
// Token(account) returns it. It is the same for every call, so that a
// Sheets emulator that keys its per-user quotas by the Authorization
// header (gsheetstest's default) counts each account apart, as Google
// counts each service account. It expires after the lifetime asked for
// (3600s by default, at most 43200s).
package iamcredentialstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Server is an in-memory IAM Service Account Credentials API. Make one
// with New, Start or NewServer. Its methods are safe for concurrent use.
type Server struct {
	mu     sync.Mutex
	grants map[string][]string // caller → accounts
	calls  []Call
	now    func() time.Time
	ts     *httptest.Server
}

// Call is one generateAccessToken request, answered or refused.
type Call struct {
	Caller  string // the Authorization header
	Account string
	Scopes  []string
	Granted bool
}

// New returns a server that is not listening: serve Handler on a
// listener of your own, or use Start.
func New() *Server { return &Server{grants: map[string][]string{}, now: time.Now} }

// Start returns a server listening on an ephemeral loopback port.
func Start() *Server {
	s := New()
	s.ts = httptest.NewServer(s.Handler())
	return s
}

// TB is the part of testing.TB that NewServer needs.
type TB interface{ Cleanup(func()) }

// NewServer starts a server and closes it when the test ends.
func NewServer(t TB) *Server {
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// URL is the base URL for option.WithEndpoint, ending in "/"; empty for a
// server made with New.
func (s *Server) URL() string {
	if s.ts == nil {
		return ""
	}
	return s.ts.URL + "/"
}

// Close stops the listener started by Start.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Grant lets caller (an Authorization header value, "" for none) get
// tokens of the accounts: roles/iam.serviceAccountTokenCreator on each.
func (s *Server) Grant(caller string, accounts ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range accounts {
		if !slices.Contains(s.grants[caller], a) {
			s.grants[caller] = append(s.grants[caller], a)
		}
	}
}

// Calls returns the requests received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Token is the access token the server issues for an account.
func Token(account string) string { return "iamcredentialstest." + account }

// AccountOf returns the account a token names, and whether it is one of
// this package's.
func AccountOf(token string) (string, bool) {
	return strings.CutPrefix(strings.TrimPrefix(token, "Bearer "), "iamcredentialstest.")
}

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

const pathPrefix = "/v1/projects/-/serviceAccounts/"

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), pathPrefix)
	account, method, _ := strings.Cut(rest, ":")
	if !ok || method != "generateAccessToken" {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "iamcredentialstest: no method at "+r.Method+" "+r.URL.Path, nil)
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "UNIMPLEMENTED", "iamcredentialstest: use POST", nil)
		return
	}
	account, err := url.PathUnescape(account)
	if err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid resource name.", nil)
		return
	}
	var body struct {
		Delegates []string `json:"delegates"`
		Scope     []string `json:"scope"`
		Lifetime  string   `json:"lifetime"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid JSON payload received.", nil)
		return
	}
	if len(body.Scope) == 0 {
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Scope must be specified.", nil)
		return
	}
	lifetime := time.Hour
	if body.Lifetime != "" {
		d, err := time.ParseDuration(body.Lifetime)
		if err != nil || d <= 0 || d > 12*time.Hour {
			writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid lifetime: at most 43200s.", nil)
			return
		}
		lifetime = d
	}
	caller := r.Header.Get("Authorization")
	s.mu.Lock()
	granted := len(body.Delegates) == 0 && slices.Contains(s.grants[caller], account)
	s.calls = append(s.calls, Call{Caller: caller, Account: account, Scopes: body.Scope, Granted: granted})
	now := s.now()
	s.mu.Unlock()
	if !granted {
		writeError(w, http.StatusForbidden, "PERMISSION_DENIED", "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
			[]any{map[string]any{
				"@type":    "type.googleapis.com/google.rpc.ErrorInfo",
				"reason":   "IAM_PERMISSION_DENIED",
				"domain":   "iam.googleapis.com",
				"metadata": map[string]string{"permission": "iam.serviceAccounts.getAccessToken"},
			}})
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"accessToken": Token(account),
		"expireTime":  now.Add(lifetime).UTC().Format(time.RFC3339),
	})
}

func writeError(w http.ResponseWriter, code int, status, msg string, details []any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	e := map[string]any{"code": code, "message": msg, "status": status}
	if details != nil {
		e["details"] = details
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}
