// Package chaos proves that a crash loses nothing and doubles nothing:
// it runs the Sheets emulator (scripts/sheets-emulator) and the function
// (scripts/dev against that emulator) as two processes, sends signed
// deliveries as a platform does (a delivery not answered 2xx is retried,
// with backoff, up to a number of times), kills the function with SIGKILL
// at random moments and restarts it, then reads the spreadsheet: every
// order must be there once, at the newest version sent. Optionally the
// emulator fails a share of the Sheets requests (429, 500, answers lost
// after the write landed).
//
// The function answers 2xx only once the row is written, so a delivery
// in flight when the function dies is answered by nobody and retried by
// the platform; this package checks it end to end. scripts/chaos runs it
// by hand; its test runs it in CI with fewer deliveries.
package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/safeview/safeview/scripts/internal/demo"
	"github.com/safeview/safeview/scripts/internal/localstack"
	"github.com/safeview/safeview/shared/gsheets"
)

// Options shape one run.
type Options struct {
	// Deliveries is how many deliveries are sent (each order's versions,
	// in order but for some swapped neighbours).
	Deliveries int
	// Rate is how many deliveries start each second.
	Rate float64
	// Kills is how many times the function is killed (SIGKILL) and
	// restarted, at random moments while deliveries are sent.
	Kills int
	// FaultRate is the share of Sheets requests that fail, split evenly
	// between 429, 500 and a response lost after the write landed.
	FaultRate float64
	// Retries is how many times a delivery not answered 2xx is sent again.
	Retries int
	// Seed makes the orders, the reordering and the kill moments
	// repeatable; 0 picks one.
	Seed uint64
	// Bin holds the binaries dev and sheets-emulator (see Build).
	Bin string
	// Dir receives the processes' logs.
	Dir string
	// Progress, when set, receives a line per event of the run.
	Progress io.Writer
}

// Report is what a run found.
type Report struct {
	Seed                 uint64
	Deliveries, Orders   int
	Attempts             int // HTTP requests sent, retries included
	Refused              int // attempts answered non-2xx or unanswered
	GaveUp               int // deliveries never answered 2xx after every retry
	Kills                int
	Rows                 int      // rows in the Orders tab
	Missing, Doubled     []string // order ids
	Older                []string // order ids whose row is not the newest version
	Statuses             map[string]int
	Sending, Duration    time.Duration
	ReadyAfterKill       []time.Duration // how long each restart took to accept
	FunctionLog, EmuLogs string          // paths
}

// Err says what the report proves wrong, nil when every order is there
// once at its newest version.
func (r Report) Err() error {
	var errs []error
	if r.GaveUp > 0 {
		errs = append(errs, fmt.Errorf("%d deliveries never answered 2xx after every retry", r.GaveUp))
	}
	for _, c := range []struct {
		what string
		ids  []string
	}{{"missing", r.Missing}, {"doubled", r.Doubled}, {"not at their newest version", r.Older}} {
		if len(c.ids) > 0 {
			errs = append(errs, fmt.Errorf("%d orders %s: %s", len(c.ids), c.what, strings.Join(c.ids[:min(10, len(c.ids))], ", ")))
		}
	}
	return errors.Join(errs...)
}

// String is the report in a few lines.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: %d deliveries of %d orders, %d attempts (%d refused or unanswered), %d killed and restarted, %d gave up\n",
		r.Seed, r.Deliveries, r.Orders, r.Attempts, r.Refused, r.Kills, r.GaveUp)
	fmt.Fprintf(&b, "answers: %v; restarts accepted after %v\n", r.Statuses, r.ReadyAfterKill)
	fmt.Fprintf(&b, "sheet: %d rows; %d missing, %d doubled, %d older than sent; sending took %v, all %v",
		r.Rows, len(r.Missing), len(r.Doubled), len(r.Older), r.Sending.Round(time.Millisecond), r.Duration.Round(time.Millisecond))
	return b.String()
}

