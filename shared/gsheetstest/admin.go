package gsheetstest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Faults are the emulator's random faults, latency and quotas as one
// value, for a program that runs the emulator alone and lets its faults
// be set from outside (flags, or AdminHandler). Rates are probabilities
// per request, each drawn apart: 0.1 of each of four faults fails about a
// third of the requests.
type Faults struct {
	// Rate429 answers 429 RESOURCE_EXHAUSTED, as Google's per-user quota.
	Rate429 float64 `json:"rate429"`
	// Rate500 answers 500 INTERNAL.
	Rate500 float64 `json:"rate500"`
	// RateSlow holds a request for SlowMS before serving it.
	RateSlow float64 `json:"rate_slow"`
	// RateLost applies a request, then closes the connection unanswered.
	RateLost float64 `json:"rate_lost"`
	// SlowMS is how long a slow request is held (default one minute).
	SlowMS int `json:"slow_ms"`
	// LatencyMS and JitterMS delay every request.
	LatencyMS int `json:"latency_ms"`
	JitterMS  int `json:"jitter_ms"`
	// WritesPerMinute and ReadsPerMinute are the quotas per user; 0 none.
	// GoogleQuotas are 60 each.
	WritesPerMinute int `json:"writes_per_minute"`
	ReadsPerMinute  int `json:"reads_per_minute"`
}

// Validate says what is wrong with f, naming the field.
func (f Faults) Validate() error {
	var errs []error
	for name, r := range map[string]float64{"rate429": f.Rate429, "rate500": f.Rate500, "rate_slow": f.RateSlow, "rate_lost": f.RateLost} {
		if r < 0 || r > 1 {
			errs = append(errs, fmt.Errorf("%s: %v is not a probability between 0 and 1", name, r))
		}
	}
	for name, n := range map[string]int{"slow_ms": f.SlowMS, "latency_ms": f.LatencyMS, "jitter_ms": f.JitterMS, "writes_per_minute": f.WritesPerMinute, "reads_per_minute": f.ReadsPerMinute} {
		if n < 0 {
			errs = append(errs, fmt.Errorf("%s: %d is negative", name, n))
		}
	}
	return errors.Join(errs...)
}

// SetFaults replaces every fault rule (FailNext's too), the latency and
// the quotas with f.
func (s *Server) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.ClearFaults()
	for _, r := range []struct {
		p     float64
		fault Fault
	}{{f.Rate429, FaultRateLimit}, {f.Rate500, FaultInternal}, {f.RateSlow, FaultSlow}, {f.RateLost, FaultLostResponse}} {
		if r.p > 0 {
			s.FailRandomly(nil, r.p, r.fault)
		}
	}
	slow := time.Minute
	if f.SlowMS > 0 {
		slow = time.Duration(f.SlowMS) * time.Millisecond
	}
	s.SetSlowDelay(slow)
	s.SetLatency(time.Duration(f.LatencyMS)*time.Millisecond, time.Duration(f.JitterMS)*time.Millisecond)
	q := Quotas{}
	if f.WritesPerMinute > 0 {
		q.WriteRequestsPerMinutePerUser, q.WriteRequestsPerMinutePerProject = f.WritesPerMinute, 5*f.WritesPerMinute
	}
	if f.ReadsPerMinute > 0 {
		q.ReadRequestsPerMinutePerUser, q.ReadRequestsPerMinutePerProject = f.ReadsPerMinute, 5*f.ReadsPerMinute
	}
	s.SetQuotas(q)
	s.cfg.Lock()
	s.set = f
	s.cfg.Unlock()
	return nil
}

// AdminHandler serves the emulator's faults at any path: GET answers the
// Faults set last, POST (a JSON Faults, every field; absent ones are 0)
// sets them. Mount it under a path of its own, such as /_admin/faults:
// it is for tests and people running fault tests by hand, never exposed
// beyond the machine.
func (s *Server) AdminHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodPost:
			var f Faults
			dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&f); err != nil {
				http.Error(w, "want a JSON object of faults: "+err.Error(), http.StatusBadRequest)
				return
			}
			if err := s.SetFaults(f); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "GET or POST", http.StatusMethodNotAllowed)
			return
		}
		s.cfg.Lock()
		f := s.set
		s.cfg.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(f)
	})
}
