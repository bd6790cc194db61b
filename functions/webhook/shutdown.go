package webhookfn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/model"
)

// Cloud Run, under Cloud Functions gen2, sends SIGTERM and gives an
// instance 10 seconds before SIGKILL. The functions framework's own main
// serves without a graceful shutdown, so the function handles SIGTERM
// itself: see Handler.Shutdown.
const (
	// StopBudget is how long a stopping instance lets the requests in
	// progress finish, inside Cloud Run's 10 seconds.
	StopBudget = 8 * time.Second
	// stopGrace is how long, after the budget, the requests still in
	// progress have to answer 503 and the writes in flight to land.
	stopGrace = time.Second
)

// errShuttingDown answers a request that arrives while the instance
// stops: the platform retries, and another instance (or this one,
// restarted) takes it.
var errShuttingDown = errors.New("shutting down")

// stopper counts the requests in progress and refuses new ones once the
// instance stops. Its zero value accepts.
type stopper struct {
	mu       sync.Mutex
	stopping bool
	n        int
	idle     chan struct{} // closed when stopping and n reaches 0
	// abort ends when the budget is spent, and with it every request's
	// context.
	abort  context.Context
	cutAll context.CancelFunc
}

// init makes the abort context; the caller holds s.mu.
func (s *stopper) init() {
	if s.abort == nil {
		s.abort, s.cutAll = context.WithCancel(context.Background())
	}
}

// enter admits a request, with a context that also ends when the stop's
// budget is spent, and the func to call when it is answered; false once
// the instance stops.
func (s *stopper) enter(ctx context.Context) (context.Context, func(), bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return ctx, func() {}, false
	}
	s.init()
	s.n++
	ctx, cancel := context.WithCancel(ctx)
	unhook := context.AfterFunc(s.abort, cancel)
	return ctx, func() {
		unhook()
		cancel()
		s.mu.Lock()
		defer s.mu.Unlock()
		s.n--
		if s.stopping && s.n == 0 {
			close(s.idle)
		}
	}, true
}

// stop refuses new requests from now on and returns a channel closed
// once none is in progress.
func (s *stopper) stop() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopping {
		s.stopping = true
		s.idle = make(chan struct{})
		s.init()
		if s.n == 0 {
			close(s.idle)
		}
	}
	return s.idle
}

// cut ends the contexts of the requests in progress: their writes are
// answered 503 at once.
func (s *stopper) cut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.cutAll()
}

// explain says "shutting down" for a write the stop cut short.
func (s *stopper) explain(err error) error {
	s.mu.Lock()
	stopping := s.stopping
	s.mu.Unlock()
	if stopping && errors.Is(err, model.ErrUnavailable) {
		return fmt.Errorf("%w: %w", errShuttingDown, err)
	}
	return err
}

// Shutdown stops the instance's work within ctx: new requests are
// answered 503 "shutting down" (with Retry-After), the requests in
// progress finish (the flush in progress and the rows queued behind it
// are written), and when ctx ends first, what is still in progress is
// answered 503, which the platform retries. It returns once every
// request is answered and the destinations are idle, or after a short
// grace; the error says what was cut.
func (h *Handler) Shutdown(ctx context.Context) error {
	idle := h.stop.stop()
	var cutErr error
	select {
	case <-idle:
	case <-ctx.Done():
		cutErr = ctx.Err()
		h.stop.cut()
		grace, cancel := context.WithTimeout(context.Background(), stopGrace)
		defer cancel()
		select {
		case <-idle:
		case <-grace.Done():
		}
		ctx = grace
	}
	return errors.Join(cutErr, h.view.Close(ctx))
}

// Hooks of the SIGTERM watcher, replaced by tests.
var (
	stopSignals = func() <-chan os.Signal {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		return c
	}
	exit = os.Exit
)

var watchOnce sync.Once

// watchStop has the instance stop as Shutdown says on SIGTERM, then exit:
// set up once, with the handler of the instance.
func watchStop(h *Handler) {
	watchOnce.Do(func() {
		c := stopSignals()
		go func() {
			<-c
			log := logging.Default()
			log.Info("SIGTERM: stopping; new requests get 503", "budget_ms", StopBudget.Milliseconds())
			ctx, cancel := context.WithTimeout(context.Background(), StopBudget)
			defer cancel()
			start := time.Now()
			if err := h.Shutdown(ctx); err != nil {
				log.Warn("stopped; what could not finish was answered 503", "duration_ms", time.Since(start).Milliseconds(), logging.KeyError, err.Error())
			} else {
				log.Info("stopped; every request answered", "duration_ms", time.Since(start).Milliseconds())
			}
			exit(0)
		}()
	})
}
