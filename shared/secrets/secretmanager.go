package secrets

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/compute/metadata"
	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Defaults of SecretManagerOptions.
const (
	// DefaultTTL is how long values are served from the cache before the
	// list of enabled versions is read again. A rotation is picked up
	// within it; listing is a free management operation, and a version's
	// value, which never changes, is read only once per instance.
	DefaultTTL = time.Minute
	// DefaultVersions is how many of the newest enabled versions verify:
	// the new and the previous one during a rotation.
	DefaultVersions = 2
)

// SecretManagerOptions configure a SecretManager resolver.
type SecretManagerOptions struct {
	// Project holds the secrets (id or number). Required.
	Project string
	// ServiceAccount is the account the function runs as, named in error
	// messages so that a missing grant is obvious. When empty it is read
	// from the metadata server, where there is one.
	ServiceAccount string
	// TTL is how long looked-up values are cached; default DefaultTTL.
	TTL time.Duration
	// Versions is how many of the newest enabled versions are returned;
	// default DefaultVersions.
	Versions int
	// Now replaces time.Now, for tests.
	Now func() time.Time
	// ClientOptions are passed to the Secret Manager client (an endpoint
	// and credentials in tests).
	ClientOptions []option.ClientOption
}

// SecretManager resolves secret names to the newest enabled versions of
// projects/{Project}/secrets/{name} in Google Cloud Secret Manager.
//
// Values are cached per instance: the list of enabled versions is read
// again once the TTL has passed, and a version's value is read only the
// first time it is seen (versions are immutable). A rotation is therefore
// picked up without a redeploy: add a version, wait a TTL, switch the
// platform to the new value (both verify), then disable the old version.
//
// When Secret Manager cannot be reached once a secret is cached, the
// cached values keep being served and the read is retried a little later:
// a blip of the API does not turn into 503s. A missing secret, a missing
// permission or no enabled version are reported at once, naming the secret
// and the service account.
//
// Values are trimmed of trailing line breaks: a value added with
// `echo ... | gcloud secrets versions add` ends with one, and a signing
// key with a stray newline never verifies.
//
// The service account needs roles/secretmanager.secretAccessor (to read
// values) and roles/secretmanager.viewer (to list versions) on each
// secret; the Terraform in terraform/ grants exactly that.
type SecretManager struct {
	client  *secretmanager.Client
	project string
	ttl     time.Duration
	keep    int
	now     func() time.Time

	accountOnce sync.Once
	account     string

	mu      sync.Mutex
	entries map[string]*entry
}

// entry is the cache of one secret. Its mutex is held during a refresh so
// that concurrent requests wait for one read instead of each making it.
type entry struct {
	mu       sync.Mutex
	values   []string          // newest first
	byName   map[string]string // version name → value, for the live versions
	expires  time.Time
	hasValue bool
}

// retryAfter is how long stale values are served after a failed refresh
// before the next attempt.
const retryAfter = 5 * time.Second

