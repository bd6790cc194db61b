// Package impersonation acts as another service account, without a key:
// it asks the IAM Service Account Credentials API
// (projects.serviceAccounts.generateAccessToken) for short-lived access
// tokens of that account, as the caller, who needs the role
// roles/iam.serviceAccountTokenCreator on exactly that account. The
// webhook function writes each partner's spreadsheet this way, as the
// partner destination's own account.
//
// Why not google.golang.org/api/impersonate, or
// cloud.google.com/go/auth/credentials/impersonate, which make the same
// call? Both send it to https://iamcredentials.googleapis.com with no way
// to send it elsewhere, so neither the tests nor the local stack could
// run them against an emulator of the API, which is how every other
// Google client here is tested. The API's generated client
// (google.golang.org/api/iamcredentials/v1) takes option.WithEndpoint,
// and golang.org/x/oauth2 reuses each token until shortly before it
// expires: this package is the few lines between the two.
package impersonation

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/iamcredentials/v1"
)

// callTimeout bounds one token request: a hung call must not hold the
// writes of a destination for longer than a delivery waits.
const callTimeout = 10 * time.Second

// earlyExpiry is how long before its expiry a token is replaced, so that
// a request never leaves with a token about to expire.
const earlyExpiry = 5 * time.Minute

// TokenSource returns the access tokens of account, with the scopes,
// asked for through svc (authenticated as the caller) when needed and
// reused until earlyExpiry before they expire. ctx bounds every request
// it makes.
func TokenSource(ctx context.Context, svc *iamcredentials.Service, account string, scopes ...string) oauth2.TokenSource {
	return oauth2.ReuseTokenSourceWithExpiry(nil, &source{ctx: ctx, svc: svc, account: account, scopes: scopes}, earlyExpiry)
}

type source struct {
	ctx     context.Context
	svc     *iamcredentials.Service
	account string
	scopes  []string
}

// Token implements oauth2.TokenSource.
func (s *source) Token() (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(s.ctx, callTimeout)
	defer cancel()
	resp, err := s.svc.Projects.ServiceAccounts.GenerateAccessToken("projects/-/serviceAccounts/"+s.account,
		&iamcredentials.GenerateAccessTokenRequest{Scope: s.scopes}).Context(ctx).Do()
	if err != nil {
		return nil, fmt.Errorf("impersonation: act as %s (the caller needs roles/iam.serviceAccountTokenCreator on it): %w", s.account, err)
	}
	exp, err := time.Parse(time.RFC3339, resp.ExpireTime)
	if err != nil {
		return nil, fmt.Errorf("impersonation: act as %s: expireTime %q: %w", s.account, resp.ExpireTime, err)
	}
	return &oauth2.Token{AccessToken: resp.AccessToken, TokenType: "Bearer", Expiry: exp}, nil
}
