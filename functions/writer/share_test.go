package writerfn

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/model"
	"github.com/safeview/safeview/shared/queue"
)

// blocking is a destination whose upserts wait until it is released.
type blocking struct {
	release chan struct{}
	entered chan struct{}
}

func (b *blocking) Upsert(ctx context.Context, _ string, _ model.Row) (model.Result, error) {
	b.entered <- struct{}{}
	select {
	case <-b.release:
		return model.Written, nil
	case <-ctx.Done():
		return "", model.ErrUnavailable
	}
}

func (b *blocking) Apply(context.Context, model.Action, []model.Select) (model.Report, error) {
	return model.Report{}, nil
}

func (b *blocking) Stats() model.Stats { return model.Stats{} }

// A destination past its capacity does not hold the writer: while the
// writer is crowded, the pushes of a destination that is behind are
// answered 429 at once beyond its share, and another destination's are
// served. Without the bound, the slow destination's third push would
// wait with the others.
func TestWriterSharesItsConcurrency(t *testing.T) {
	t.Parallel()
	slow := &blocking{release: make(chan struct{}), entered: make(chan struct{}, 10)}
	fast := &blocking{release: make(chan struct{}), entered: make(chan struct{}, 10)}
	close(fast.release)
	// Four requests at once, two destinations: a share of 2, crowded
	// from 3.
	h := &Handler{attempts: 20, hold: newHold(), share: newShare(4, 2, time.Second), now: time.Now}
	// The slow destination is behind: one of its pushes took 2 s; the
	// other one writes, and has a push in flight.
	h.share.by["compta"], h.share.by[""], h.share.total = 1, 2, 3
	h.share.leave("compta", 2*time.Second, true, time.Now())
	h.share.leave("", time.Millisecond, true, time.Now())
	row := queue.Message{Kind: queue.KindRow, Destination: "compta", Table: "Orders", Row: order("1", 1, "paid", "")}
	push := func(id string) queue.Push {
		return queue.Push{Message: queue.PushMessage{MessageID: id, PublishTime: time.Now()}, DeliveryAttempt: 1}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = h.row(ctx, slow, push(string(rune('a'+i))), row) })
		<-slow.entered // its share: served
	}
	start := time.Now()
	if _, err := h.row(ctx, slow, push("d"), row); !errors.Is(err, errBusy) {
		t.Fatalf("third push of the slow destination: error %v, want errBusy", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the refusal took %v, want it at once", d)
	}
	if status, _, _ := answerFor(errBusy); status != 429 {
		t.Errorf("errBusy answers %d, want 429", status)
	}
	if n := h.hold.before("compta", time.Now().Add(time.Minute)); n != 3 {
		t.Errorf("%d rows hold the destination's requests back, want 3 (the refused one too)", n)
	}
	main := row
	main.Destination = ""
	if res, err := h.row(ctx, fast, push("m"), main); err != nil || res.Result != string(model.Written) {
		t.Errorf("the other destination's push = %+v, %v; want it written while the slow one is busy", res, err)
	}
	close(slow.release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("slow push %d: %v", i, err)
		}
	}
	if _, err := h.row(ctx, slow, push("d"), row); err != nil {
		t.Errorf("the refused push, again once the destination is free: %v", err)
	}
	if n := h.hold.before("compta", time.Now().Add(time.Minute)); n != 0 {
		t.Errorf("%d rows still pending, want 0", n)
	}
}

// A destination that keeps up is never refused, nor one that is behind
// while no other writes (an outage): each refusal spends one of its
// message's attempts.
func TestShareRefusesOnlyWhatIsBehind(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	s := newShare(4, 2, time.Second)
	// main writes, and keeps a push in flight.
	s.enter("main", now, false)
	s.leave("main", time.Millisecond, true, now)
	s.enter("main", now, false)
	for range 3 {
		if !s.enter("compta", now, false) {
			t.Fatal("a destination that keeps up was refused")
		}
	}
	for range 3 {
		s.leave("compta", 500*time.Millisecond, true, now)
	}
	for range 2 {
		s.enter("compta", now, false)
	}
	s.leave("compta", 3*time.Second, false, now) // behind now
	s.enter("compta", now, false)
	s.enter("compta", now, false) // compta 3, main 1: crowded
	if s.enter("compta", now.Add(time.Second), false) {
		t.Error("a destination behind, over its share, in a crowded writer, was let in while another writes")
	}
	if !s.enter("main", now.Add(time.Second), false) {
		t.Error("the destination that writes was refused")
	}
	if !s.enter("compta", now.Add(time.Second), true) {
		t.Error("a push on its message's last attempt was refused: it would be dead-lettered untried")
	}
	if !s.enter("compta", now.Add(lately+time.Second), false) {
		t.Error("a destination behind, while no other wrote lately (an outage), was refused")
	}
}

// A push on its message's last attempt is served, never refused; a panic
// in the destination leaves no push counted.
func TestWriterShareLastAttemptAndPanic(t *testing.T) {
	t.Parallel()
	h := &Handler{attempts: 3, hold: newHold(), share: newShare(4, 2, time.Second), now: time.Now}
	h.share.by["compta"], h.share.by[""], h.share.total = 3, 1, 4
	h.share.behind["compta"], h.share.written[""] = time.Now(), time.Now()
	row := queue.Message{Kind: queue.KindRow, Destination: "compta", Table: "Orders", Row: order("1", 1, "paid", "")}
	push := queue.Push{Message: queue.PushMessage{MessageID: "z", PublishTime: time.Now()}, DeliveryAttempt: 2}
	fast := &blocking{release: make(chan struct{}), entered: make(chan struct{}, 10)}
	close(fast.release)
	if _, err := h.row(t.Context(), fast, push, row); !errors.Is(err, errBusy) {
		t.Fatalf("attempt 2 of 3: error %v, want errBusy", err)
	}
	push.DeliveryAttempt = 3
	if _, err := h.row(t.Context(), fast, push, row); err != nil {
		t.Fatalf("attempt 3 of 3 (the last): error %v, want it written", err)
	}
	func() {
		defer func() { _ = recover() }()
		_, _ = h.row(t.Context(), &panicking{}, push, row)
	}()
	if h.share.by["compta"] != 3 || h.share.total != 4 {
		t.Errorf("after a panic: compta %d, total %d in flight; want 3 and 4 as before", h.share.by["compta"], h.share.total)
	}
}

type panicking struct{ blocking }

func (*panicking) Upsert(context.Context, string, model.Row) (model.Result, error) { panic("boom") }
