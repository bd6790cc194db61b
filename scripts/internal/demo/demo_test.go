package demo

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safeview/safeview/shared/config"
	"github.com/safeview/safeview/shared/platform"
	"github.com/safeview/safeview/shared/webhook"
)

const base = "http://127.0.0.1:8080"

func exampleConfig(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Load("../../../functions/webhook/safeview.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// verify checks a signed sample against the source as the function
// would build it with the demo secrets, and decodes it.
func verify(t *testing.T, name string, src *config.Source, secret, notificationURL string, s Sample) platform.Event {
	t.Helper()
	scheme, err := src.SchemeOf()
	if err != nil {
		t.Fatal(err)
	}
	v, err := webhook.New(scheme, []string{secret}, Options(src, notificationURL))
	if err != nil {
		t.Fatalf("%s: webhook.New() error = %v", name, err)
	}
	r := httptest.NewRequest(http.MethodPost, base+"/"+name+"?"+s.Query.Encode(), strings.NewReader(string(s.Body)))
	r.Header = s.Header
	if err := webhook.VerifyRequest(v, s.Body, r); err != nil {
		t.Fatalf("%s: VerifyRequest() = %v", name, err)
	}
	p, err := platform.New(src.Platform, src.PresetOptions())
	if err != nil {
		t.Fatal(err)
	}
	ev, err := p.Decode(platform.Request{Header: s.Header, Body: s.Body})
	if err != nil {
		t.Fatalf("%s: Decode() error = %v", name, err)
	}
	return ev
}

// Every source of the example configuration, every platform, gets a
// built-in sample that its verifier accepts and its preset decodes to a
// paid order (or a confirmed booking), whether it is signed from the
// configuration (SignSource) or from the defaults (Sign).
func TestEverySourceOfTheExampleConfig(t *testing.T) {
	t.Parallel()
	c := exampleConfig(t)
	var platforms []string
	for _, name := range c.SourceNames {
		src := c.Sources[name]
		platforms = append(platforms, src.Platform)
		t.Run(name, func(t *testing.T) {
			secret, nu := SourceDemo(name, src, base)
			if scheme, _ := src.SchemeOf(); (scheme == webhook.SchemeSquare) != (nu == base+"/"+name) {
				t.Errorf("SourceDemo() notification URL = %q", nu)
			}
			when := time.Now()
			for _, signer := range []string{"SignSource", "Sign"} {
				s, err := BuiltIn(src.Platform, SampleOptions{OrderID: "1001", Updated: when})
				if err != nil {
					t.Fatal(err)
				}
				if signer == "SignSource" {
					err = SignSource(src, secret, nu, &s)
				} else {
					err = Sign(src.Platform, secret, nu, &s)
				}
				if err != nil {
					t.Fatalf("%s() error = %v", signer, err)
				}
				ev := verify(t, name, src, secret, nu, s)
				switch ev.Kind {
				case platform.KindOrder:
					if ev.Order.Status != platform.StatusPaid || !strings.Contains(ev.Order.ID, "1001") {
						t.Errorf("%s: order = %+v, want paid order 1001", signer, ev.Order)
					}
				case platform.KindErasure:
					if ev.Erasure.Scope != platform.AccessRequest || ev.Customer.Email != DemoEmail {
						t.Errorf("%s: erasure = %+v, want an access request about the demo customer", signer, ev.Erasure)
					}
				case platform.KindBooking:
					if ev.Booking.Status != platform.StatusConfirmed || !strings.Contains(ev.Booking.ID, "1001") {
						t.Errorf("%s: booking = %+v, want confirmed booking 1001", signer, ev.Booking)
					}
				default:
					t.Errorf("%s: kind = %q", signer, ev.Kind)
				}
			}
		})
	}
	want := platform.Names()
	slices.Sort(platforms)
	if !slices.Equal(platforms, want) {
		t.Errorf("the example configuration's platforms = %q, want one source per platform %q", platforms, want)
	}
}

// An update of a sample outranks it, and the other kinds of sample decode.
func TestSampleUpdatesAndKinds(t *testing.T) {
	t.Parallel()
	c := exampleConfig(t)
	t0 := time.Now().Add(-time.Minute)
	tests := []struct {
		source, topic, status string
		kind                  platform.Kind
		want                  platform.Status
	}{
		{"shopify", "orders/updated", "refunded", platform.KindOrder, platform.StatusRefunded},
		{"woocommerce", "order.updated", "refunded", platform.KindOrder, platform.StatusRefunded},
		{"stripe", "charge.refunded", "", platform.KindOrder, platform.StatusRefunded},
		{"square", "payment.updated", "CANCELED", platform.KindOrder, platform.StatusCancelled},
		{"square", "booking.updated", "CANCELLED_BY_CUSTOMER", platform.KindBooking, platform.StatusCancelled},
		{"generic", "order.paid", "", platform.KindOrder, platform.StatusPaid},
		{"generic", "booking.cancelled", "cancelled", platform.KindBooking, platform.StatusCancelled},
	}
	for _, tt := range tests {
		src := c.Sources[tt.source]
		secret, nu := SourceDemo(tt.source, src, base)
		first, _ := BuiltIn(src.Platform, SampleOptions{OrderID: "2002", Updated: t0, Topic: strings.Replace(tt.topic, "updated", "created", 1)})
		later, _ := BuiltIn(src.Platform, SampleOptions{OrderID: "2002", Updated: t0.Add(30 * time.Second), Topic: tt.topic, Status: tt.status})
		for _, s := range []*Sample{&first, &later} {
			if err := SignSource(src, secret, nu, s); err != nil {
				t.Fatal(err)
			}
		}
		a, b := verify(t, tt.source, src, secret, nu, first), verify(t, tt.source, src, secret, nu, later)
		var status platform.Status
		if b.Order != nil {
			status = b.Order.Status
		} else if b.Booking != nil {
			status = b.Booking.Status
		}
		if b.Kind != tt.kind || status != tt.want {
			t.Errorf("%s %s: kind %q status %q, want %q %q", tt.source, tt.topic, b.Kind, status, tt.kind, tt.want)
		}
		if a.Kind == b.Kind && b.Version <= a.Version {
			t.Errorf("%s %s: version %d does not outrank %d", tt.source, tt.topic, b.Version, a.Version)
		}
	}
}

func TestSecretForms(t *testing.T) {
	t.Parallel()
	for _, p := range platform.Names() {
		scheme, _ := platform.SchemeOf(p)
		if _, err := webhook.New(scheme, []string{Secret(p)}, webhook.Options{NotificationURL: base + "/x", HMAC: DefaultOptions("generic").HMAC}); err != nil {
			t.Errorf("Secret(%q) does not suit the %s scheme: %v", p, scheme, err)
		}
	}
	if _, err := BuiltIn("myspace", SampleOptions{}); err == nil {
		t.Error("BuiltIn(myspace) succeeded")
	}
}
