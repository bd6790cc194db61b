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
// writer is crowded, its pushes beyond its share are answered 429 at
// once, and another destination's are served. Without the bound, the
// slow destination's fourth push would wait with the others.
func TestWriterSharesItsConcurrency(t *testing.T) {
	t.Parallel()
	slow := &blocking{release: make(chan struct{}), entered: make(chan struct{}, 10)}
	fast := &blocking{release: make(chan struct{}), entered: make(chan struct{}, 10)}
	close(fast.release)
	// Four requests at once, two destinations: a share of 2, crowded
	// from 3.
	h := &Handler{attempts: 20, hold: newHold(), share: newShare(4, 2), now: time.Now}
	row := queue.Message{Kind: queue.KindRow, Destination: "compta", Table: "Orders", Row: order("1", 1, "paid", "")}
	push := func(id string) queue.Push {
		return queue.Push{Message: queue.PushMessage{MessageID: id, PublishTime: time.Now()}, DeliveryAttempt: 1}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range 3 {
		wg.Go(func() { _, errs[i] = h.row(ctx, slow, push(string(rune('a'+i))), row) })
		<-slow.entered // the writer is not crowded yet: past its share, it is served
	}
	start := time.Now()
	if _, err := h.row(ctx, slow, push("d"), row); !errors.Is(err, errBusy) {
		t.Fatalf("fourth push of the slow destination: error %v, want errBusy", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the refusal took %v, want it at once", d)
	}
	if status, _, _ := answerFor(errBusy); status != 429 {
		t.Errorf("errBusy answers %d, want 429", status)
	}
	if n := h.hold.before("compta", time.Now().Add(time.Minute)); n != 4 {
		t.Errorf("%d rows hold the destination's requests back, want 4 (the refused one too)", n)
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