// Build builds the binaries dev and sheets-emulator into dir. Never with
// -race, even under go test -race: a race-instrumented function starts
// several times slower on a loaded machine, and what the run checks is
// the sheet, not the function's memory (its packages' own tests run with
// -race); go vet has usually compiled the packages already.
func Build(ctx context.Context, dir string) error {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	cmd := exec.CommandContext(ctx, "go", append(args, "./scripts/dev", "./scripts/sheets-emulator")...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, b)
	}
	return nil
}

// delivery is one delivery of one order's version.
type delivery struct {
	order   string
	version time.Time
}

// Run runs the emulator and the function, sends, kills, restarts, and
// reads the spreadsheet.
func Run(ctx context.Context, o Options) (Report, error) {
	start := time.Now()
	if o.Seed == 0 {
		o.Seed = rand.Uint64()
	}
	if o.Rate <= 0 {
		o.Rate = 100
	}
	rep := Report{Seed: o.Seed, Deliveries: o.Deliveries, Statuses: map[string]int{}}
	rng := rand.New(rand.NewPCG(o.Seed, 13))
	say := func(format string, a ...any) {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, format+"\n", a...)
		}
	}

	third := strconv.FormatFloat(o.FaultRate/3, 'f', -1, 64)
	emuLog := filepath.Join(o.Dir, "sheets-emulator.log")
	emu, line, err := startProcess(ctx, filepath.Join(o.Bin, "sheets-emulator"), emuLog,
		"-addr", "127.0.0.1:0", "-rate429", third, "-rate500", third, "-rate-lost", third)
	if err != nil {
		return rep, err
	}
	defer stop(emu)
	var ready localstack.EmulatorReady
	if err := json.Unmarshal([]byte(line), &ready); err != nil {
		return rep, fmt.Errorf("sheets-emulator READY: %w", err)
	}

	port, err := freePort()
	if err != nil {
		return rep, err
	}
	fn := &function{bin: filepath.Join(o.Bin, "dev"), log: filepath.Join(o.Dir, "function.log"),
		args: []string{"-addr", "127.0.0.1:" + port, "-sheets-endpoint", ready.SheetsEndpoint, "-spreadsheet", ready.SpreadsheetID}}
	rep.FunctionLog, rep.EmuLogs = fn.log, emuLog
	if err := fn.start(ctx); err != nil {
		return rep, err
	}
	defer func() { stop(fn.current()) }()
	say("emulator %s (faults %.0f%%), function %s", ready.SheetsEndpoint, 100*o.FaultRate, fn.ready.WebhookBase)

	plan, newest := schedule(rng, o.Deliveries)
	rep.Orders = len(newest)
	sending := time.Duration(float64(len(plan)) / o.Rate * float64(time.Second))
	kills := make([]time.Duration, o.Kills)
	for i := range kills {
		kills[i] = sending/10 + time.Duration(rng.Int64N(int64(sending*8/10)+1))
	}
	slices.Sort(kills)

	var attempts, refused, gaveUp atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 15 * time.Second}
	t0 := time.Now()
	killDone := make(chan error, 1)
	go func() {
		for _, at := range kills {
			time.Sleep(time.Until(t0.Add(at)))
			took, err := fn.restart(ctx)
			if err != nil {
				killDone <- err
				return
			}
			mu.Lock()
			rep.Kills++
			rep.ReadyAfterKill = append(rep.ReadyAfterKill, took.Round(time.Millisecond))
			mu.Unlock()
			say("killed the function at %v; it accepted again %v later", at.Round(time.Millisecond), took.Round(time.Millisecond))
		}
		killDone <- nil
	}()
	tick := time.Duration(float64(time.Second) / o.Rate)
	for i, d := range plan {
		time.Sleep(time.Until(t0.Add(time.Duration(i) * tick)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			seed := rng2(o.Seed, i)
			ok := false
			for try := 0; try <= o.Retries && !ok; try++ {
				if try > 0 {
					// A platform's backoff, scaled down from hours to
					// seconds: 0.5 s doubling to 8 s, 40 s in all, so that
					// a restart slowed by a loaded machine is waited for.
					b := min(500*time.Millisecond<<(try-1), 8*time.Second)
					time.Sleep(b/2 + time.Duration(seed.Int64N(int64(b/2)+1)))
				}
				attempts.Add(1)
				status, err := post(ctx, client, fn.base(), d)
				key := strconv.Itoa(status)
				if err != nil {
					key = "no answer"
				}
				mu.Lock()
				rep.Statuses[key]++
				mu.Unlock()
				ok = err == nil && status/100 == 2
				if !ok {
					refused.Add(1)
				}
			}
			if !ok {
				gaveUp.Add(1)
			}
		}()
	}
	rep.Sending = time.Since(t0)
	wg.Wait()
	if err := <-killDone; err != nil {
		return rep, err
	}
	rep.Attempts, rep.Refused, rep.GaveUp = int(attempts.Load()), int(refused.Load()), int(gaveUp.Load())
	say("every delivery answered or given up after %v; reading the sheet", time.Since(t0).Round(time.Millisecond))

	// The faults would get in the way of reading the result.
	if err := setFaults(ctx, ready.SheetsEndpoint, "{}"); err != nil {
		return rep, err
	}
	if err := check(ctx, ready, newest, &rep); err != nil {
		return rep, err
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// rng2 is the random source of one delivery's backoff.
func rng2(seed uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(i)+1000))
}

