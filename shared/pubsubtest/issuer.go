package pubsubtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// Issuer signs ID tokens as Google does for a push subscription's
// service account (RS256, issuer https://accounts.google.com, the
// account's email, verified), and serves its key set in the format of
// https://www.googleapis.com/oauth2/v3/certs, so that the real validator
// (google.golang.org/api/idtoken), sent there, checks them.
type Issuer struct {
	key *rsa.PrivateKey
	kid string
	now func() time.Time

	mu     sync.Mutex
	tokens map[[2]string]cached // by audience and email
}

// cached is a token and when it stops being handed out.
type cached struct {
	token string
	until time.Time
}

// NewIssuer makes a key pair.
func NewIssuer() (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	kid := make([]byte, 8)
	_, _ = rand.Read(kid)
	return &Issuer{key: key, kid: fmt.Sprintf("%x", kid), now: time.Now, tokens: map[[2]string]cached{}}, nil
}

var b64 = base64.RawURLEncoding

// Token returns a token for audience, of the account email, valid for an
// hour. Like Pub/Sub, it reuses a token while it has most of its life
// left: signing one for every push would cost more than the push.
func (is *Issuer) Token(audience, email string) (string, error) {
	now := is.now()
	is.mu.Lock()
	defer is.mu.Unlock()
	if c, ok := is.tokens[[2]string{audience, email}]; ok && now.Before(c.until) {
		return c.token, nil
	}
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": is.kid})
	claims, _ := json.Marshal(map[string]any{
		"iss": "https://accounts.google.com", "aud": audience, "azp": "1000000000000000000000",
		"sub": "1000000000000000000000", "email": email, "email_verified": true,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	signed := b64.EncodeToString(header) + "." + b64.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, is.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	token := signed + "." + b64.EncodeToString(sig)
	is.tokens[[2]string{audience, email}] = cached{token: token, until: now.Add(45 * time.Minute)}
	return token, nil
}

// ServeHTTP serves the key set.
func (is *Issuer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	pub := is.key.PublicKey
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": is.kid,
		"n": b64.EncodeToString(pub.N.Bytes()), "e": b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}
