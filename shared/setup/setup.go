// Package setup builds a function's handler on its first request, once
// per instance, as both functions (webhook, writer) do: a broken setup
// (a missing secret, a grant not given yet) is answered by the function
// and tried again at most every Retry, so that fixing it needs no
// redeploy, and it never ends the process, so that its log can be read.
package setup

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Once holds what Build made, once it succeeded.
type Once[T any] struct {
	// Retry is how long a failed setup stands before it is tried again.
	Retry time.Duration
	// Build makes the value; Failed, when set, says why it could not.
	Build  func(context.Context) (*T, error)
	Failed func(error)

	v   atomic.Pointer[T]
	mu  sync.Mutex // held while building
	err error
	at  time.Time
}

// Get returns the value, building it if no build succeeded yet and the
// last failure is older than Retry.
func (o *Once[T]) Get() (*T, error) {
	if v := o.v.Load(); v != nil {
		return v, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if v := o.v.Load(); v != nil {
		return v, nil
	}
	if o.err != nil && time.Since(o.at) < o.Retry {
		return nil, o.err
	}
	v, err := o.Build(context.Background())
	o.err, o.at = err, time.Now()
	if err != nil {
		if o.Failed != nil {
			o.Failed(err)
		}
		return nil, err
	}
	o.v.Store(v)
	return v, nil
}

// Reset forgets the value and the last failure (tests).
func (o *Once[T]) Reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.v.Store(nil)
	o.err = nil
}
