package excel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBatch is Graph's limit of requests in one $batch.
const maxBatch = 20

// call is one request to Graph: alone, or one of a $batch.
type call struct {
	method string
	url    string // below the endpoint, e.g. /drives/…/workbook/tables
	body   any
	// after, when set, makes the request depend on the one before it in
	// the same $batch: Graph runs it after that one, and not at all (424)
	// when that one failed.
	after bool
}

// reply is Graph's answer to one call.
type reply struct {
	status     int
	code       string // Graph's error code, never its message
	retryAfter time.Duration
	body       json.RawMessage
}

func (r reply) ok() bool { return r.status >= 200 && r.status < 300 }

// callError is a failed call: the HTTP status and Graph's error code only,
// since Graph's messages may quote a request, and so a cell.
type callError struct {
	what       string
	status     int // 0: no answer (a lost connection or a timeout)
	code       string
	retryAfter time.Duration
}

func (e *callError) Error() string {
	if e.status == 0 {
		return e.what + ": no answer"
	}
	s := fmt.Sprintf("%s: HTTP %d %s", e.what, e.status, http.StatusText(e.status))
	if e.code != "" {
		s += " (" + e.code + ")"
	}
	return s
}

// Is makes a lost answer match context.DeadlineExceeded.
func (e *callError) Is(target error) bool {
	return e.status == 0 && target == context.DeadlineExceeded
}

func (r reply) err(what string) error {
	return &callError{what: what, status: r.status, code: r.code, retryAfter: r.retryAfter}
}

// graph is a client of Graph's REST API.
type graph struct {
	hc       *http.Client
	endpoint string // https://graph.microsoft.com/v1.0
}

// do sends one request.
func (g *graph) do(ctx context.Context, session string, c call) (reply, error) {
	var body io.Reader
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			return reply{}, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, g.endpoint+c.url, body)
	if err != nil {
		return reply{}, err
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if session != "" {
		req.Header.Set(sessionHeader, session)
	}
	resp, err := g.hc.Do(req)
	var te *tokenError
	if errors.As(err, &te) {
		return reply{}, te
	}
	if err != nil {
		return reply{}, &callError{what: c.method + " " + opName(c.url), status: 0}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return reply{}, &callError{what: c.method + " " + opName(c.url), status: 0}
	}
	r := reply{status: resp.StatusCode, body: b, retryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	if !r.ok() {
		r.code = errorCode(b)
	}
	return r, nil
}

// batch sends calls as $batch requests of at most maxBatch each, one
// after the other, and returns every reply in order. A call whose batch
// could not be sent, or whose answer was lost, gets an error: the calls
// before it were answered, those from it on were not. Within a batch, a
// call marked after runs after the one before it (dependsOn).
func (g *graph) batch(ctx context.Context, session string, calls []call) ([]reply, error) {
	var out []reply
	for start := 0; start < len(calls); start += maxBatch {
		end := min(start+maxBatch, len(calls))
		if start > 0 && calls[start].after && !out[start-1].ok() {
			// The chain broke in the batch before: what depends on it is
			// not sent, as Graph would not run it (424).
			for range calls[start:] {
				out = append(out, reply{status: http.StatusFailedDependency})
			}
			return out, nil
		}
		rs, err := g.batchOnce(ctx, session, calls[start:end], start)
		if err != nil {
			return out, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

type batchRequest struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      any               `json:"body,omitempty"`
	DependsOn []string          `json:"dependsOn,omitempty"`
}

func (g *graph) batchOnce(ctx context.Context, session string, calls []call, offset int) ([]reply, error) {
	reqs := make([]batchRequest, len(calls))
	for i, c := range calls {
		r := batchRequest{ID: strconv.Itoa(offset + i + 1), Method: c.method, URL: c.url, Body: c.body, Headers: map[string]string{}}
		if c.body != nil {
			r.Headers["Content-Type"] = "application/json"
		}
		if session != "" {
			r.Headers[sessionHeader] = session
		}
		if c.after && i > 0 {
			r.DependsOn = []string{reqs[i-1].ID}
		}
		reqs[i] = r
	}
	env, err := g.do(ctx, "", call{method: http.MethodPost, url: "/$batch", body: map[string]any{"requests": reqs}})
	if err != nil {
		return nil, err
	}
	if !env.ok() {
		return nil, env.err("$batch")
	}
	var in struct {
		Responses []struct {
			ID      string            `json:"id"`
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(env.body, &in); err != nil {
		return nil, &callError{what: "$batch: unreadable answer", status: env.status}
	}
	out := make([]reply, len(calls))
	found := 0
	for _, r := range in.Responses {
		i, err := strconv.Atoi(r.ID)
		i -= offset + 1
		if err != nil || i < 0 || i >= len(calls) {
			continue
		}
		found++
		rp := reply{status: r.Status, body: r.Body}
		for k, v := range r.Headers {
			if strings.EqualFold(k, "Retry-After") {
				rp.retryAfter = retryAfter(v)
			}
		}
		if !rp.ok() {
			rp.code = errorCode(r.Body)
		}
		out[i] = rp
	}
	if found != len(calls) {
		return nil, &callError{what: "$batch: answers missing", status: env.status}
	}
	return out, nil
}

// retryAfter reads a Retry-After header in seconds (Graph sends
// fractions too); 0 when absent.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	f, err := strconv.ParseFloat(h, 64)
	if err != nil || f < 0 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

func errorCode(b []byte) string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	return e.Error.Code
}

// opName names a URL's operation for errors, without its ids: the last path
// segment.
func opName(u string) string {
	u, _, _ = strings.Cut(u, "?")
	if i := strings.LastIndex(u, "/"); i >= 0 {
		u = u[i+1:]
	}
	if i := strings.Index(u, "("); i >= 0 {
		u = u[:i]
	}
	return u
}

// statusOf returns a failure's HTTP status, 0 for no answer.
func statusOf(err error) (int, bool) {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.status, true
	}
	return 0, false
}

// retryable reports whether a failure may pass by itself: throttling,
// server errors, a person holding the workbook (409, 423), lost answers
// and timeouts.
func retryable(err error) bool {
	code, ok := statusOf(err)
	if !ok {
		return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errMoved)
	}
	return code == 0 || code == http.StatusTooManyRequests || code >= 500 || code == http.StatusConflict || code == http.StatusLocked
}

// waitOf is how long Graph asked to wait before the next try.
func waitOf(err error) time.Duration {
	var ce *callError
	if errors.As(err, &ce) {
		return ce.retryAfter
	}
	return 0
}

const sessionHeader = "workbook-session-id"
