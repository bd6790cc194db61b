package secrets_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"

	"github.com/safeview/safeview/shared/secrets"
	"github.com/safeview/safeview/shared/secrets/secretmanagertest"
)

const (
	project = "shop-project"
	account = "safeview-webhook@shop-project.iam.gserviceaccount.com"
)

// clock is a settable clock for TTL tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newResolver starts a fake Secret Manager and returns it with a clock
// and a resolver on the real client pointed at it.
func newResolver(t *testing.T) (*secretmanagertest.Server, *clock, *secrets.SecretManager) {
	t.Helper()
	srv := secretmanagertest.NewServer(t)
	c := &clock{now: time.Unix(1_800_000_000, 0)}
	r, err := secrets.NewSecretManager(context.Background(), secrets.SecretManagerOptions{
		Project:        project,
		ServiceAccount: account,
		TTL:            time.Minute,
		Now:            c.Now,
		ClientOptions:  srv.ClientOptions(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return srv, c, r
}

// wantLookup checks the values of a secret; what says when.
func wantLookup(t *testing.T, r secrets.Resolver, what, name string, want ...string) {
	t.Helper()
	got, err := r.Lookup(context.Background(), name)
	if err != nil {
		t.Fatalf("%s: Lookup(%q) error = %v", what, name, err)
	}
	if len(want) > 0 && !cmp.Equal(got, want) {
		t.Errorf("%s: Lookup(%q) = %q, want %q", what, name, got, want)
	}
}

func TestSecretManagerRotation(t *testing.T) {
	t.Parallel()
	srv, c, r := newResolver(t)
	const name = "shopify-webhook-secret"
	v1 := srv.AddVersion(project, name, "old-key")

	steps := []struct {
		what string
		do   func()
		want []string
	}{
		{"one version", func() {}, []string{"old-key"}},
		{"new version, within the TTL: cached", func() { srv.AddVersion(project, name, "new-key") }, []string{"old-key"}},
		{"after the TTL: both verify, newest first", func() { c.Add(time.Minute) }, []string{"new-key", "old-key"}},
		{"old one disabled, within the TTL", func() { must(t, srv.SetState(v1, secretmanagerpb.SecretVersion_DISABLED)) }, []string{"new-key", "old-key"}},
		{"old one disabled, after the TTL", func() { c.Add(time.Minute) }, []string{"new-key"}},
		{"a third version: the two newest", func() {
			srv.AddVersion(project, name, "newer-key")
			must(t, srv.SetState(v1, secretmanagerpb.SecretVersion_ENABLED))
			c.Add(time.Minute)
		}, []string{"newer-key", "new-key"}},
	}
	for _, s := range steps {
		s.do()
		wantLookup(t, r, s.what, name, s.want...)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSecretManagerDisabledVersions(t *testing.T) {
	t.Parallel()
	srv, _, r := newResolver(t)
	const name = "stripe-webhook-secret"
	srv.AddVersion(project, name, "whsec_first")
	destroyed := srv.AddVersion(project, name, "whsec_destroyed")
	disabled := srv.AddVersion(project, name, "whsec_disabled")
	must(t, srv.SetState(destroyed, secretmanagerpb.SecretVersion_DESTROYED))
	must(t, srv.SetState(disabled, secretmanagerpb.SecretVersion_DISABLED))
	wantLookup(t, r, "disabled and destroyed versions", name, "whsec_first")
}

func TestSecretManagerErrors(t *testing.T) {
	t.Parallel()
	srv, _, r := newResolver(t)
	srv.AddVersion(project, "denied", "value-that-must-not-leak")
	srv.Deny(project, "denied", true)
	srv.AddSecret(project, "empty")
	off := srv.AddVersion(project, "all-disabled", "value-that-must-not-leak")
	must(t, srv.SetState(off, secretmanagerpb.SecretVersion_DISABLED))

	tests := []struct {
		name    string
		wantErr error
		says    []string
	}{
		{"missing", secrets.ErrNotFound, []string{`"missing"`, project, account, "terraform apply"}},
		{"denied", secrets.ErrPermission, []string{`"denied"`, project, account, "roles/secretmanager.secretAccessor", "roles/secretmanager.viewer"}},
		{"empty", secrets.ErrNoVersion, []string{`"empty"`, project, "scripts/set-secret"}},
		{"all-disabled", secrets.ErrNoVersion, []string{`"all-disabled"`}},
		{"bad/name", secrets.ErrNotFound, []string{`"bad/name"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Lookup(context.Background(), tt.name)
			if !errors.Is(err, tt.wantErr) || got != nil {
				t.Fatalf("Lookup(%q) = %q, %v, want error %v", tt.name, got, err, tt.wantErr)
			}
			for _, s := range tt.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Lookup(%q) error %q does not say %q", tt.name, err, s)
				}
			}
			if strings.Contains(err.Error(), "value-that-must-not-leak") {
				t.Errorf("Lookup(%q) error holds the secret value: %q", tt.name, err)
			}
		})
	}
}

func TestSecretManagerPermissionRevoked(t *testing.T) {
	t.Parallel()
	srv, c, r := newResolver(t)
	srv.AddVersion(project, "key", "k1")
	wantLookup(t, r, "before", "key")
	srv.Deny(project, "key", true)
	c.Add(time.Minute)
	// A revoked grant is a decision, not an outage: no stale value.
	if _, err := r.Lookup(context.Background(), "key"); !errors.Is(err, secrets.ErrPermission) {
		t.Errorf("Lookup() after the grant was revoked: error = %v, want ErrPermission", err)
	}
}

func TestSecretManagerTTL(t *testing.T) {
	t.Parallel()
	srv, c, r := newResolver(t)
	srv.AddVersion(project, "key", "k1")
	srv.AddVersion(project, "key", "k2")

	calls := func() [2]int {
		return [2]int{srv.Calls("ListSecretVersions"), srv.Calls("AccessSecretVersion")}
	}
	steps := []struct {
		what    string
		advance time.Duration
		want    [2]int // list, access calls so far
	}{
		{"first lookup lists and reads both versions", 0, [2]int{1, 2}},
		{"within the TTL nothing is read", 59 * time.Second, [2]int{1, 2}},
		{"at the TTL the list is read again, values are not", time.Second, [2]int{2, 2}},
		{"and cached again", 30 * time.Second, [2]int{2, 2}},
	}
	for _, s := range steps {
		c.Add(s.advance)
		wantLookup(t, r, s.what, "key")
		if got := calls(); got != s.want {
			t.Errorf("%s: calls (list, access) = %v, want %v", s.what, got, s.want)
		}
	}
}

func TestSecretManagerOutageServesCachedValues(t *testing.T) {
	t.Parallel()
	srv, c, r := newResolver(t)
	srv.AddVersion(project, "key", "k1")
	wantLookup(t, r, "before the outage", "key")

	srv.Fail("ListSecretVersions", codes.Unavailable)
	c.Add(time.Hour)
	wantLookup(t, r, "during an outage", "key", "k1")
	// The next attempt waits a few seconds, not a whole TTL.
	lists := srv.Calls("ListSecretVersions")
	wantLookup(t, r, "at once", "key")
	c.Add(10 * time.Second)
	wantLookup(t, r, "a little later", "key")
	if got := srv.Calls("ListSecretVersions") - lists; got != 1 {
		t.Errorf("list calls during the outage = %d, want 1 retry after a short pause", got)
	}

	// Without a cached value an outage is an error, not a guess.
	srv.AddVersion(project, "other", "o1")
	if _, err := r.Lookup(context.Background(), "other"); err == nil || !strings.Contains(err.Error(), "Unavailable") {
		t.Errorf("Lookup(uncached) during an outage: error = %v, want Unavailable", err)
	}

	srv.Fail("ListSecretVersions", codes.OK)
	srv.AddVersion(project, "key", "k2")
	c.Add(time.Minute)
	wantLookup(t, r, "after the outage", "key", "k2", "k1")
}

func TestSecretManagerTrimsLineBreaks(t *testing.T) {
	t.Parallel()
	srv, _, r := newResolver(t)
	srv.AddVersion(project, "echoed", "s3cret\n")
	srv.AddVersion(project, "blank", "\n")
	wantLookup(t, r, "echoed", "echoed", "s3cret")
	if _, err := r.Lookup(context.Background(), "blank"); !errors.Is(err, secrets.ErrNoVersion) {
		t.Errorf("Lookup(blank) error = %v, want ErrNoVersion", err)
	}
}

func TestSecretManagerConcurrentLookups(t *testing.T) {
	t.Parallel()
	srv, _, r := newResolver(t)
	srv.AddVersion(project, "key", "k1")
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if got, err := r.Lookup(context.Background(), "key"); err != nil || len(got) != 1 {
				t.Errorf("Lookup() = %q, %v", got, err)
			}
		})
	}
	wg.Wait()
	if n := srv.Calls("ListSecretVersions"); n != 1 {
		t.Errorf("concurrent first lookups listed %d times, want 1", n)
	}
}

func TestNewSecretManagerNeedsProject(t *testing.T) {
	t.Parallel()
	if _, err := secrets.NewSecretManager(context.Background(), secrets.SecretManagerOptions{}); err == nil {
		t.Error("NewSecretManager without a project: no error")
	}
}
