package gsheetstest

import (
	"net/http"
	"slices"
	"time"
)

// Call is one request as it arrives: what it asks, and whose quota it
// counts against.
type Call struct {
	// Method is the API method, such as MethodBatchUpdate.
	Method string
	// Spreadsheet is the id of the spreadsheet it addresses; "" for
	// spreadsheets.create.
	Spreadsheet string
	// User is the quota user the request counts against (see
	// WithQuotaUserHeader): with several service accounts, whose request
	// it is.
	User string
	// Write says Google counts it as a write request.
	Write bool
	// At is when it arrived, by the server's clock.
	At time.Time
}

// WithCallHook calls hook with every request as it arrives, at the same
// point as WithRequestHook's hook: before latency, faults and quotas. A
// benchmark records who sent what when, to check each user's and the
// project's requests in any window.
func WithCallHook(hook func(Call)) Option { return func(s *Server) { s.callHook = hook } }

// SetCallHook replaces the hook set by WithCallHook; nil removes it.
func (s *Server) SetCallHook(hook func(Call)) {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	s.callHook = hook
}

// quotaUser is the user a request counts against: the quotaUser query
// parameter, as Google defines it, else the value of the quota user
// header. The caller holds s.cfg.
func (s *Server) quotaUser(r *http.Request) string {
	if u := r.URL.Query().Get("quotaUser"); u != "" {
		return u
	}
	return r.Header.Get(s.user)
}

// Busiest returns the most instants of ts in any window of length w: the
// requests a quota of w would have counted at worst, however its windows
// are aligned.
func Busiest(ts []time.Time, w time.Duration) int {
	s := slices.Clone(ts)
	slices.SortFunc(s, func(a, b time.Time) int { return a.Compare(b) })
	most, j := 0, 0
	for i := range s {
		for s[i].Sub(s[j]) >= w {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}