// NewSecretManager connects to Secret Manager. It reads nothing until the
// first Lookup.
func NewSecretManager(ctx context.Context, o SecretManagerOptions) (*SecretManager, error) {
	if o.Project == "" {
		return nil, errors.New("secret manager: no project")
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Versions <= 0 {
		o.Versions = DefaultVersions
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c, err := secretmanager.NewClient(ctx, o.ClientOptions...)
	if err != nil {
		return nil, fmt.Errorf("secret manager client: %w", err)
	}
	s := &SecretManager{
		client:  c,
		project: o.Project,
		ttl:     o.TTL,
		keep:    o.Versions,
		now:     o.Now,
		account: o.ServiceAccount,
		entries: map[string]*entry{},
	}
	if s.account != "" {
		s.accountOnce.Do(func() {})
	}
	return s, nil
}

// Close closes the client.
func (s *SecretManager) Close() error { return s.client.Close() }

// secretID is Secret Manager's rule for secret ids.
var secretID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// Lookup implements Resolver.
func (s *SecretManager) Lookup(ctx context.Context, name string) ([]string, error) {
	if !secretID.MatchString(name) {
		return nil, fmt.Errorf("%w: %q is not a Secret Manager secret id (1 to 255 letters, digits, - and _)", ErrNotFound, name)
	}
	s.mu.Lock()
	e, ok := s.entries[name]
	if !ok {
		e = &entry{}
		s.entries[name] = e
	}
	s.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	now := s.now()
	if e.hasValue && now.Before(e.expires) {
		return slices.Clone(e.values), nil
	}
	values, byName, err := s.read(ctx, name, e.byName)
	if err != nil {
		if e.hasValue && transient(err) {
			e.expires = now.Add(min(retryAfter, s.ttl))
			return slices.Clone(e.values), nil
		}
		return nil, s.explain(ctx, name, err)
	}
	e.values, e.byName, e.expires, e.hasValue = values, byName, now.Add(s.ttl), true
	return slices.Clone(values), nil
}

// read lists the enabled versions of a secret, newest first, and returns
// the values of the newest ones, reading only those not in known.
func (s *SecretManager) read(ctx context.Context, name string, known map[string]string) ([]string, map[string]string, error) {
	parent := "projects/" + s.project + "/secrets/" + name
	it := s.client.ListSecretVersions(ctx, &secretmanagerpb.ListSecretVersionsRequest{
		Parent: parent,
		Filter: "state:ENABLED",
	})
	var enabled []*secretmanagerpb.SecretVersion
	for {
		v, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if v.GetState() == secretmanagerpb.SecretVersion_ENABLED {
			enabled = append(enabled, v)
		}
	}
	// The API lists newest first; sorting again costs nothing and does not
	// depend on it.
	slices.SortStableFunc(enabled, newestFirst)

	var values []string
	byName := map[string]string{}
	for _, v := range enabled {
		if len(values) == s.keep {
			break
		}
		val, ok := known[v.GetName()]
		if !ok {
			var err error
			val, err = s.access(ctx, v.GetName())
			if errors.Is(err, errGone) {
				continue // disabled or destroyed since it was listed
			}
			if err != nil {
				return nil, nil, err
			}
		}
		if val == "" {
			continue
		}
		values = append(values, val)
		byName[v.GetName()] = val
	}
	if len(values) == 0 {
		return nil, nil, errNoVersion
	}
	return values, byName, nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var (
	errGone      = errors.New("version no longer enabled")
	errNoVersion = errors.New("no enabled version")
	errChecksum  = errors.New("payload checksum mismatch")
)

func (s *SecretManager) access(ctx context.Context, version string) (string, error) {
	resp, err := s.client.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: version})
	switch status.Code(err) {
	case codes.OK:
	case codes.FailedPrecondition, codes.NotFound:
		return "", errGone
	default:
		return "", err
	}
	p := resp.GetPayload()
	if p.DataCrc32C != nil && int64(crc32.Checksum(p.GetData(), castagnoli)) != p.GetDataCrc32C() {
		return "", fmt.Errorf("%w on %s", errChecksum, version)
	}
	return strings.TrimRight(string(p.GetData()), "\r\n"), nil
}

// newestFirst orders versions by creation time, then by number.
func newestFirst(a, b *secretmanagerpb.SecretVersion) int {
	if c := b.GetCreateTime().AsTime().Compare(a.GetCreateTime().AsTime()); c != 0 {
		return c
	}
	return versionNumber(b.GetName()) - versionNumber(a.GetName())
}

func versionNumber(name string) int {
	n, _ := strconv.Atoi(name[strings.LastIndexByte(name, '/')+1:])
	return n
}

// transient reports whether an error may pass by itself.
func transient(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Internal, codes.Aborted, codes.Canceled, codes.Unknown:
		return true
	}
	return false
}

// explain turns an error into one that says which secret, which project,
// which service account, and what to do. It never holds a value: values
// only come from payloads, and payloads never reach an error.
func (s *SecretManager) explain(ctx context.Context, name string, err error) error {
	where := fmt.Sprintf("secret %q in project %q", name, s.project)
	switch {
	case errors.Is(err, errNoVersion):
		return fmt.Errorf("%w: %s has no enabled version with a value: add one with `go run ./scripts/set-secret -project %s %s`", ErrNoVersion, where, s.project, name)
	case errors.Is(err, errChecksum):
		return fmt.Errorf("%s: %w", where, err)
	}
	msg := status.Convert(err).Message()
	switch status.Code(err) {
	case codes.NotFound:
		return fmt.Errorf("%w: %s does not exist (as seen by %s): create it with terraform apply, or fix the name in the configuration: %s", ErrNotFound, where, s.serviceAccount(ctx), msg)
	case codes.PermissionDenied:
		return fmt.Errorf("%w: %s may not read %s: grant it roles/secretmanager.secretAccessor and roles/secretmanager.viewer on that secret (terraform apply does), and check that the secret exists: %s", ErrPermission, s.serviceAccount(ctx), where, msg)
	}
	return fmt.Errorf("%s (as %s): %w", where, s.serviceAccount(ctx), err)
}

// serviceAccount names the caller in messages: the configured account, or
// the one the metadata server reports, or a description.
func (s *SecretManager) serviceAccount(ctx context.Context) string {
	s.accountOnce.Do(func() {
		if !metadata.OnGCE() {
			return
		}
		// Not the caller's context: it may be what just ended.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if email, err := metadata.EmailWithContext(ctx, "default"); err == nil {
			s.account = email
		}
	})
	if s.account == "" {
		return "the function's service account"
	}
	return "service account " + s.account
}