// schedule makes n deliveries: orders of 1 to 4 versions each, every
// order's versions in order, orders interleaved, and a tenth of the
// neighbours swapped (a platform's retries and parallel workers reorder
// deliveries). It returns the newest version of each order.
func schedule(rng *rand.Rand, n int) ([]delivery, map[string]time.Time) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var plan []delivery
	newest := map[string]time.Time{}
	type pending struct {
		id   string
		left int
		v    int
	}
	var open []*pending
	next := 0
	for len(plan) < n {
		if len(open) < 8 || rng.IntN(3) == 0 {
			next++
			open = append(open, &pending{id: strconv.Itoa(7_000_000 + next), left: 1 + rng.IntN(4)})
		}
		i := rng.IntN(len(open))
		p := open[i]
		p.v++
		at := t0.Add(time.Duration(next)*time.Hour + time.Duration(p.v)*time.Minute)
		plan = append(plan, delivery{order: p.id, version: at})
		newest[p.id] = at
		if p.left--; p.left == 0 {
			open = slices.Delete(open, i, i+1)
		}
	}
	for i := 0; i+1 < len(plan); i++ {
		if rng.IntN(10) == 0 {
			plan[i], plan[i+1] = plan[i+1], plan[i]
		}
	}
	return plan, newest
}

