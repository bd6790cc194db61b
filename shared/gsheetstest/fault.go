package gsheetstest

import (
	"slices"
	"time"
)

// Fault is a failure the server can inject instead of answering normally.
// No fault ever applies part of a write: a write is applied whole or not at all.
type Fault int

const (
	// FaultInternal answers 500 INTERNAL without applying the request.
	FaultInternal Fault = iota + 1
	// FaultUnavailable answers 503 UNAVAILABLE without applying the request.
	FaultUnavailable
	// FaultRateLimit answers 429 RESOURCE_EXHAUSTED with Google's per-user
	// quota body, without applying the request or consuming quota.
	FaultRateLimit
	// FaultDrop closes the connection without an answer and without applying
	// the request; the client sees a transport error.
	FaultDrop
	// FaultLostResponse applies the request, then closes the connection
	// without an answer: the write landed but the client cannot know it.
	FaultLostResponse
	// FaultSlow holds the request for the slow delay (SetSlowDelay, one minute
	// by default) before serving it. If the client gives up first, the request
	// is not applied.
	FaultSlow
)

// String names the fault, for test names and logs.
func (f Fault) String() string {
	switch f {
	case FaultInternal:
		return "internal"
	case FaultUnavailable:
		return "unavailable"
	case FaultRateLimit:
		return "rate-limit"
	case FaultDrop:
		return "drop"
	case FaultLostResponse:
		return "lost-response"
	case FaultSlow:
		return "slow"
	}
	return "none"
}

// Match selects requests by method name. A nil Match selects every request.
type Match func(method string) bool

// Writes matches the methods Google counts as writes.
func Writes(method string) bool { return !readMethods[method] }

// Reads matches the methods Google counts as reads.
func Reads(method string) bool { return readMethods[method] }

// Methods matches the named methods, such as MethodBatchUpdate.
func Methods(names ...string) Match {
	return func(method string) bool { return slices.Contains(names, method) }
}

type faultRule struct {
	match  Match
	script []Fault // consumed in order by matching requests
	p      float64 // probability once the script is used up
	fault  Fault
}

// FailNext makes the next requests selected by match fail with faults, one
// fault per request, in order. Rules apply in the order they were added.
func (s *Server) FailNext(match Match, faults ...Fault) {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	s.faults = append(s.faults, &faultRule{match: match, script: slices.Clone(faults)})
}

// FailRandomly makes each request selected by match fail with fault with
// probability p, until ClearFaults.
func (s *Server) FailRandomly(match Match, p float64, fault Fault) {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	s.faults = append(s.faults, &faultRule{match: match, p: p, fault: fault})
}

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	s.faults = nil
}

// SetSlowDelay sets how long FaultSlow holds a request.
func (s *Server) SetSlowDelay(d time.Duration) {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	s.slow = d
}

// pickFault decides, before anything is applied, whether a request fails.
func (s *Server) pickFault(method string) Fault {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	for i, r := range s.faults {
		if r.match != nil && !r.match(method) {
			continue
		}
		if len(r.script) > 0 {
			f := r.script[0]
			r.script = r.script[1:]
			if len(r.script) == 0 && r.p == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
			return f
		}
		if r.p > 0 && s.frnd.Float64() < r.p {
			return r.fault
		}
	}
	return 0
}
