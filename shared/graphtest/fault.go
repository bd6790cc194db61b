package graphtest

import "slices"

// Fault is a failure the server injects instead of answering.
type Fault int

// Faults. None applies part of an operation: it is applied whole, or not.
const (
	// FaultThrottle answers 429 TooManyRequests with Retry-After: 1.
	FaultThrottle Fault = iota + 1
	// FaultUnavailable answers 503 ServiceUnavailable with Retry-After: 1.
	FaultUnavailable
	// FaultLocked answers 423 Locked: a person holds the file open in a
	// desktop Excel that does not co-author.
	FaultLocked
	// FaultConflict answers 409 Conflict: the workbook is busy with
	// another editor's change.
	FaultConflict
	// FaultDrop closes the connection without answering or applying (an
	// HTTP request only: the envelope of a batch, or a request alone).
	FaultDrop
	// FaultLostResponse applies the HTTP request, then closes the
	// connection without an answer.
	FaultLostResponse
)

func (f Fault) String() string {
	switch f {
	case FaultThrottle:
		return "throttle"
	case FaultUnavailable:
		return "unavailable"
	case FaultLocked:
		return "locked"
	case FaultConflict:
		return "conflict"
	case FaultDrop:
		return "drop"
	case FaultLostResponse:
		return "lost-response"
	}
	return "none"
}

func (f Fault) status() int {
	switch f {
	case FaultThrottle:
		return 429
	case FaultUnavailable:
		return 503
	case FaultLocked:
		return 423
	case FaultConflict:
		return 409
	}
	return 0
}

func (f Fault) apiError() *apiError {
	switch f {
	case FaultThrottle:
		e := errf(429, "TooManyRequests", "Please retry again later.")
		e.retryAfter = 1
		return e
	case FaultUnavailable:
		e := errf(503, "ServiceUnavailable", "The service is temporarily unavailable.")
		e.retryAfter = 1
		return e
	case FaultLocked:
		return errf(423, "resourceLocked", "The resource you are attempting to access is locked.")
	case FaultConflict:
		return errf(409, "EditModeCannotAcquireLock", "The workbook is being edited by another user.")
	}
	return nil
}

// Match selects operations by name: "envelope" for an HTTP request to
// Graph as a whole (alone or a $batch), "batch" for a $batch's envelope,
// else an Op constant. A nil Match selects every operation.
type Match func(op string) bool

// Ops matches the named operations.
func Ops(names ...string) Match { return func(op string) bool { return slices.Contains(names, op) } }

// Envelopes matches HTTP requests as a whole: where FaultDrop and
// FaultLostResponse apply.
func Envelopes(op string) bool { return op == "envelope" || op == "batch" }

type faultRule struct {
	match  Match
	script []Fault
	p      float64
	fault  Fault
}

// FailNext makes the next operations match selects fail with faults, one
// each, in order.
func (s *Server) FailNext(match Match, faults ...Fault) {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	s.faults = append(s.faults, &faultRule{match: match, script: slices.Clone(faults)})
}

// FailRandomly makes each operation match selects fail with fault with
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

// fault returns the fault for op, if any. Drops and lost responses apply
// to envelopes only, statuses to operations and batches.
func (s *Server) fault(op string) Fault {
	s.cfg.Lock()
	defer s.cfg.Unlock()
	for _, r := range s.faults {
		if r.match != nil && !r.match(op) {
			continue
		}
		var f Fault
		if len(r.script) > 0 {
			f = r.script[0]
		} else if r.p > 0 && s.frnd.Float64() < r.p {
			f = r.fault
		} else {
			continue
		}
		envelope := f == FaultDrop || f == FaultLostResponse
		if envelope != Envelopes(op) {
			continue
		}
		if len(r.script) > 0 {
			r.script = r.script[1:]
		}
		s.mu.Lock()
		s.stats.Faults++
		if f == FaultThrottle {
			s.stats.Throttled++
		}
		s.mu.Unlock()
		return f
	}
	return 0
}
