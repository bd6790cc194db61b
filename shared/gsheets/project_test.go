package gsheets

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/gsheetstest"
	"github.com/safeview/safeview/shared/model"
)

// Sinks that share a project are paced, all together, under the
// project's rate, each under its own, and each gets its share.
func TestProjectPacesSinksTogether(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 5, 10, 20} {
		t.Run(fmt.Sprintf("%d sinks", n), func(t *testing.T) {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			shared := newLimiter(DefaultProjectRequestsPerMinute, projectBurst, clock)
			pacers := make([]pacer, n)
			next := make([]time.Time, n) // when each sink asks for its next token
			sent := make([][]time.Time, n)
			for i := range pacers {
				pacers[i] = pacer{own: newLimiter(DefaultWriteRequestsPerMinute, writeBurst, clock), shared: shared}
				next[i] = now
			}
			end := now.Add(10 * time.Minute)
			for {
				// The sink whose flusher asks next, as a flusher asks again
				// as soon as its flush went.
				i := 0
				for j := range next {
					if next[j].Before(next[i]) {
						i = j
					}
				}
				if !next[i].Before(end) {
					break
				}
				now = next[i]
				at := now.Add(pacers[i].reserve())
				sent[i] = append(sent[i], at)
				next[i] = at
			}
			var all []time.Time
			for i, s := range sent {
				all = append(all, s...)
				if most := gsheetstest.Busiest(s, time.Minute); most > DefaultWriteRequestsPerMinute+writeBurst {
					t.Errorf("sink %d sent %d requests in 60 s, want at most %d", i, most, DefaultWriteRequestsPerMinute+writeBurst)
				}
			}
			if most := gsheetstest.Busiest(all, time.Minute); most > DefaultProjectRequestsPerMinute+projectBurst {
				t.Errorf("the project sent %d requests in 60 s, want at most %d", most, DefaultProjectRequestsPerMinute+projectBurst)
			}
			// Each sink's share over ten minutes: its own rate, or an equal
			// part of the project's when those add up to more.
			share := min(float64(DefaultWriteRequestsPerMinute), float64(DefaultProjectRequestsPerMinute)/float64(n))
			for i, s := range sent {
				if rate := float64(len(s)) / 10; rate < 0.95*share || rate > 1.05*share+1 {
					t.Errorf("sink %d sent %.1f requests a minute, want about %.1f", i, rate, share)
				}
			}
		})
	}
}

// A token reserved from both buckets and given back is the next one of
// both: a flush that wrote nothing costs the project nothing either.
func TestProjectTokensGoBack(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	shared := newLimiter(60, 1, clock)
	a := pacer{own: newLimiter(60, 1, clock), shared: shared}
	b := pacer{own: newLimiter(60, 1, clock), shared: shared}
	if d := a.reserve(); d != 0 {
		t.Fatalf("first reserve() = %v, want 0", d)
	}
	if d := b.reserve(); d != time.Second {
		t.Fatalf("b.reserve() after a's = %v, want 1s: the project's next token", d)
	}
	b.cancel()
	a.cancel()
	if d := b.reserve(); d != 0 {
		t.Errorf("b.reserve() after both gave back = %v, want 0", d)
	}
}

// Through the real client against the emulator: several sinks, each
// writing as its own service account, under one Project. No account
// sends more than its rate allows in any window, and neither does the
// project; without the Project the same sinks send several times the
// project's rate.
func TestProjectPacesRealSinks(t *testing.T) {
	t.Parallel()
	const (
		sinks    = 4
		perSink  = 600 // a minute: one every 100 ms
		project  = 900 // a minute: one every 67 ms, less than the sinks' 2,400
		runFor   = 1500 * time.Millisecond
		window   = time.Second
		slackReq = 1 // a request's arrival may be a little late, the next one not
	)
	run := func(p *Project) (map[string][]time.Time, []time.Time) {
		var mu sync.Mutex
		byUser := map[string][]time.Time{}
		var all []time.Time
		stopped := false // a flush sent as the run ended arrives after it: not counted
		emu := gsheetstest.NewServer(t, gsheetstest.WithCallHook(func(c gsheetstest.Call) {
			mu.Lock()
			defer mu.Unlock()
			if stopped {
				return
			}
			byUser[c.User] = append(byUser[c.User], c.At)
			all = append(all, c.At)
		}))
		ctx, cancel := context.WithTimeout(context.Background(), runFor)
		defer cancel()
		var wg sync.WaitGroup
		for i := range sinks {
			svc, err := emu.ServiceAs(context.Background(), "account-"+strconv.Itoa(i))
			if err != nil {
				t.Fatal(err)
			}
			opt := testOptions()
			opt.WriteRequestsPerMinute, opt.ReadRequestsPerMinute, opt.Project = perSink, perSink, p
			s, err := New(svc, emu.CreateSpreadsheet("dest", "Orders"), []model.Table{{Tab: "Orders", Headers: headers, Key: "order_id"}}, opt)
			if err != nil {
				t.Fatal(err)
			}
			for w := range 8 { // concurrent deliveries, new orders all along
				wg.Go(func() {
					for n := 0; ctx.Err() == nil; n++ {
						r := model.Row{Source: "shop", Key: fmt.Sprintf("%d-%d", w, n), Version: 1, Cells: []model.Cell{{Text: fmt.Sprintf("%d-%d", w, n)}, {Text: "paid"}, {Number: "1"}}, Insert: true, Update: true}
						_, _ = s.Upsert(ctx, "Orders", r)
					}
				})
			}
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		return byUser, all
	}

	byUser, all := run(NewProject(project, project))
	// Reads and writes each under their rates: at most twice the rate
	// plus the bursts, counting both.
	ownMax := 2*(perSink*int(window/time.Second)/60+readBurst) + slackReq
	for u, ts := range byUser {
		if most := gsheetstest.Busiest(ts, window); most > ownMax {
			t.Errorf("account %q sent %d requests in %s, want at most %d", u, most, window, ownMax)
		}
	}
	projectMax := 2*(project*int(window/time.Second)/60+projectBurst) + slackReq
	if most := gsheetstest.Busiest(all, window); most > projectMax {
		t.Errorf("the project received %d requests in %s, want at most %d", most, window, projectMax)
	}
	if len(byUser) != sinks {
		t.Errorf("requests came from %d accounts, want %d", len(byUser), sinks)
	}

	// The control: without the Project the same sinks send more than the
	// project's rate, so the bound above is the Project's doing. On a
	// machine too loaded to send that many requests at all (a load of 35
	// on 2 vCPUs was seen), the control shows nothing either way: it is
	// reported, not failed, and the bounds above still hold.
	_, unpaced := run(nil)
	if most := gsheetstest.Busiest(unpaced, window); most <= projectMax {
		t.Logf("without a Project the sinks sent only %d requests in %s (the bound is %d): the machine is too busy for the control to show the Project's effect", most, window, projectMax)
	}
}
