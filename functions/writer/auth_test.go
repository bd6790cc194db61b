package writerfn

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/safeview/safeview/shared/pubsubtest"
)

// Only a token of the push service account, for the function's audience,
// signed by the key set's key, is accepted: the real validator checks the
// signature, the audience and the expiry, the function the issuer and the
// account.
func TestAuth(t *testing.T) {
	t.Parallel()
	issuer, err := pubsubtest.NewIssuer()
	if err != nil {
		t.Fatal(err)
	}
	certs := httptest.NewServer(issuer)
	t.Cleanup(certs.Close)
	const aud = "https://europe-west1-shop.cloudfunctions.net/safeview-writer"
	auth, err := NewAuth(t.Context(), aud, pushAccount, certs.URL)
	if err != nil {
		t.Fatal(err)
	}
	other, err := pubsubtest.NewIssuer()
	if err != nil {
		t.Fatal(err)
	}
	token := func(is *pubsubtest.Issuer, aud, email string) string {
		tok, err := is.Token(aud, email)
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + tok
	}
	good := token(issuer, aud, pushAccount)
	for _, tt := range []struct {
		name, header, want string
	}{
		{"the push account", good, ""},
		{"no header", "", "no bearer token"},
		{"not bearer", strings.TrimPrefix(good, "Bearer "), "no bearer token"},
		{"garbage", "Bearer not.a.token", "invalid token"},
		{"another audience", token(issuer, "https://elsewhere.example/", pushAccount), "invalid token"},
		{"another account", token(issuer, aud, "someone@test-project.iam.gserviceaccount.com"), "not the push service account"},
		{"another key", token(other, aud, pushAccount), "invalid token"},
		{"tampered", good[:len(good)-4] + "AAAA", "invalid token"},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		err := auth.Check(t.Context(), r)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Check() error = %v, want nil", tt.name, err)
		case tt.want != "" && (!errors.Is(err, errUnauthorized) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Check() error = %v, want errUnauthorized: %s", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), strings.TrimPrefix(good, "Bearer ")[:20]) {
			t.Errorf("%s: the error quotes the token", tt.name)
		}
	}
	if _, err := NewAuth(t.Context(), "", pushAccount, ""); err == nil {
		t.Error("NewAuth() without an audience: want an error (fail closed)")
	}
}

// A push without the token is answered 401 and writes nothing.
func TestWriterRefusesUnauthenticatedPushes(t *testing.T) {
	t.Parallel()
	s := newQueueStack(t, 5)
	req, _ := http.NewRequest(http.MethodPost, s.url, strings.NewReader(`{}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("push without a token: status %d, want 401", resp.StatusCode)
	}
}
