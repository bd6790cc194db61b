package graphtest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ClientAssertionType is the OAuth client assertion type of a JWT.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// ExchangeAudience is the audience Entra ID expects in a federated
// credential's token.
const ExchangeAudience = "api://AzureADTokenExchange"

// app is an app registration of a tenant: a client secret and federated
// credentials.
type app struct {
	tenant, client string
	secret         string
	federated      []Federated
}

// Federated is a federated identity credential of an app registration:
// Entra ID accepts, in place of a secret, a JWT from Issuer whose subject
// is Subject and whose audience holds Audience, signed by Key (Entra ID
// fetches the issuer's keys from its OpenID configuration; the emulator
// is given the key).
type Federated struct {
	Issuer, Subject, Audience string
	Key                       *rsa.PublicKey
}

// issued is an access token the token endpoint gave out.
type issued struct {
	client  string
	expires time.Time
}

// site is a SharePoint site: its host and path, and the drive items by
// path in its default document library.
type site struct {
	id, host, path, drive string
	items                 map[string]string // path → item id
}

// RegisterApp registers an app (client id) in a tenant, with a client
// secret when secret is not empty.
func (s *Server) RegisterApp(tenant, clientID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[tenant+"/"+clientID] = &app{tenant: tenant, client: clientID, secret: secret}
}

// AddFederatedCredential adds a federated credential to an app
// registered with RegisterApp.
func (s *Server) AddFederatedCredential(tenant, clientID string, f Federated) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.apps[tenant+"/"+clientID]; a != nil {
		a.federated = append(a.federated, f)
	}
}

// AddSite makes a SharePoint site at host and path ("/sites/Finance")
// whose default library holds the workbook driveID/itemID at itemPath.
func (s *Server) AddSite(host, sitePath, itemPath, driveID, itemID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := host + "," + hex.EncodeToString([]byte(sitePath))
	st := s.sites[id]
	if st == nil {
		st = &site{id: id, host: host, path: sitePath, drive: driveID, items: map[string]string{}}
		s.sites[id] = st
	}
	st.items[strings.Trim(itemPath, "/")] = itemID
	return id
}

func (s *Server) siteByPath(host, path string) (result, *apiError) {
	for _, st := range s.sites {
		if strings.EqualFold(st.host, host) && strings.EqualFold(strings.Trim(st.path, "/"), strings.Trim(path, "/")) {
			return result{v: map[string]any{"id": st.id, "webUrl": "https://" + st.host + st.path}}, nil
		}
	}
	return result{}, errf(404, "itemNotFound", "Requested site could not be found")
}

func (s *Server) itemByPath(siteID, path string) (result, *apiError) {
	st := s.sites[siteID]
	if st == nil {
		return result{}, errf(404, "itemNotFound", "Requested site could not be found")
	}
	id, ok := st.items[strings.Trim(path, "/")]
	if !ok {
		return result{}, errf(404, "itemNotFound", "The resource could not be found.")
	}
	return result{v: map[string]any{"id": id, "name": path[strings.LastIndex(path, "/")+1:], "parentReference": map[string]any{"driveId": st.drive}}}, nil
}

// authenticate checks a Graph request's bearer token and returns the
// client id it was issued to.
func (s *Server) authenticate(r *http.Request) (string, *apiError) {
	s.cfg.Lock()
	noAuth, open := s.noAuth, s.openReads
	s.cfg.Unlock()
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := s.toks[tok]; ok && is != nil && s.now().Before(is.expires) {
		return is.client, nil
	}
	if noAuth || open && r.Method == http.MethodGet {
		return "anonymous", nil
	}
	return "", errf(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
}

// serveIdentity is the Microsoft identity platform: a tenant's OpenID
// configuration and its token endpoint (client credentials, with a
// secret or a client assertion).
func (s *Server) serveIdentity(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	tenant := parts[0]
	base := "https://" + r.Host
	switch {
	case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
		b, _ := json.Marshal(map[string]any{
			"issuer":                 base + "/" + tenant + "/v2.0",
			"token_endpoint":         base + "/" + tenant + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/" + tenant + "/oauth2/v2.0/authorize",
			"jwks_uri":               base + "/" + tenant + "/discovery/v2.0/keys",
			"tenant_region_scope":    "EU",
		})
		s.reply(w, 200, map[string]string{"Content-Type": "application/json"}, b)
	case strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") && r.Method == http.MethodPost:
		s.token(w, r, tenant)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) token(w http.ResponseWriter, r *http.Request, tenant string) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, 400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" {
		oauthError(w, 400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
		return
	}
	s.mu.Lock()
	a := s.apps[tenant+"/"+f.Get("client_id")]
	s.mu.Unlock()
	if a == nil {
		oauthError(w, 400, "unauthorized_client", "AADSTS700016: Application not found in the directory.")
		return
	}
	switch {
	case f.Get("client_secret") != "":
		if a.secret == "" || f.Get("client_secret") != a.secret {
			oauthError(w, 401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
			return
		}
	case f.Get("client_assertion_type") == ClientAssertionType:
		if msg := s.checkAssertion(a, f.Get("client_assertion")); msg != "" {
			oauthError(w, 401, "invalid_client", msg)
			return
		}
	default:
		oauthError(w, 401, "invalid_client", "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
		return
	}
	if !slices.Contains(strings.Fields(f.Get("scope")), "https://graph.microsoft.com/.default") {
		oauthError(w, 400, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid.")
		return
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := "emu." + hex.EncodeToString(b)
	s.mu.Lock()
	s.toks[tok] = &issued{client: a.client, expires: s.now().Add(time.Hour)}
	s.stats.TokensIssued++
	s.mu.Unlock()
	out, _ := json.Marshal(map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
	s.reply(w, 200, map[string]string{"Content-Type": "application/json"}, out)
}

// checkAssertion checks a client assertion as Entra ID checks a token
// against an app's federated credentials: a JWT signed by the issuer,
// unexpired, whose issuer, subject and audience match one credential.
// It returns Entra's message when none does.
func (s *Server) checkAssertion(a *app, assertion string) string {
	for _, fc := range a.federated {
		tok, err := jwt.Parse(assertion, func(*jwt.Token) (any, error) { return fc.Key, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(fc.Issuer), jwt.WithAudience(fc.Audience),
			jwt.WithSubject(fc.Subject), jwt.WithExpirationRequired(), jwt.WithTimeFunc(s.now))
		if err == nil && tok.Valid {
			return ""
		}
	}
	return "AADSTS70021: No matching federated identity record found for presented assertion."
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	b, _ := json.Marshal(map[string]any{"error": code, "error_description": desc, "error_codes": []int{}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
