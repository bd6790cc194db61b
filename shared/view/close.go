package view

import (
	"context"
	"errors"
	"fmt"
)

// Closer is a destination that can be closed: it stops taking rows (they
// get an error wrapping model.ErrUnavailable), finishes what is queued
// and in flight, and returns once idle or when ctx ends, having answered
// what it could not finish with an error the platform retries. A
// destination that holds nothing in memory need not implement it.
type Closer interface {
	Close(ctx context.Context) error
}

// Close closes every destination that is a Closer, all at once, within
// ctx: an instance that is stopping (SIGTERM) finishes its writes, and
// answers 503 to what it cannot finish.
func (v *View) Close(ctx context.Context) error {
	errs := make([]error, len(v.targets))
	done := make(chan struct{})
	n := 0
	for i, tg := range v.targets {
		c, ok := tg.dest.(Closer)
		if !ok {
			continue
		}
		n++
		go func() {
			defer func() { done <- struct{}{} }()
			if err := c.Close(ctx); err != nil {
				name := tg.name
				if name == "" {
					name = "main spreadsheet"
				}
				errs[i] = fmt.Errorf("close %s: %w", name, err)
			}
		}()
	}
	for range n {
		<-done
	}
	return errors.Join(errs...)
}
