package webhookfn

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/logging"
	"github.com/safeview/safeview/shared/pubsubtest"
	"github.com/safeview/safeview/shared/queue"
	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/webhook"
)

// The canary proof in queued mode: every case's delivery goes through the
// real handler publishing to Pub/Sub's fake server with the real client,
// and every message the topic then holds is read, data and attributes:
// no canary may be there, nor in the log or the answer.
func TestCanariesQueued(t *testing.T) {
	t.Parallel()
	ps, err := pubsubtest.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ps.Close)
	for i, cc := range canaryCases {
		t.Run(cc.platform+"/"+cc.fixture[strings.LastIndex(cc.fixture, "/")+1:], func(t *testing.T) {
			for _, l := range runCanaryQueued(t, ps, "canary-"+string(rune('a'+i%26))+strings.Repeat("x", i/26), cc) {
				t.Errorf("canary %d (planted at %s) leaked into a %s as %s: %q", l.canary.id, l.canary.where, l.place, l.form, l.canary.value)
			}
		})
	}
}

// The control: a canary planted where no privacy rule applies reaches the
// published message, so the harness above would see a leak.
func TestCanaryQueuedHarnessSeesALeak(t *testing.T) {
	t.Parallel()
	ps, err := pubsubtest.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ps.Close)
	cc := canaryCases[0]
	cc.control = []string{"source_name"}
	for _, l := range runCanaryQueued(t, ps, "control", cc) {
		if l.canary.where == "source_name" && l.place == "published message" {
			return
		}
	}
	t.Error("the control canary was not found in the published message")
}

// runCanaryQueued plants a case's canaries, delivers it in queued mode to
// its own topic, and returns every leak.
func runCanaryQueued(t *testing.T, ps *pubsubtest.Server, topic string, cc canaryCase) []leak {
	t.Helper()
	cfg, src, c, body := plantCanaries(t, cc)
	cfg.Mode = config.ModeQueued
	if err := ps.CreateTopic(t.Context(), topic); err != nil {
		t.Fatal(err)
	}
	pub := ps.Client.Publisher(topic)
	t.Cleanup(pub.Stop)
	scheme, err := src.SchemeOf()
	if err != nil {
		t.Fatal(err)
	}
	secret := canarySecret(scheme)
	var logs bytes.Buffer
	h, err := New(t.Context(), Deps{Config: cfg, Secrets: secrets.Map{"ws": {secret}, "pk": {strings.Repeat("p", 32)}},
		Topic: pub, Logger: logging.New(&logs, slog.LevelDebug)})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := webhook.Sign(scheme, secret, body, src.WebhookOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/src?"+signed.Query.Encode(), bytes.NewReader(body))
	req.Header = cc.headers.Clone()
	for k, v := range signed.Header {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	resp, _ := io.ReadAll(w.Result().Body)
	if w.Code != http.StatusOK || !strings.Contains(string(resp), `"result":"queued"`) {
		t.Fatalf("delivery = %d %s, want 200 queued\n%s", w.Code, resp, logs.String())
	}
	places := map[string][]string{"response body": {string(resp)}, "log": strings.Split(logs.String(), "\n")}
	n := 0
	for _, m := range ps.Fake.Messages() {
		if _, err := queue.Decode(m.Data); err != nil {
			t.Fatalf("published message %s: %v", m.ID, err)
		}
		n++
		places["published message"] = append(places["published message"], string(m.Data))
		for k, v := range m.Attributes {
			places["message attribute"] = append(places["message attribute"], k, v)
		}
	}
	if n == 0 || !strings.Contains(strings.Join(places["published message"], " "), `"c_`) {
		t.Fatalf("%d messages published, want the row with its pseudonym: the PII columns were not exercised", n)
	}
	var leaks []leak
	for place, texts := range places {
		for _, text := range texts {
			leaks = append(leaks, findCanaries(c.list, text, place)...)
		}
	}
	return leaks
}