// post sends one delivery, signed as Shopify signs it.
func post(ctx context.Context, c *http.Client, base string, d delivery) (int, error) {
	s, err := demo.BuiltIn("shopify", demo.SampleOptions{OrderID: d.order, Updated: d.version, Status: "paid", Topic: "orders/updated"})
	if err != nil {
		return 0, err
	}
	if err := demo.Sign("shopify", demo.Secret("shopify"), "", &s); err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/shopify", bytes.NewReader(s.Body))
	if err != nil {
		return 0, err
	}
	req.Header = s.Header
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// check reads the Orders tab and compares it with what was sent.
func check(ctx context.Context, ready localstack.EmulatorReady, newest map[string]time.Time, rep *Report) error {
	svc, err := sheets.NewService(ctx, option.WithEndpoint(ready.SheetsEndpoint), option.WithoutAuthentication())
	if err != nil {
		return err
	}
	vr, err := svc.Spreadsheets.Values.Get(ready.SpreadsheetID, "Orders").Context(ctx).Do()
	if err != nil {
		return fmt.Errorf("read the sheet: %w", err)
	}
	if len(vr.Values) == 0 {
		return errors.New("the Orders tab is empty")
	}
	keyCol, verCol := -1, -1
	for i, h := range vr.Values[0] {
		switch fmt.Sprint(h) {
		case "order_id":
			keyCol = i
		case gsheets.VersionHeader:
			verCol = i
		}
	}
	if keyCol < 0 || verCol < 0 {
		return fmt.Errorf("the Orders tab's header %v lacks order_id or %s", vr.Values[0], gsheets.VersionHeader)
	}
	seen := map[string]int{}
	for _, r := range vr.Values[1:] {
		if len(r) <= max(keyCol, verCol) {
			continue
		}
		id := fmt.Sprint(r[keyCol])
		if id == "" {
			continue
		}
		rep.Rows++
		seen[id]++
		want, ok := newest[id]
		if ok && fmt.Sprint(r[verCol]) != "shopify:"+strconv.FormatInt(want.UnixMicro(), 10) {
			rep.Older = append(rep.Older, id)
		}
	}
	for id := range newest {
		switch n := seen[id]; {
		case n == 0:
			rep.Missing = append(rep.Missing, id)
		case n > 1:
			rep.Doubled = append(rep.Doubled, id)
		}
	}
	slices.Sort(rep.Missing)
	slices.Sort(rep.Doubled)
	slices.Sort(rep.Older)
	return nil
}

func setFaults(ctx context.Context, endpoint, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+strings.TrimPrefix(localstack.AdminPath, "/"), strings.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("set the emulator's faults: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("set the emulator's faults: %s", resp.Status)
	}
	return nil
}

// function is the function's process, restarted after each kill on the
// same address.
type function struct {
	bin, log string
	args     []string

	mu    sync.Mutex
	proc  *proc
	ready localstack.Ready
}

func (f *function) current() *proc {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.proc
}

func (f *function) base() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ready.WebhookBase
}

func (f *function) start(ctx context.Context) error {
	p, line, err := startProcess(ctx, f.bin, f.log, f.args...)
	if err != nil {
		return err
	}
	var ready localstack.Ready
	if err := json.Unmarshal([]byte(line), &ready); err != nil {
		stop(p)
		return fmt.Errorf("dev READY: %w", err)
	}
	f.mu.Lock()
	f.proc, f.ready = p, ready
	f.mu.Unlock()
	return nil
}

// restart kills the function with SIGKILL, as an out-of-memory kill or a
// crash would end it, and starts it again; it returns how long the
// function was gone.
func (f *function) restart(ctx context.Context) (time.Duration, error) {
	p := f.current()
	t := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return 0, err
	}
	<-p.done
	if err := f.start(ctx); err != nil {
		return 0, fmt.Errorf("restart the function: %w", err)
	}
	return time.Since(t), nil
}

// proc is a process this package started.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once it has exited
}

// readyWriter is a process's stdout: it hands over the first READY line.
type readyWriter struct {
	buf   []byte
	ready chan string
	sent  bool
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		if l, ok := strings.CutPrefix(line, "READY "); ok && !w.sent {
			w.sent = true
			w.ready <- l
		}
	}
}

// startProcess starts a binary, its stderr appended to logPath, and
// returns once it printed its READY line (the JSON after "READY ").
func startProcess(ctx context.Context, bin, logPath string, args ...string) (*proc, string, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, "", err
	}
	rw := &readyWriter{ready: make(chan string, 1)}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = rw, logf
	// Temporary files (a configuration copy) go where the logs are: a
	// killed process leaves them behind.
	cmd.Env = append(os.Environ(), "TMPDIR="+filepath.Dir(logPath))
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, "", err
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	select {
	case l := <-rw.ready:
		return p, l, nil
	case <-p.done:
		return nil, "", fmt.Errorf("%s exited before READY: see %s", filepath.Base(bin), logPath)
	case <-time.After(60 * time.Second):
		stop(p)
		return nil, "", fmt.Errorf("%s printed no READY line within a minute: see %s", filepath.Base(bin), logPath)
	case <-ctx.Done():
		stop(p)
		return nil, "", ctx.Err()
	}
}

// stop kills a process this package started, and waits for its end.
func stop(p *proc) {
	if p == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}
