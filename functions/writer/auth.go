package writerfn

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"google.golang.org/api/idtoken"
	"google.golang.org/api/option"
)

// Auth accepts the pushes of one subscription: requests that carry an
// OIDC token Google signed for the push service account, with the
// function's URL as audience. Cloud Run checks the same token before the
// request reaches the function (only that account may invoke it); the
// function checks it again, so that a grant given by mistake to someone
// else does not let them write rows.
type Auth struct {
	validator *idtoken.Validator
	audience  string
	email     string
}

// Google's issuers of ID tokens.
var issuers = []string{"https://accounts.google.com", "accounts.google.com"}

// errUnauthorized is the error of a push without a valid token.
var errUnauthorized = errors.New("push not authenticated")

// NewAuth returns the check of a subscription's pushes. certsURL, when
// set, is where the validator reads the key set instead of Google's: the
// validator (google.golang.org/api/idtoken) has no option for it, so its
// HTTP client sends its request for Google's key set there.
func NewAuth(ctx context.Context, audience, email, certsURL string) (*Auth, error) {
	if audience == "" || email == "" {
		return nil, errors.New("the writer accepts only pushes of its subscription: set " + EnvPushAudience + " and " + EnvPushServiceAccount)
	}
	var opts []option.ClientOption
	if certsURL != "" {
		u, err := url.Parse(certsURL)
		if err != nil || u.Host == "" {
			return nil, errors.New(EnvPushCertsURL + ": want a URL")
		}
		opts = append(opts, option.WithHTTPClient(&http.Client{Transport: redirect{to: u}}))
	}
	v, err := idtoken.NewValidator(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("token validator: %w", err)
	}
	return &Auth{validator: v, audience: audience, email: email}, nil
}

// Check returns nil when the request carries a valid token of the push
// service account for the audience. Its errors wrap errUnauthorized and
// say what is wrong, never the token.
func (a *Auth) Check(ctx context.Context, r *http.Request) error {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return fmt.Errorf("%w: no bearer token", errUnauthorized)
	}
	p, err := a.validator.Validate(ctx, token, a.audience)
	if err != nil {
		return fmt.Errorf("%w: invalid token", errUnauthorized)
	}
	switch {
	case !slices.Contains(issuers, p.Issuer):
		return fmt.Errorf("%w: not issued by Google", errUnauthorized)
	case p.Claims["email"] != a.email || p.Claims["email_verified"] != true:
		return fmt.Errorf("%w: not the push service account", errUnauthorized)
	}
	return nil
}

// redirect sends every request to one URL: the local key set.
type redirect struct{ to *url.URL }

func (t redirect) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL = t.to
	r.Host = t.to.Host
	return http.DefaultTransport.RoundTrip(r)
}
