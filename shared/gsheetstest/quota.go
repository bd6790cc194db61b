package gsheetstest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Quotas are per-minute request quotas. Zero means no limit. Each request
// counts once, as in Google's accounting, however many edits it carries.
type Quotas struct {
	ReadRequestsPerMinutePerUser     int
	ReadRequestsPerMinutePerProject  int
	WriteRequestsPerMinutePerUser    int
	WriteRequestsPerMinutePerProject int
}

// GoogleQuotas returns Google's default quotas for the Sheets API: 60 reads
// and 60 writes per minute per user, 300 of each per minute per project.
func GoogleQuotas() Quotas {
	return Quotas{
		ReadRequestsPerMinutePerUser: 60, ReadRequestsPerMinutePerProject: 300,
		WriteRequestsPerMinutePerUser: 60, WriteRequestsPerMinutePerProject: 300,
	}
}

// SetQuotas replaces the quotas; usage counted so far in the current minute stays.
func (s *Server) SetQuotas(q Quotas) {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	s.quotas = q
}

// SetClock replaces the clock that delimits quota windows.
func (s *Server) SetClock(now func() time.Time) {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	s.now = now
}

type quotaKey struct {
	write   bool
	project bool
	user    string
}

// quotaWindow counts requests in one minute. Windows are fixed and aligned to
// the minutes of the clock: all of a minute's quota is available again at the
// start of the next minute.
type quotaWindow struct {
	start time.Time
	n     int
}

// takeQuota counts the request against its quotas, or returns Google's 429
// when one is exhausted. A refused request consumes no quota.
func (s *Server) takeQuota(r *http.Request, write bool) *apiError {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	user := s.quotaUser(r)
	if s.unmetered != "" && user == s.unmetered {
		return nil
	}
	perUser, perProject := s.quotas.ReadRequestsPerMinutePerUser, s.quotas.ReadRequestsPerMinutePerProject
	if write {
		perUser, perProject = s.quotas.WriteRequestsPerMinutePerUser, s.quotas.WriteRequestsPerMinutePerProject
	}
	minute := s.now().Truncate(time.Minute)
	get := func(k quotaKey) *quotaWindow {
		w := s.window[k]
		if w == nil || !w.start.Equal(minute) {
			w = &quotaWindow{start: minute}
			s.window[k] = w
		}
		return w
	}
	uw := get(quotaKey{write: write, user: user})
	pw := get(quotaKey{write: write, project: true})
	if perUser > 0 && uw.n >= perUser {
		return s.quotaErrorLocked(write, true, perUser)
	}
	if perProject > 0 && pw.n >= perProject {
		return s.quotaErrorLocked(write, false, perProject)
	}
	uw.n++
	pw.n++
	return nil
}

// quotaError is the 429 for an injected FaultRateLimit: the per-user quota.
func (s *Server) quotaError(write, perUser bool) *apiError {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	limit := s.quotas.ReadRequestsPerMinutePerUser
	if write {
		limit = s.quotas.WriteRequestsPerMinutePerUser
	}
	if limit == 0 {
		limit = 60
	}
	return s.quotaErrorLocked(write, perUser, limit)
}

// quotaErrorLocked builds Google's RESOURCE_EXHAUSTED answer, details included.
func (s *Server) quotaErrorLocked(write, perUser bool, limit int) *apiError {
	metric, kind := "Read requests", "Read"
	if write {
		metric, kind = "Write requests", "Write"
	}
	limitName, limitID, unit := metric+" per minute", kind+"RequestsPerMinutePerProject", "1/min/{project}"
	if perUser {
		limitName, limitID, unit = metric+" per minute per user", kind+"RequestsPerMinutePerUser", "1/min/{project}/{user}"
	}
	project := strconv.FormatInt(s.number, 10)
	metricID := "sheets.googleapis.com/read_requests"
	if write {
		metricID = "sheets.googleapis.com/write_requests"
	}
	return &apiError{
		code:   http.StatusTooManyRequests,
		status: "RESOURCE_EXHAUSTED",
		message: fmt.Sprintf("Quota exceeded for quota metric '%s' and limit '%s' of service 'sheets.googleapis.com' for consumer 'project_number:%s'.",
			metric, limitName, project),
		details: []any{
			map[string]any{
				"@type":  "type.googleapis.com/google.rpc.ErrorInfo",
				"reason": "RATE_LIMIT_EXCEEDED",
				"domain": "googleapis.com",
				"metadata": map[string]string{
					"service":           "sheets.googleapis.com",
					"consumer":          "projects/" + project,
					"quota_metric":      metricID,
					"quota_limit":       limitID,
					"quota_limit_value": strconv.Itoa(limit),
					"quota_location":    "global",
					"quota_unit":        unit,
				},
			},
			map[string]any{
				"@type": "type.googleapis.com/google.rpc.Help",
				"links": []map[string]string{{
					"description": "Request a higher quota limit.",
					"url":         "https://cloud.google.com/docs/quotas/help/request_increase",
				}},
			},
		},
	}
}
