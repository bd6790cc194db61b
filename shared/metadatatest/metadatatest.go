// Package metadatatest is an in-memory Google Compute Engine metadata
// server, the part a Cloud Function's code asks for an ID token of its
// service account (instance/service-accounts/default/identity), for the
// real cloud.google.com/go/compute/metadata client: point it here with
// GCE_METADATA_HOST, or with a client whose transport dials the server.
// Its tokens are RS256 JWTs like Google's (issuer
// https://accounts.google.com, subject the service account's unique id,
// the audience asked for), signed by a key of its own that tests and the
// local stack give to whoever verifies them (the Entra ID emulator).
package metadatatest

import (
	"crypto/rand"
	"crypto/rsa"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer is the issuer of Google's ID tokens.
const Issuer = "https://accounts.google.com"

// Server is a metadata server for one service account.
type Server struct {
	// Email and UniqueID name the service account; its tokens' subject
	// is UniqueID.
	Email, UniqueID string

	key *rsa.PrivateKey
	ts  *httptest.Server

	mu     sync.Mutex
	issued int
}

// New returns a server that is not listening; serve Handler.
func New(email, uniqueID string) (*Server, error) {
	k, err := signingKey()
	if err != nil {
		return nil, err
	}
	return &Server{Email: email, UniqueID: uniqueID, key: k}, nil
}

// signingKey is the process's one key: an RSA key takes a noticeable
// time to make, and tests make many servers. Each test's verifier is
// given the key of its own server all the same.
var signingKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// TB is the part of testing.TB that NewServer needs.
type TB interface {
	Cleanup(func())
	Fatal(...any)
}

// NewServer starts a server and closes it when the test ends.
func NewServer(t TB, email, uniqueID string) *Server {
	s, err := New(email, uniqueID)
	if err != nil {
		t.Fatal(err)
	}
	s.ts = httptest.NewServer(s.Handler())
	t.Cleanup(s.ts.Close)
	return s
}

// Host is host:port of a started server, for GCE_METADATA_HOST.
func (s *Server) Host() string { return strings.TrimPrefix(s.ts.URL, "http://") }

// Client returns an HTTP client whose every request reaches the server,
// for metadata.NewClient.
func (s *Server) Client() *http.Client {
	u, _ := url.Parse(s.ts.URL)
	return &http.Client{Transport: redirect{host: u.Host}}
}

type redirect struct{ host string }

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = "http", r.host
	return http.DefaultTransport.RoundTrip(req)
}

// PublicKey verifies the server's tokens.
func (s *Server) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

// Issued counts the tokens issued.
func (s *Server) Issued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// Handler serves the metadata paths the ID token flow uses.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Metadata-Flavor") != "Google" {
			http.Error(w, "Missing Metadata-Flavor:Google header.", http.StatusForbidden)
			return
		}
		w.Header().Set("Metadata-Flavor", "Google")
		switch r.URL.Path {
		case "/computeMetadata/v1/instance/service-accounts/default/identity":
			aud := r.URL.Query().Get("audience")
			if aud == "" {
				http.Error(w, "non-empty audience parameter required", http.StatusBadRequest)
				return
			}
			now := time.Now()
			tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
				"iss": Issuer, "sub": s.UniqueID, "aud": aud, "azp": s.UniqueID, "email": s.Email,
				"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			}).SignedString(s.key)
			if err != nil {
				http.Error(w, "signing failed", http.StatusInternalServerError)
				return
			}
			s.mu.Lock()
			s.issued++
			s.mu.Unlock()
			_, _ = w.Write([]byte(tok))
		case "/computeMetadata/v1/instance/service-accounts/default/email":
			_, _ = w.Write([]byte(s.Email))
		case "/computeMetadata/v1/project/project-id":
			_, _ = w.Write([]byte("safeview-local"))
		default:
			http.NotFound(w, r)
		}
	})
}

// Start listens on addr (host:port, port 0 for a free one) until Close.
func (s *Server) Start(addr string) error {
	ts := httptest.NewUnstartedServer(s.Handler())
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		ts.Listener.Close()
		ts.Listener = l
	}
	ts.Start()
	s.ts = ts
	return nil
}

// Close stops a server started with Start.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}
